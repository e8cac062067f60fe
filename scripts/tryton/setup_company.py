"""Sets up a fresh Tryton database for Orderdesk's tests over JSON-RPC:
the company (EUR), the chart of accounts, this year's fiscal year and a
product category "Goods" with accounts, so sales confirm and invoice.

Usage: python setup_company.py URL DATABASE PASSWORD   (URL like http://127.0.0.1:8000)
Only the standard library is used.
"""
import base64
import datetime
import json
import sys
import urllib.request

url, db, password = sys.argv[1], sys.argv[2], sys.argv[3]
auth = None
counter = 0


def rpc(method, params, root=False):
    global counter
    counter += 1
    body = json.dumps({"id": counter, "method": method, "params": params}).encode()
    target = f"{url}/rpc/" if root else f"{url}/{db}/rpc/"
    request = urllib.request.Request(target, data=body, headers={"Content-Type": "application/json"})
    if auth:
        request.add_header("Authorization", auth)
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.load(response)
    if "error" in answer and answer["error"]:
        sys.exit(f"{method} failed: {answer['error']}")
    return answer["result"]


def dec(text):
    return {"__class__": "Decimal", "decimal": text}


def date(y, m, d):
    return {"__class__": "date", "year": y, "month": m, "day": d}


uid, token, _ = rpc("common.db.login", ["admin", {"password": password}, "en"])
auth = "Session " + base64.b64encode(f"admin:{uid}:{token}".encode()).decode()
ctx = {}
eur = rpc("model.currency.currency.create",
          [[{"name": "Euro", "code": "EUR", "symbol": "€", "rounding": dec("0.01"), "digits": 2}], ctx])[0]
company_party = rpc("model.party.party.create", [[{"name": "Orderdesk Test Company GmbH"}], ctx])[0]
company = rpc("model.company.company.create", [[{"party": company_party, "currency": eur}], ctx])[0]
rpc("model.res.user.write", [[uid], {"companies": [["add", [company]]], "company": company}, ctx])
ctx = {"company": company, "language": "en"}

template = rpc("model.ir.model.data.get_id", ["account", "account_template_root_en", ctx])
session = rpc("wizard.account.create_chart.create", [ctx])[0]
rpc("wizard.account.create_chart.execute", [session, {}, "account", ctx])
rpc("wizard.account.create_chart.execute",
    [session, {"account": {"company": company, "account_template": template}}, "create_account", ctx])


def account(kind):
    return rpc("model.account.account.search",
               [[[f"type.{kind}", "=", True], ["company", "=", company], ["closed", "!=", True]], 0, 1, None, ctx])[0]


receivable, payable, revenue, expense = (account(k) for k in ("receivable", "payable", "revenue", "expense"))
rpc("wizard.account.create_chart.execute",
    [session, {"properties": {"company": company, "account_receivable": receivable, "account_payable": payable,
                              "category_account_revenue": revenue, "category_account_expense": expense}},
     "create_properties", ctx])
rpc("wizard.account.create_chart.delete", [session, ctx])

year = datetime.date.today().year
for y in (year, year + 1):
    move_type = rpc("model.ir.sequence.type.search", [[["name", "=", "Account Move"]], 0, 1, None, ctx])[0]
    invoice_type = rpc("model.ir.sequence.type.search", [[["name", "=", "Invoice"]], 0, 1, None, ctx])[0]
    move_seq = rpc("model.ir.sequence.strict.create",
                   [[{"name": f"Move {y}", "sequence_type": move_type, "company": company}], ctx])[0]
    inv_seq = rpc("model.ir.sequence.strict.create",
                  [[{"name": f"Invoice {y}", "sequence_type": invoice_type, "company": company}], ctx])[0]
    fiscal_year = rpc("model.account.fiscalyear.create", [[{
        "name": str(y), "company": company, "start_date": date(y, 1, 1), "end_date": date(y, 12, 31),
        "move_sequence": move_seq,
        "invoice_sequences": [["create", [{"company": company, "out_invoice_sequence": inv_seq,
                                           "in_invoice_sequence": inv_seq, "out_credit_note_sequence": inv_seq,
                                           "in_credit_note_sequence": inv_seq}]]]}], ctx])[0]
    rpc("model.account.fiscalyear.create_period", [[fiscal_year], ctx])
rpc("model.product.category.create",
    [[{"name": "Goods", "accounting": True, "account_revenue": revenue, "account_expense": expense}], ctx])
rpc("common.db.logout", [])
print(f"company {company} set up in {db}")

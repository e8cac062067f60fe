//! What each generated case says: customer, kind, lines, dates, noise and deliberate problems.

use std::collections::HashMap;

use domain::customer::{Customer, ShipToAddress};
use domain::customer_item::CustomerItem;
use domain::pricing::{PriceEntry, expected_price};
use domain::product::Product;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::{CorpusError, Master, Truth, TruthLine};

/// The file format a case is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A mail with a text table in its body.
    MailTable,
    /// A mail with item lines written as sentences.
    MailFreeForm,
    /// A mail with an HTML table.
    MailHtml,
    /// A mail with a PDF order attached (layout 0–7).
    MailPdf(u8),
    MailXlsx,
    MailCsv,
    X12,
    Edifact,
    Ubl,
    /// A purchasing system's flat CSV export attached to a mail (described family).
    ProcurementCsv,
    /// An order forwarded from Outlook by a colleague (described family).
    Forwarded,
    /// An ERP purchase order print-out as a PDF attachment (described family).
    ErpPrint,
    /// A B2B marketplace's order notification (described family).
    Marketplace,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::MailTable => "mail_table",
            Format::MailFreeForm => "mail_free_form",
            Format::MailHtml => "mail_html",
            Format::MailPdf(_) => "pdf",
            Format::MailXlsx => "xlsx",
            Format::MailCsv => "csv",
            Format::X12 => "x12",
            Format::Edifact => "edifact",
            Format::Ubl => "ubl",
            Format::ProcurementCsv => "procurement_csv",
            Format::Forwarded => "mail_forwarded",
            Format::ErpPrint => "pdf",
            Format::Marketplace => "mail_html",
        }
    }

    /// The families written from descriptions of real documents, by the
    /// layout name the truth and `bench accuracy --families` use. They are
    /// generated only when asked for (`corpus generate --families …`), so
    /// the default corpus of a seed stays the same.
    pub const DESCRIBED: [(&'static str, Format); 4] = [
        ("procurement-csv", Format::ProcurementCsv),
        ("forwarded", Format::Forwarded),
        ("erp-print", Format::ErpPrint),
        ("marketplace", Format::Marketplace),
    ];

    pub fn described(name: &str) -> Option<Format> {
        Self::DESCRIBED.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}

/// One order line as the customer writes it, and as it should be entered.
#[derive(Debug, Clone)]
pub struct CaseLine {
    pub product: Option<Product>,
    /// The customer's part number, when the customer uses one on this line.
    pub customer_part_no: Option<String>,
    /// The code printed (SKU, customer part number or an unknown code).
    pub code: Option<String>,
    pub description: String,
    pub quantity: Decimal,
    /// UN/ECE code of the ordered unit.
    pub unit: String,
    /// The price the customer states per ordered unit, if any.
    pub unit_price: Option<Decimal>,
    /// Our price per ordered unit, for the credit check.
    pub expected: Option<Decimal>,
    pub delivery_date: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub n: usize,
    pub format: Format,
    pub german: bool,
    pub kind: &'static str,
    pub customer: Option<Customer>,
    pub sender: String,
    pub sender_name: String,
    pub po_number: String,
    pub order_date: Date,
    pub requested: Option<Date>,
    pub currency: String,
    pub ship_to: Option<ShipToAddress>,
    /// Print the ship-to address (else the default applies).
    pub print_ship_to: bool,
    /// A delivery address that is none of the customer's.
    pub foreign_ship_to: bool,
    pub lines: Vec<CaseLine>,
    pub print_total: bool,
    pub expected_exceptions: Vec<String>,
}

impl Case {
    pub fn total(&self) -> Option<Decimal> {
        self.lines
            .iter()
            .map(|l| l.unit_price.map(|p| p * l.quantity))
            .sum::<Option<Decimal>>()
            .map(|t| t.round_dp(2))
    }

    pub fn truth(&self, file: &str, layout: &str) -> Truth {
        let clean = self.expected_exceptions.is_empty() && self.customer.is_some() && self.kind == "order";
        Truth {
            file: file.to_owned(),
            format: self.format.name().to_owned(),
            layout: layout.to_owned(),
            language: if self.german { "de" } else { "en" }.to_owned(),
            kind: self.kind.to_owned(),
            customer_no: self.customer.as_ref().map(|c| c.customer_no.as_str().to_owned()),
            po_number: Some(self.po_number.clone()),
            order_date: Some(self.order_date.to_string()),
            requested_delivery_date: self.requested.map(|d| d.to_string()),
            // An unknown sender's currency is only known where it is printed.
            currency: self.customer.as_ref().map(|_| self.currency.clone()),
            stated_total: if self.print_total {
                self.total().map(|t| t.normalize().to_string())
            } else {
                None
            },
            ship_to_address_id: if self.foreign_ship_to {
                None
            } else {
                self.ship_to.as_ref().map(|a| a.address_id.as_str().to_owned())
            },
            lines: self
                .lines
                .iter()
                .map(|l| TruthLine {
                    sku: l.product.as_ref().map(|p| p.sku.as_str().to_owned()),
                    quantity: l.quantity.normalize().to_string(),
                    uom: l.unit.clone(),
                    unit_price: l.unit_price.map(|p| p.normalize().to_string()),
                })
                .collect(),
            clean,
            expected_exceptions: self.expected_exceptions.clone(),
        }
    }
}

pub(crate) struct Planner<'a> {
    active: Vec<&'a Product>,
    items_of: HashMap<&'a str, Vec<&'a CustomerItem>>,
    addresses_of: HashMap<&'a str, Vec<&'a ShipToAddress>>,
    prices_of: HashMap<&'a str, Vec<PriceEntry>>,
    products: HashMap<&'a str, &'a Product>,
    customers: Vec<&'a Customer>,
}

const FIRST_DAY: (i16, i8, i8) = (2026, 10, 1);

fn typo(rng: &mut fastrand::Rng, text: &str) -> String {
    // One letter dropped or doubled inside the longest word.
    let words: Vec<&str> = text.split(' ').collect();
    let Some((i, w)) = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.chars().count() >= 7 && w.chars().all(char::is_alphabetic))
        .max_by_key(|(_, w)| w.len())
    else {
        return text.to_owned();
    };
    let chars: Vec<char> = w.chars().collect();
    let at = rng.usize(2..chars.len() - 2);
    let mut changed: String = chars[..at].iter().collect();
    if rng.bool() {
        changed.extend(&chars[at + 1..]);
    } else {
        changed.push(chars[at]);
        changed.extend(&chars[at..]);
    }
    let mut out = words.clone();
    out[i] = &changed;
    out.join(" ")
}

impl<'a> Planner<'a> {
    pub(crate) fn new(master: Master<'a>) -> Result<Self, CorpusError> {
        let active: Vec<&Product> = master.products.iter().filter(|p| p.active).collect();
        if active.is_empty() {
            return Err(CorpusError::Empty("active products"));
        }
        // Customers a sender address identifies: their first address is theirs alone.
        let mut owners: HashMap<&str, usize> = HashMap::new();
        for c in master.customers {
            for e in &c.emails {
                *owners.entry(e.as_str()).or_default() += 1;
            }
        }
        let customers: Vec<&Customer> = master
            .customers
            .iter()
            .filter(|c| c.currency.is_some() && c.price_list.is_some())
            .filter(|c| c.emails.first().is_some_and(|e| owners.get(e.as_str()) == Some(&1)))
            .collect();
        if customers.is_empty() {
            return Err(CorpusError::Empty(
                "customers with mail addresses, currency and price list",
            ));
        }
        let mut items_of: HashMap<&str, Vec<&CustomerItem>> = HashMap::new();
        for i in master.customer_items {
            if i.sku.is_some() {
                items_of.entry(i.customer_no.as_str()).or_default().push(i);
            }
        }
        let mut addresses_of: HashMap<&str, Vec<&ShipToAddress>> = HashMap::new();
        for a in master.addresses {
            addresses_of.entry(a.customer_no.as_str()).or_default().push(a);
        }
        let mut prices_of: HashMap<&str, Vec<PriceEntry>> = HashMap::new();
        for p in master.prices {
            prices_of.entry(p.sku.as_str()).or_default().push(p.clone());
        }
        let products = master.products.iter().map(|p| (p.sku.as_str(), p)).collect();
        Ok(Planner {
            active,
            items_of,
            addresses_of,
            prices_of,
            products,
            customers,
        })
    }

    fn format(rng: &mut fastrand::Rng) -> Format {
        match rng.u32(0..100) {
            0..14 => Format::MailTable,
            14..22 => Format::MailFreeForm,
            22..28 => Format::MailHtml,
            28..62 => Format::MailPdf(rng.u8(0..8)),
            62..70 => Format::MailXlsx,
            70..76 => Format::MailCsv,
            76..84 => Format::X12,
            84..92 => Format::Edifact,
            _ => Format::Ubl,
        }
    }

    pub(crate) fn case(&self, rng: &mut fastrand::Rng, n: usize) -> Case {
        let format = Self::format(rng);
        self.case_in(rng, n, format)
    }

    /// A case written in one of `formats`.
    pub(crate) fn case_of(&self, rng: &mut fastrand::Rng, n: usize, formats: &[Format]) -> Case {
        let format = formats[rng.usize(..formats.len())];
        self.case_in(rng, n, format)
    }

    fn case_in(&self, rng: &mut fastrand::Rng, n: usize, format: Format) -> Case {
        let structured = matches!(format, Format::X12 | Format::Edifact | Format::Ubl);
        let kind = match rng.u32(0..100) {
            // A marketplace notifies orders only.
            0..8 if !structured && format != Format::Marketplace => "rfq",
            _ => "order",
        };
        let unknown_customer = rng.u32(0..100) < 3;
        let customer = self.customers[rng.usize(0..self.customers.len())];
        let german = matches!(customer.language.as_deref(), Some("de"));
        let first = Date::new(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).unwrap_or_default();
        let order_date = first
            .checked_add(jiff::Span::new().days(rng.i64(0..50)))
            .unwrap_or(first);
        let po_number = match rng.u8(0..4) {
            0 => format!("45{:08}", rng.u32(0..100_000_000)),
            1 => format!("PO-{}-{:05}", order_date.year(), rng.u32(0..100_000)),
            2 => format!("B{:06}", rng.u32(0..1_000_000)),
            _ => format!("{}/{:04}", order_date.year() % 100, rng.u32(0..10_000)),
        };
        let addresses = self
            .addresses_of
            .get(customer.customer_no.as_str())
            .cloned()
            .unwrap_or_default();
        let default = addresses.iter().find(|a| a.is_default).copied();
        let mut expected_exceptions = Vec::new();
        // Problems only on some orders, one at a time, so each can be checked.
        let problem = if kind == "order" && !unknown_customer && rng.u32(0..100) < 15 {
            rng.u8(0..5)
        } else {
            u8::MAX
        };
        // Structured formats name their delivery address by id: no foreign one.
        let problem = if problem == 3 && structured { 2 } else { problem };
        let (ship_to, print_ship_to, foreign_ship_to) = if problem == 3 {
            expected_exceptions.push("unknown_ship_to".to_owned());
            (default.cloned(), true, true)
        } else if addresses.len() > 1 && rng.bool() {
            (Some(addresses[rng.usize(0..addresses.len())].clone()), true, false)
        } else {
            (default.cloned(), rng.u8(0..4) == 0, false)
        };
        let line_count = if matches!(format, Format::MailPdf(_)) && rng.u8(0..6) == 0 {
            rng.usize(26..60)
        } else {
            rng.usize(1..9)
        };
        let items = self
            .items_of
            .get(customer.customer_no.as_str())
            .cloned()
            .unwrap_or_default();
        let mut lines = Vec::new();
        let mut max_lead = 0;
        let mut used = Vec::new();
        for k in 0..line_count {
            let line = self.line(rng, customer, &items, order_date, format, &mut used);
            if let Some(p) = &line.product {
                max_lead = max_lead.max(p.lead_time_days.unwrap_or(0));
            }
            lines.push(line);
            let _ = k;
        }
        let requested = order_date
            .checked_add(jiff::Span::new().days(i64::from(max_lead) + rng.i64(1..20)))
            .ok();
        // A deliberate problem on one line.
        if problem <= 2 || problem == 4 {
            let i = rng.usize(0..lines.len());
            let l = &mut lines[i];
            match problem {
                0 if l.unit_price.is_some() => {
                    l.unit_price = l
                        .unit_price
                        .map(|p| (p * Decimal::new(115, 2)).round_dp(2) + Decimal::new(1, 2));
                    expected_exceptions.push("price_mismatch".to_owned());
                }
                1 if l.product.as_ref().is_some_and(|p| p.pack_size > Decimal::ONE) && l.customer_part_no.is_none() => {
                    l.quantity += Decimal::ONE;
                    expected_exceptions.push("pack_size".to_owned());
                }
                2 | 4 => {
                    l.product = None;
                    l.customer_part_no = None;
                    l.code = Some(format!("XZ-{:05}", rng.u32(0..100_000)));
                    l.description = if german {
                        "Sonderanfertigung laut Zeichnung"
                    } else {
                        "Custom part per drawing"
                    }
                    .into();
                    l.unit = "C62".into();
                    expected_exceptions.push("unknown_product".to_owned());
                }
                _ => {}
            }
        }
        let (sender, sender_name) = if unknown_customer {
            (
                format!("einkauf@unbekannt-{}.example", rng.u32(0..10_000)),
                "Neukunde".to_owned(),
            )
        } else {
            (customer.emails[0].clone(), contact_name(rng, german))
        };
        let mut case = Case {
            n,
            format,
            german,
            kind,
            customer: (!unknown_customer).then(|| customer.clone()),
            sender,
            sender_name,
            po_number,
            order_date,
            requested,
            currency: customer
                .currency
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_else(|| "EUR".into()),
            ship_to,
            print_ship_to: print_ship_to || structured && rng.bool(),
            foreign_ship_to,
            lines,
            print_total: rng.u8(0..3) > 0,
            expected_exceptions,
        };
        if unknown_customer {
            case.expected_exceptions.push("unknown_customer".into());
        } else {
            let value: Decimal = case
                .lines
                .iter()
                .filter(|l| l.product.is_some())
                .filter_map(|l| l.expected.map(|p| p * l.quantity))
                .sum();
            if customer.exceeds_credit_limit(value) {
                case.expected_exceptions.push("credit_limit".into());
            }
        }
        // A purchasing system's export has line values but no total row.
        if case.lines.iter().any(|l| l.unit_price.is_none()) || format == Format::ProcurementCsv {
            case.print_total = false;
        }
        case
    }

    fn line(
        &self,
        rng: &mut fastrand::Rng,
        customer: &Customer,
        items: &[&CustomerItem],
        order_date: Date,
        format: Format,
        used: &mut Vec<String>,
    ) -> CaseLine {
        let structured = matches!(format, Format::X12 | Format::Edifact | Format::Ubl);
        // A customer part number on a third of the lines of customers who have them.
        let (product, item) = loop {
            let candidate = if !items.is_empty() && rng.u8(0..3) == 0 {
                let item = items[rng.usize(0..items.len())];
                item.sku
                    .as_ref()
                    .and_then(|s| self.products.get(s.as_str()))
                    .filter(|p| p.active)
                    .map(|p| (*p, Some(item)))
            } else {
                Some((self.active[rng.usize(0..self.active.len())], None))
            };
            if let Some((p, item)) = candidate
                && !used.contains(&p.sku.as_str().to_owned())
            {
                used.push(p.sku.as_str().to_owned());
                break (p, item);
            }
        };
        let german = matches!(customer.language.as_deref(), Some("de"));
        let factor = item.and_then(|i| i.factor.zip(i.customer_uom));
        let (unit, factor) = match factor {
            Some((f, u)) => (u.as_str().to_owned(), f),
            None => (product.base_unit.as_str().to_owned(), Decimal::ONE),
        };
        // Quantities the product can be ordered in: packs, at least the minimum.
        let base_step = if factor == Decimal::ONE {
            product.pack_size.max(Decimal::ONE)
        } else {
            Decimal::ONE
        };
        let min_packs = if factor == Decimal::ONE {
            (product.min_order_qty / base_step).ceil().max(Decimal::ONE)
        } else {
            (product.min_order_qty / factor).ceil().max(Decimal::ONE)
        };
        let quantity = base_step * (min_packs + Decimal::from(rng.u32(0..8)));
        let base_quantity = quantity * factor;
        let price = expected_price(
            self.prices_of.get(product.sku.as_str()).map_or(&[][..], Vec::as_slice),
            &customer.customer_no,
            customer.price_list.as_ref(),
            &product.sku,
            base_quantity,
            order_date,
        )
        .map(|e| (e.entry.unit_price * factor).round_dp(4));
        let unit_price = if structured || rng.u8(0..10) < 7 { price } else { None };
        let mut description = if german || rng.u8(0..4) == 0 {
            product.name.clone()
        } else {
            product.description.clone().unwrap_or_else(|| product.name.clone())
        };
        // Noise: typos, and some lines that give only a description.
        let description_only = !structured && item.is_none() && rng.u8(0..100) < 4;
        if rng.u8(0..10) == 0 || description_only {
            description = typo(rng, &description);
        }
        let code = if description_only {
            None
        } else if let Some(i) = item {
            Some(i.customer_part_no.as_str().to_owned())
        } else {
            Some(product.sku.as_str().to_owned())
        };
        CaseLine {
            product: Some(product.clone()),
            customer_part_no: item.map(|i| i.customer_part_no.as_str().to_owned()),
            code,
            description,
            quantity,
            unit,
            unit_price,
            expected: price,
            delivery_date: None,
        }
    }
}

fn contact_name(rng: &mut fastrand::Rng, german: bool) -> String {
    let de = [
        "Jürgen Müller",
        "Sabine Köhler",
        "Thomas Weiß",
        "Anja Schäfer",
        "Martin Groß",
    ];
    let en = [
        "John Miller",
        "Sarah Connor",
        "Peter Walsh",
        "Linda Brooks",
        "Mark Evans",
    ];
    let list = if german { &de } else { &en };
    list[rng.usize(0..list.len())].to_owned()
}

//! Tryton over JSON-RPC (docs/erp.md, "Tryton"): a confirmed order becomes a
//! `sale.sale`, and products, parties with addresses, stock and the state of
//! our sales come back.
//!
//! Exactly once: every sale we create carries `[orderdesk-order-<id>]` and
//! the order version in its comment, and a push looks the key up before it
//! creates anything. A push that died after the create (the answer lost, the
//! process killed) finds the sale on the next attempt and only finishes its
//! workflow. Every workflow call is followed by reading the state back: a
//! `confirm` can answer success and leave the sale unconfirmed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::{ErpError, ErpLine, ErpOrder, PushAction, Receipt};

/// How far the workflow takes a pushed sale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SaleState {
    /// Created, for a person in the ERP to quote and confirm.
    Draft,
    /// Quoted (numbered) in the ERP.
    Quotation,
    /// Confirmed: the ERP processes it (shipment, invoice).
    #[default]
    Confirmed,
}

impl SaleState {
    pub fn as_str(self) -> &'static str {
        match self {
            SaleState::Draft => "draft",
            SaleState::Quotation => "quotation",
            SaleState::Confirmed => "confirmed",
        }
    }

    pub fn parse(text: &str) -> Option<SaleState> {
        match text {
            "draft" => Some(SaleState::Draft),
            "quotation" => Some(SaleState::Quotation),
            "confirmed" => Some(SaleState::Confirmed),
            _ => None,
        }
    }
}

/// The connection to one Tryton database.
#[derive(Debug, Clone)]
pub struct Tryton {
    /// The server, e.g. `http://127.0.0.1:8000` (without the database).
    pub url: String,
    pub database: String,
    pub user: String,
    pub password: String,
    /// Where the workflow leaves a pushed sale.
    pub sale_state: SaleState,
    pub timeout: Duration,
    session: Arc<tokio::sync::Mutex<Option<Session>>>,
    /// One client (and its connection pool) for every call.
    client: Arc<std::sync::OnceLock<reqwest::Client>>,
    /// Products and party addresses looked up lately, shared by concurrent pushes.
    recent: Arc<std::sync::Mutex<Recent>>,
}

/// What a push looked up, kept for [`RECENT_SECONDS`]: the next order of
/// the same customer or product needs no lookup. A sale Tryton refuses is
/// tried once more with everything looked up afresh.
#[derive(Debug, Default)]
struct Recent {
    /// Product code → (product id, sale unit id, its symbol).
    products: HashMap<String, (Instant, (i64, i64, String))>,
    /// Customer number → the party's addresses.
    addresses: HashMap<String, (Instant, Vec<Value>)>,
}

const RECENT_SECONDS: u64 = 60;

fn fresh(at: &Instant) -> bool {
    at.elapsed() < Duration::from_secs(RECENT_SECONDS)
}

#[derive(Debug, Clone)]
struct Session {
    authorization: String,
    /// The context every model call ends with (company, language).
    context: Value,
    company_currency: Option<String>,
    /// The company's own party: not a customer.
    company_party: Option<i64>,
    /// Currencies by ISO code and units by symbol: read once per session.
    currencies: HashMap<String, i64>,
    units: BTreeMap<String, i64>,
}

/// Why one call failed.
enum CallError {
    /// The session is unknown or expired: log in again.
    Unauthorized,
    Erp(ErpError),
}

impl From<ErpError> for CallError {
    fn from(e: ErpError) -> Self {
        CallError::Erp(e)
    }
}

/// The comment key of an order: found by `ilike`, so bracketed to keep
/// order 12 from matching order 123.
fn comment_key(order_id: i64) -> String {
    format!("[orderdesk-order-{order_id}]")
}

/// The order id in a sale's comment, if we created the sale.
pub fn order_id_in_comment(comment: &str) -> Option<i64> {
    let start = comment.find("[orderdesk-order-")? + "[orderdesk-order-".len();
    let rest = &comment[start..];
    let end = rest.find(']')?;
    rest[..end].parse().ok()
}

/// The order version written in a sale's comment.
fn version_in_comment(comment: &str) -> Option<i64> {
    let start = comment.find("version ")? + "version ".len();
    comment[start..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// A Tryton unit symbol for a UN/ECE Rec. 20 code (Tryton's standard units).
pub fn tryton_unit(rec20: &str) -> Option<&'static str> {
    UNITS.iter().find(|(code, _)| *code == rec20).map(|(_, symbol)| *symbol)
}

/// The UN/ECE Rec. 20 code of a Tryton unit symbol.
pub fn rec20_unit(symbol: &str) -> Option<&'static str> {
    UNITS.iter().find(|(_, s)| *s == symbol).map(|(code, _)| *code)
}

/// Rec. 20 code ↔ the symbol of Tryton's unit (first pair wins backwards).
const UNITS: &[(&str, &str)] = &[
    ("C62", "u"),
    ("H87", "u"),
    ("EA", "u"),
    ("KGM", "kg"),
    ("GRM", "g"),
    ("LBR", "lb"),
    ("ONZ", "oz"),
    ("MTR", "m"),
    ("CMT", "cm"),
    ("MMT", "mm"),
    ("KMT", "km"),
    ("FOT", "ft"),
    ("INH", "in"),
    ("YRD", "yd"),
    ("LTR", "l"),
    ("MTK", "m²"),
    ("MTQ", "m³"),
    ("CMQ", "cm³"),
    ("GLL", "gal"),
    ("HUR", "h"),
    ("DAY", "d"),
    ("MIN", "min"),
    ("SEC", "s"),
    ("KWH", "kW⋅h"),
];

fn decimal(text: &str) -> Value {
    json!({"__class__": "Decimal", "decimal": text})
}

/// A Tryton date from ISO `YYYY-MM-DD`.
fn date(iso: &str) -> Option<Value> {
    let d: jiff::civil::Date = iso.parse().ok()?;
    Some(json!({"__class__": "date", "year": d.year(), "month": d.month(), "day": d.day()}))
}

/// A point in Tryton's time (naive UTC), as sortable ISO text
/// `2026-11-30T05:46:05.649184`; the cursor of an incremental pull.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ErpTime(pub String);

impl ErpTime {
    fn from_value(v: &Value) -> Option<ErpTime> {
        let n = |k: &str| v.get(k).and_then(Value::as_i64);
        Some(ErpTime(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
            n("year")?,
            n("month")?,
            n("day")?,
            n("hour")?,
            n("minute")?,
            n("second")?,
            n("microsecond").unwrap_or(0)
        )))
    }

    /// The cursor a little earlier: a change written in a transaction that
    /// began before the last pull but ended after it carries an older time.
    /// Reading a change twice is harmless; missing one is not.
    fn overlapped(&self) -> Option<Value> {
        let dt: jiff::civil::DateTime = self.0.parse().ok()?;
        ErpTime(
            dt.checked_sub(jiff::SignedDuration::from_secs(OVERLAP_SECONDS))
                .ok()?
                .to_string(),
        )
        .to_value()
    }

    fn to_value(&self) -> Option<Value> {
        let dt: jiff::civil::DateTime = self.0.parse().ok()?;
        Some(json!({
            "__class__": "datetime",
            "year": dt.year(), "month": dt.month(), "day": dt.day(),
            "hour": dt.hour(), "minute": dt.minute(), "second": dt.second(),
            "microsecond": dt.subsec_nanosecond() / 1000,
        }))
    }
}

/// A decimal as Tryton sends it (`{"__class__":"Decimal",…}`, a number or text).
fn decimal_text(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.get("decimal").and_then(Value::as_str).map(str::to_owned),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn id(v: &Value) -> Option<i64> {
    v.get("id").and_then(Value::as_i64)
}

/// Booleans come back as `true`/`false` or, on SQLite, as `1`/`0`.
fn flag(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0) != 0,
        _ => false,
    }
}

/// A sale we made, as found in the ERP.
#[derive(Debug, Clone)]
struct FoundSale {
    id: i64,
    number: Option<String>,
    state: String,
    version: Option<i64>,
}

/// What pulling brings back; each list is what changed since the cursor.
#[derive(Debug, Clone, Default)]
pub struct Pulled {
    pub products: Vec<PulledProduct>,
    pub parties: Vec<PulledParty>,
    pub stock: Vec<PulledStock>,
    pub sales: Vec<PulledSale>,
    /// Where the next pull starts.
    pub cursor: PullCursor,
}

/// The newest change seen per kind; `None`: everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PullCursor {
    pub products: Option<ErpTime>,
    pub parties: Option<ErpTime>,
    pub stock: Option<ErpTime>,
    pub sales: Option<ErpTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PulledProduct {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// Tryton's unit symbol (`u`, `kg` …); see [`rec20_unit`].
    pub unit: String,
    pub list_price: Option<String>,
    pub currency: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PulledParty {
    pub code: String,
    pub name: String,
    pub emails: Vec<String>,
    pub active: bool,
    pub addresses: Vec<PulledAddress>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PulledAddress {
    /// Tryton's address id.
    pub id: i64,
    pub name: Option<String>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub invoice: bool,
    pub delivery: bool,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PulledStock {
    pub code: String,
    /// The warehouse's code (`WH`).
    pub warehouse: String,
    pub quantity: String,
    /// Quantity minus what is planned to leave and arrive: never above quantity when goods are promised.
    pub forecast_quantity: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PulledSale {
    pub order_id: i64,
    pub number: Option<String>,
    /// Tryton's state: draft, quotation, confirmed, processing, done, cancelled.
    pub state: String,
    /// none, waiting, partially shipped, sent, exception.
    pub shipment_state: Option<String>,
}

/// How far back each incremental pull looks again: longer than any
/// transaction in the ERP is expected to run.
const OVERLAP_SECONDS: i64 = 60;

/// Records are read this many at a time.
const PAGE: usize = 1000;

impl Tryton {
    pub fn new(
        url: impl Into<String>,
        database: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<String>,
        sale_state: SaleState,
        timeout: Duration,
    ) -> Tryton {
        Tryton {
            url: url.into().trim_end_matches('/').to_owned(),
            database: database.into(),
            user: user.into(),
            password: password.into(),
            sale_state,
            timeout,
            session: Arc::default(),
            client: Arc::default(),
            recent: Arc::default(),
        }
    }

    fn client(&self) -> Result<reqwest::Client, ErpError> {
        if let Some(client) = self.client.get() {
            return Ok(client.clone());
        }
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| ErpError::Refused(format!("the HTTP client cannot start: {e}")))?;
        Ok(self.client.get_or_init(|| client).clone())
    }

    fn where_(&self) -> String {
        format!("Tryton {} database {}", self.url, self.database)
    }

    /// One JSON-RPC request; the answer's `result`.
    async fn post(&self, path: &str, method: &str, params: Value, auth: Option<&str>) -> Result<Value, CallError> {
        let url = format!("{}/{path}", self.url);
        let mut request = self
            .client()?
            .post(&url)
            .header("Content-Type", "application/json")
            .body(json!({"id": fastrand::u32(..), "method": method, "params": params}).to_string());
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ErpError::Retry(format!("{}: {method}: {e}", self.where_())))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(CallError::Unauthorized);
        }
        let body = response
            .text()
            .await
            .map_err(|e| ErpError::Retry(format!("{}: {method}: the answer broke off: {e}", self.where_())))?;
        if !status.is_success() {
            let said: String = body.chars().take(200).collect();
            let message = format!("{}: {method} answered {status}: {said}", self.where_());
            return Err(CallError::Erp(
                if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
                    ErpError::Retry(message)
                } else {
                    ErpError::Refused(message)
                },
            ));
        }
        let answer: Value = serde_json::from_str(&body)
            .map_err(|e| ErpError::Retry(format!("{}: {method}: the answer is not JSON ({e})", self.where_())))?;
        match answer.get("error") {
            Some(error) if !error.is_null() => Err(CallError::Erp(self.rpc_error(method, error))),
            _ => Ok(answer.get("result").cloned().unwrap_or(Value::Null)),
        }
    }

    /// Business errors will fail again; anything else (a lock, a conflict) may pass later.
    fn rpc_error(&self, method: &str, error: &Value) -> ErpError {
        let kind = error.get(0).and_then(Value::as_str).unwrap_or("error");
        let detail = error.get(1);
        let message = match detail {
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(": "),
            Some(Value::String(s)) => s.lines().last().unwrap_or("").to_owned(),
            _ => String::new(),
        };
        let text = format!("{}: {method}: {kind}: {message}", self.where_());
        match kind {
            "UserError" | "UserWarning" | "AccessError" | "LoginException" | "RateLimitException" => {
                ErpError::Refused(text)
            }
            _ => ErpError::Retry(text),
        }
    }

    async fn login(&self) -> Result<Session, ErpError> {
        let path = format!("{}/rpc/", self.database);
        let result = match self
            .post(
                &path,
                "common.db.login",
                json!([self.user, {"password": self.password}, "en"]),
                None,
            )
            .await
        {
            Ok(r) => r,
            Err(CallError::Unauthorized) => {
                return Err(ErpError::Refused(format!(
                    "{}: user {} could not log in (wrong user name or password)",
                    self.where_(),
                    self.user
                )));
            }
            Err(CallError::Erp(e)) => return Err(e),
        };
        let user_id = result.get(0).and_then(Value::as_i64);
        let token = result.get(1).and_then(Value::as_str);
        let (Some(user_id), Some(token)) = (user_id, token) else {
            return Err(ErpError::Refused(format!(
                "{}: the login answer is not understood: {result}",
                self.where_()
            )));
        };
        let authorization = format!(
            "Session {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{user_id}:{token}", self.user))
        );
        let preferences = self
            .post(
                &path,
                "model.res.user.get_preferences",
                json!([true, {}]),
                Some(&authorization),
            )
            .await
            .map_err(|e| match e {
                CallError::Unauthorized => ErpError::Retry(format!("{}: the new session was refused", self.where_())),
                CallError::Erp(e) => e,
            })?;
        let Some(company) = preferences.get("company").and_then(Value::as_i64) else {
            return Err(ErpError::Refused(format!(
                "{}: user {} has no company; set one in Tryton (User > Preferences)",
                self.where_(),
                self.user
            )));
        };
        let context = json!({"company": company, "language": "en"});
        let company_row = self
            .post(
                &path,
                "model.company.company.read",
                json!([[company], ["currency.code", "party"], context.clone()]),
                Some(&authorization),
            )
            .await
            .ok()
            .and_then(|r| r.get(0).cloned())
            .unwrap_or(Value::Null);
        Ok(Session {
            currencies: self
                .lookup(&path, &authorization, &context, "currency.currency", "code")
                .await?
                .into_iter()
                .collect(),
            units: self
                .lookup(&path, &authorization, &context, "product.uom", "symbol")
                .await?
                .into_iter()
                .collect(),
            authorization,
            context,
            company_currency: company_row.get("currency.").and_then(|c| text(c, "code")),
            company_party: company_row.get("party").and_then(Value::as_i64),
        })
    }

    /// Every record of a small model as (key, id), for a new session.
    async fn lookup(
        &self,
        path: &str,
        authorization: &str,
        context: &Value,
        model: &str,
        key: &str,
    ) -> Result<Vec<(String, i64)>, ErpError> {
        let rows = self
            .post(
                path,
                &format!("model.{model}.search_read"),
                json!([[], 0, null, null, [key], context]),
                Some(authorization),
            )
            .await
            .map_err(|e| match e {
                CallError::Unauthorized => ErpError::Retry(format!("{}: the new session was refused", self.where_())),
                CallError::Erp(e) => e,
            })?;
        Ok(rows
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((text(r, key)?, id(r)?)))
            .collect())
    }

    async fn session(&self) -> Result<Session, ErpError> {
        let mut guard = self.session.lock().await;
        if let Some(session) = guard.as_ref() {
            return Ok(session.clone());
        }
        let session = self.login().await?;
        *guard = Some(session.clone());
        Ok(session)
    }

    /// Any model or wizard call (`model.sale.sale.read`, …) with the session's
    /// context added as the last parameter; for setting up and checking a Tryton.
    pub async fn rpc(&self, method: &str, params: Vec<Value>) -> Result<Value, ErpError> {
        self.call(method, params).await
    }

    /// A model or wizard call; the context is added as the last parameter.
    async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, ErpError> {
        self.call_in(method, params, None).await
    }

    /// A call with extra context entries (`locations`, `active_test`).
    async fn call_in(&self, method: &str, params: Vec<Value>, extra: Option<&Value>) -> Result<Value, ErpError> {
        let path = format!("{}/rpc/", self.database);
        for attempt in 0..2 {
            let session = self.session().await?;
            let mut context = session.context.clone();
            if let (Some(Value::Object(extra)), Value::Object(c)) = (extra, &mut context) {
                c.extend(extra.clone());
            }
            let mut all = params.clone();
            all.push(context);
            match self
                .post(&path, method, Value::Array(all), Some(&session.authorization))
                .await
            {
                Ok(v) => return Ok(v),
                Err(CallError::Unauthorized) if attempt == 0 => {
                    // The session expired (or the server restarted): log in once more.
                    *self.session.lock().await = None;
                }
                Err(CallError::Unauthorized) => {
                    return Err(ErpError::Refused(format!(
                        "{}: {method}: the session was refused twice",
                        self.where_()
                    )));
                }
                Err(CallError::Erp(e)) => return Err(e),
            }
        }
        unreachable!("the loop returns on its second attempt")
    }

    async fn search_read(
        &self,
        model: &str,
        domain: Value,
        offset: usize,
        limit: Option<usize>,
        fields: &[&str],
        extra: Option<&Value>,
    ) -> Result<Vec<Value>, ErpError> {
        let result = self
            .call_in(
                &format!("model.{model}.search_read"),
                vec![
                    domain,
                    json!(offset),
                    json!(limit),
                    json!([["id", "ASC"]]),
                    json!(fields),
                ],
                extra,
            )
            .await?;
        match result {
            Value::Array(rows) => Ok(rows),
            other => Err(ErpError::Retry(format!(
                "{}: {model}.search_read answered {other}",
                self.where_()
            ))),
        }
    }

    /// Every record of `domain`, a page at a time.
    async fn search_read_all(
        &self,
        model: &str,
        domain: Value,
        fields: &[&str],
        extra: Option<&Value>,
    ) -> Result<Vec<Value>, ErpError> {
        let mut out = Vec::new();
        loop {
            let page = self
                .search_read(model, domain.clone(), out.len(), Some(PAGE), fields, extra)
                .await?;
            let done = page.len() < PAGE;
            out.extend(page);
            if done {
                return Ok(out);
            }
        }
    }

    /// The most recently changed record of a model, with `last_modified_at` and `message`.
    async fn newest_record(&self, model: &str) -> Result<Option<Value>, ErpError> {
        let fields: &[&str] = if model == "ir.error" {
            &["message", "last_modified_at"]
        } else {
            &["last_modified_at"]
        };
        let rows = self
            .call(
                &format!("model.{model}.search_read"),
                vec![json!([]), json!(0), json!(1), json!([["id", "DESC"]]), json!(fields)],
            )
            .await?;
        Ok(rows.get(0).cloned())
    }

    async fn ids(&self, model: &str, domain: Value) -> Result<Vec<i64>, ErpError> {
        let result = self
            .call(
                &format!("model.{model}.search"),
                vec![domain, json!(0), Value::Null, json!([["id", "ASC"]])],
            )
            .await?;
        Ok(result
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default())
    }

    /// The server's clock (its HTTP `Date`), in the ERP's time, if it says.
    async fn server_time(&self) -> Option<ErpTime> {
        let response = self
            .client()
            .ok()?
            .post(format!("{}/rpc/", self.url))
            .header("Content-Type", "application/json")
            .body(r#"{"id":0,"method":"common.server.version","params":[]}"#)
            .send()
            .await
            .ok()?;
        let date = response.headers().get("date")?.to_str().ok()?;
        let at = jiff::fmt::rfc2822::parse(date).ok()?;
        let utc = at.with_time_zone(jiff::tz::TimeZone::UTC).datetime();
        Some(ErpTime(format!("{}.000000", utc.strftime("%Y-%m-%dT%H:%M:%S"))))
    }

    /// Checks the connection and the login; says what answered.
    pub async fn test(&self) -> Result<String, ErpError> {
        *self.session.lock().await = None;
        let version = self
            .post("rpc/", "common.server.version", json!([]), None)
            .await
            .map_err(|e| match e {
                CallError::Unauthorized => ErpError::Refused(format!("{}: the server refused", self.where_())),
                CallError::Erp(e) => e,
            })?;
        let session = self.session().await?;
        Ok(format!(
            "Tryton {} at {}, database {}, logged in as {} (company currency {})",
            version.as_str().unwrap_or("?"),
            self.url,
            self.database,
            self.user,
            session.company_currency.as_deref().unwrap_or("unknown")
        ))
    }

    async fn find_sale(&self, order_id: i64) -> Result<Option<FoundSale>, ErpError> {
        let rows = self
            .search_read(
                "sale.sale",
                json!([["comment", "ilike", format!("%{}%", comment_key(order_id))]]),
                0,
                Some(2),
                &["number", "state", "comment"],
                None,
            )
            .await?;
        Ok(rows.first().and_then(|row| {
            Some(FoundSale {
                id: id(row)?,
                number: text(row, "number"),
                state: text(row, "state").unwrap_or_default(),
                version: text(row, "comment").as_deref().and_then(version_in_comment),
            })
        }))
    }

    async fn read_sale(&self, sale_id: i64) -> Result<FoundSale, ErpError> {
        let rows = self
            .call(
                "model.sale.sale.read",
                vec![json!([sale_id]), json!(["number", "state", "comment"])],
            )
            .await?;
        let row = rows.get(0).cloned().unwrap_or(Value::Null);
        Ok(FoundSale {
            id: sale_id,
            number: text(&row, "number"),
            state: text(&row, "state").unwrap_or_default(),
            version: text(&row, "comment").as_deref().and_then(version_in_comment),
        })
    }

    /// Presses a sale's button and reads the state back.
    async fn press(&self, sale_id: i64, button: &str) -> Result<FoundSale, ErpError> {
        self.call(&format!("model.sale.sale.{button}"), vec![json!([sale_id])])
            .await?;
        self.read_sale(sale_id).await
    }

    /// Takes the sale as far as the setting says, checking the state after each step.
    async fn advance(&self, mut sale: FoundSale) -> Result<FoundSale, ErpError> {
        let want = self.sale_state;
        if want != SaleState::Draft && sale.state == "draft" {
            sale = self.press(sale.id, "quote").await?;
            if sale.state != "quotation" {
                return Err(self.stuck(&sale, "quote", "quotation").await);
            }
        }
        if want == SaleState::Confirmed && sale.state == "quotation" {
            sale = self.press(sale.id, "confirm").await?;
        }
        if want == SaleState::Confirmed && sale.state == "confirmed" {
            // Confirming queues the processing; with no queue worker it runs
            // at once, and when it fails the sale stays confirmed.
            sale = self.press(sale.id, "process").await?;
            if sale.state == "confirmed" {
                return Err(self.stuck(&sale, "confirm", "processing").await);
            }
        }
        Ok(sale)
    }

    /// The error for a sale the workflow left behind, with the ERP's reason when it logged one.
    async fn stuck(&self, sale: &FoundSale, step: &str, wanted: &str) -> ErpError {
        let reason = self
            .newest_record("ir.error")
            .await
            .ok()
            .flatten()
            .and_then(|r| text(&r, "message"));
        ErpError::Refused(format!(
            "{}: sale {} is {} after {step}, not {wanted}{}",
            self.where_(),
            sale.number.clone().unwrap_or_else(|| format!("id {}", sale.id)),
            sale.state,
            reason.map(|r| format!(" ({r})")).unwrap_or_default()
        ))
    }

    /// Creates (or finds) the order's sale, or updates it while it is a draft or quotation.
    pub async fn push(&self, order: &ErpOrder) -> Result<Receipt, ErpError> {
        let found = self.find_sale(order.order_id).await?;
        if order.action == PushAction::Cancel {
            return self.cancel_sale(found, order).await;
        }
        let (sale, already_there) = match found {
            None => {
                let id = self.create_sale(order).await?;
                let created = FoundSale {
                    id,
                    number: None,
                    state: "draft".into(),
                    version: Some(order.version),
                };
                (created, false)
            }
            Some(sale) if sale.version.unwrap_or(1) >= order.version => (sale, true),
            // A newer version than the ERP holds, whichever push carries it
            // (a create queued before an amendment delivers the amended order).
            Some(sale) => (self.amend_sale(sale, order).await?, false),
        };
        let sale = self.advance(sale).await?;
        Ok(Receipt {
            reference: format!("sale {}", sale.number.unwrap_or_else(|| format!("id {}", sale.id))),
            already_there,
        })
    }

    /// Cancels the order's sale: Tryton cancels a sale in draft or quotation;
    /// one confirmed or further on is refused with its state (its shipment and
    /// invoice are for a person in Tryton). No sale at all is nothing to cancel.
    async fn cancel_sale(&self, found: Option<FoundSale>, order: &ErpOrder) -> Result<Receipt, ErpError> {
        let Some(mut sale) = found else {
            return Ok(Receipt {
                reference: "no sale to cancel".into(),
                already_there: true,
            });
        };
        let reference = |sale: &FoundSale| {
            format!(
                "sale {}",
                sale.number.clone().unwrap_or_else(|| format!("id {}", sale.id))
            )
        };
        match sale.state.as_str() {
            "cancelled" => {
                return Ok(Receipt {
                    reference: reference(&sale),
                    already_there: true,
                });
            }
            "draft" | "quotation" => {
                sale = self.press(sale.id, "cancel").await?;
                if sale.state != "cancelled" {
                    return Err(self.stuck(&sale, "cancel", "cancelled").await);
                }
            }
            state => {
                return Err(ErpError::Refused(format!(
                    "{}: order {} was cancelled, but its {} is {state}: Tryton cancels only a sale in draft or \
                     quotation; cancel its shipment and invoice in Tryton",
                    self.where_(),
                    order.order_id,
                    reference(&sale)
                )));
            }
        }
        Ok(Receipt {
            reference: reference(&sale),
            already_there: false,
        })
    }

    async fn amend_sale(&self, mut sale: FoundSale, order: &ErpOrder) -> Result<FoundSale, ErpError> {
        if sale.state == "quotation" {
            sale = self.press(sale.id, "draft").await?;
        }
        if sale.state != "draft" {
            return Err(ErpError::Refused(format!(
                "{}: sale {} is {}, so version {} of order {} cannot change it; change the sale in Tryton",
                self.where_(),
                sale.number.clone().unwrap_or_else(|| format!("id {}", sale.id)),
                sale.state,
                order.version,
                order.order_id
            )));
        }
        let mut values = self.sale_values(order).await?;
        let old_lines = self
            .call("model.sale.sale.read", vec![json!([sale.id]), json!(["lines"])])
            .await?
            .get(0)
            .and_then(|r| r.get("lines").cloned())
            .unwrap_or(json!([]));
        if let Some(Value::Array(ops)) = values.get_mut("lines") {
            ops.insert(0, json!(["delete", old_lines]));
        }
        self.call("model.sale.sale.write", vec![json!([sale.id]), values])
            .await?;
        self.read_sale(sale.id).await
    }

    async fn create_sale(&self, order: &ErpOrder) -> Result<i64, ErpError> {
        let values = self.sale_values(order).await?;
        let created = match self.call("model.sale.sale.create", vec![json!([values])]).await {
            Err(ErpError::Refused(_)) if self.forget_recent() => {
                // Perhaps something looked up lately changed in Tryton: once more, afresh.
                let values = self.sale_values(order).await?;
                self.call("model.sale.sale.create", vec![json!([values])]).await?
            }
            other => other?,
        };
        created
            .get(0)
            .and_then(Value::as_i64)
            .ok_or_else(|| ErpError::Retry(format!("{}: sale.sale.create answered {created}", self.where_())))
    }

    /// Forgets what was looked up lately; `true` if there was anything.
    fn forget_recent(&self) -> bool {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let had = !recent.products.is_empty() || !recent.addresses.is_empty();
        *recent = Recent::default();
        had
    }

    /// The sale's values: party, addresses, currency, reference, key and lines.
    async fn sale_values(&self, order: &ErpOrder) -> Result<Value, ErpError> {
        let Some(customer_no) = order.customer_no.as_deref() else {
            return Err(ErpError::Refused(format!(
                "order {} has no customer; Tryton needs a party",
                order.order_id
            )));
        };
        // The party's addresses in one call; the party itself only when it has none.
        let known = {
            let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            recent
                .addresses
                .get(customer_no)
                .filter(|(at, _)| fresh(at))
                .map(|(_, a)| a.clone())
        };
        let addresses = match known {
            Some(addresses) => addresses,
            None => {
                let addresses = self
                    .search_read(
                        "party.address",
                        json!([["party.code", "=", customer_no]]),
                        0,
                        None,
                        &["party", "street", "postal_code", "city", "invoice", "delivery"],
                        None,
                    )
                    .await?;
                if !addresses.is_empty() {
                    self.recent
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .addresses
                        .insert(customer_no.to_owned(), (Instant::now(), addresses.clone()));
                }
                addresses
            }
        };
        let party = match addresses.first().and_then(|a| a.get("party")).and_then(Value::as_i64) {
            Some(party) => party,
            None => self
                .ids("party.party", json!([["code", "=", customer_no]]))
                .await?
                .first()
                .copied()
                .ok_or_else(|| {
                    ErpError::Refused(format!(
                        "{}: customer {customer_no} is not a party there (no party with code {customer_no})",
                        self.where_()
                    ))
                })?,
        };
        let invoice_address = addresses
            .iter()
            .find(|a| flag(a, "invoice"))
            .or(addresses.first())
            .and_then(id);
        let Some(invoice_address) = invoice_address else {
            return Err(ErpError::Refused(format!(
                "{}: party {customer_no} has no address to invoice to",
                self.where_()
            )));
        };
        let shipment_address = self
            .shipment_address(party, &addresses, order)
            .await?
            .unwrap_or(invoice_address);
        let currency_code = order.currency.as_deref().unwrap_or("EUR");
        let currency = self
            .session()
            .await?
            .currencies
            .get(currency_code)
            .copied()
            .ok_or_else(|| {
                ErpError::Refused(format!(
                    "{}: currency {currency_code} is not set up there",
                    self.where_()
                ))
            })?;
        let lines = self.sale_lines(&order.lines).await?;
        let mut values = json!({
            "party": party,
            "invoice_address": invoice_address,
            "shipment_address": shipment_address,
            "currency": currency,
            "reference": order.po_number.clone().unwrap_or_default(),
            "description": format!("Orderdesk order {}", order.order_id),
            "comment": format!(
                "Orderdesk order {} {} version {}",
                order.order_id,
                comment_key(order.order_id),
                order.version
            ),
            "lines": [["create", lines]],
        });
        if let Some(d) = order.order_date.as_deref().and_then(date) {
            values["sale_date"] = d;
        }
        if let Some(d) = order.requested_delivery_date.as_deref().and_then(date) {
            values["shipping_date"] = d;
        }
        Ok(values)
    }

    /// The party's address that matches the order's ship-to (street and
    /// postal code), else a new delivery address on the party.
    async fn shipment_address(
        &self,
        party: i64,
        addresses: &[Value],
        order: &ErpOrder,
    ) -> Result<Option<i64>, ErpError> {
        let Some(ship_to) = &order.ship_to else {
            return Ok(addresses.iter().find(|a| flag(a, "delivery")).and_then(id));
        };
        let squash = |s: Option<String>| {
            s.unwrap_or_default()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        };
        let (street, zip) = (squash(ship_to.street.clone()), squash(ship_to.zip.clone()));
        if street.is_empty() && zip.is_empty() {
            return Ok(addresses.iter().find(|a| flag(a, "delivery")).and_then(id));
        }
        if let Some(found) = addresses
            .iter()
            .find(|a| squash(text(a, "street")) == street && squash(text(a, "postal_code")) == zip)
        {
            return Ok(id(found));
        }
        let mut values = json!({
            "party": party,
            "street_unstructured": ship_to.street.clone().unwrap_or_default(),
            "postal_code": ship_to.zip.clone().unwrap_or_default(),
            "city": ship_to.city.clone().unwrap_or_default(),
            "delivery": true,
            "invoice": false,
        });
        if let Some(name) = &ship_to.name {
            values["party_name"] = json!(name);
        }
        if let Some(country) = &ship_to.country
            && let Some(c) = self
                .ids("country.country", json!([["code", "=", country]]))
                .await?
                .first()
        {
            values["country"] = json!(c);
        }
        let created = self.call("model.party.address.create", vec![json!([values])]).await?;
        if let Some(customer_no) = &order.customer_no {
            // The party has an address more now.
            self.recent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .addresses
                .remove(customer_no);
        }
        Ok(created.get(0).and_then(Value::as_i64))
    }

    async fn sale_lines(&self, lines: &[ErpLine]) -> Result<Vec<Value>, ErpError> {
        let mut products: HashMap<String, (i64, i64, String)> = HashMap::new();
        let mut missing: Vec<&str> = Vec::new();
        {
            let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            for code in lines.iter().filter_map(|l| l.sku.as_deref()) {
                match recent.products.get(code) {
                    Some((at, product)) if fresh(at) => {
                        products.insert(code.to_owned(), product.clone());
                    }
                    _ => missing.push(code),
                }
            }
        }
        if !missing.is_empty() {
            let found: Vec<(String, (i64, i64, String))> = self
                .search_read(
                    "product.product",
                    json!([["code", "in", missing]]),
                    0,
                    None,
                    &["code", "sale_uom", "sale_uom.symbol"],
                    None,
                )
                .await?
                .iter()
                .filter_map(|p| {
                    let uom = p.get("sale_uom").and_then(Value::as_i64)?;
                    let symbol = p.get("sale_uom.").and_then(|u| text(u, "symbol")).unwrap_or_default();
                    Some((text(p, "code")?, (id(p)?, uom, symbol)))
                })
                .collect();
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            for (code, product) in found {
                recent.products.insert(code.clone(), (now, product.clone()));
                products.insert(code, product);
            }
        }
        let units = self.session().await?.units;
        let mut out = Vec::new();
        for line in lines {
            let quantity = line.quantity.clone().unwrap_or_else(|| "0".into());
            let wanted_unit = line.uom.as_deref().and_then(tryton_unit);
            let mut value = json!({"type": "line", "quantity": quantity.parse::<f64>().unwrap_or(0.0)});
            let description = line.description.clone().filter(|d| !d.trim().is_empty());
            match line.sku.as_deref() {
                Some(sku) => {
                    let Some((product, sale_uom, sale_symbol)) = products.get(sku) else {
                        return Err(ErpError::Refused(format!(
                            "{}: line {}: product {sku} is not there (no variant with code {sku})",
                            self.where_(),
                            line.line_no
                        )));
                    };
                    value["product"] = json!(product);
                    match wanted_unit.and_then(|s| units.get(s)) {
                        Some(unit) => value["unit"] = json!(unit),
                        None => {
                            // An ordered unit the ERP has no unit for (a box,
                            // a pack): the base quantity in the product's unit.
                            let (Some(base), Some(total)) = (&line.base_quantity, line_total(line)) else {
                                return Err(ErpError::Refused(format!(
                                    "{}: line {}: unit {} has no Tryton unit and no quantity in the product's unit {sale_symbol}",
                                    self.where_(),
                                    line.line_no,
                                    line.uom.as_deref().unwrap_or("(none)")
                                )));
                            };
                            value["unit"] = json!(sale_uom);
                            value["quantity"] = json!(base.parse::<f64>().unwrap_or(0.0));
                            let base_qty = base.parse::<rust_decimal::Decimal>().unwrap_or_default();
                            let price = if base_qty.is_zero() {
                                rust_decimal::Decimal::ZERO
                            } else {
                                (total / base_qty).round_dp(4)
                            };
                            value["unit_price"] = decimal(&price.normalize().to_string());
                        }
                    }
                    if let Some(d) = description {
                        value["description"] = json!(d);
                    }
                }
                None => {
                    value["description"] = json!(description.unwrap_or_else(|| format!("line {}", line.line_no)));
                    if let Some(unit) = wanted_unit.and_then(|s| units.get(s)).or(units.get("u")) {
                        value["unit"] = json!(unit);
                    }
                }
            }
            if value.get("unit_price").is_none() {
                value["unit_price"] = decimal(line.unit_price.as_deref().unwrap_or("0"));
            }
            if let Some(d) = line.delivery_date.as_deref().and_then(date) {
                value["shipping_date"] = d;
            }
            out.push(value);
        }
        Ok(out)
    }

    /// What changed in the ERP since `since`: products, parties with their
    /// addresses, stock per warehouse and the state of our sales.
    pub async fn pull(&self, since: &PullCursor) -> Result<Pulled, ErpError> {
        let session = self.session().await?;
        let started = self.server_time().await;
        let all = json!({"active_test": false});
        let mut pulled = Pulled {
            cursor: since.clone(),
            ..Pulled::default()
        };

        let changed = |paths: &[&str], since: &Option<ErpTime>| -> Value {
            match since.as_ref().and_then(ErpTime::overlapped) {
                None => json!([]),
                Some(t) => {
                    let mut or = vec![json!("OR")];
                    or.extend(paths.iter().map(|p| json!([p, ">=", t])));
                    json!([or])
                }
            }
        };

        let rows = self
            .search_read_all(
                "product.product",
                changed(&["last_modified_at", "template.last_modified_at"], &since.products),
                &[
                    "code",
                    "name",
                    "description",
                    "default_uom.symbol",
                    "list_price_used",
                    "active",
                    "last_modified_at",
                    "template.last_modified_at",
                ],
                Some(&all),
            )
            .await?;
        for row in &rows {
            newest(&mut pulled.cursor.products, row.get("last_modified_at"));
            newest(
                &mut pulled.cursor.products,
                row.get("template.").and_then(|t| t.get("last_modified_at")),
            );
            let (Some(code), Some(name)) = (text(row, "code"), text(row, "name")) else {
                continue;
            };
            pulled.products.push(PulledProduct {
                code,
                name,
                description: text(row, "description"),
                unit: row
                    .get("default_uom.")
                    .and_then(|u| text(u, "symbol"))
                    .unwrap_or_default(),
                list_price: row.get("list_price_used").and_then(decimal_text),
                currency: session.company_currency.clone(),
                active: flag(row, "active"),
            });
        }

        let rows = self
            .search_read_all(
                "party.party",
                changed(
                    &[
                        "last_modified_at",
                        "addresses.last_modified_at",
                        "contact_mechanisms.last_modified_at",
                    ],
                    &since.parties,
                ),
                &["code", "name", "active", "last_modified_at"],
                Some(&all),
            )
            .await?;
        let party_ids: Vec<i64> = rows.iter().filter_map(id).collect();
        let mut addresses: HashMap<i64, Vec<PulledAddress>> = HashMap::new();
        let mut emails: HashMap<i64, Vec<String>> = HashMap::new();
        for chunk in party_ids.chunks(PAGE) {
            for a in self
                .search_read_all(
                    "party.address",
                    json!([["party", "in", chunk]]),
                    &[
                        "party",
                        "party_name",
                        "street",
                        "postal_code",
                        "city",
                        "country.code",
                        "invoice",
                        "delivery",
                        "active",
                        "last_modified_at",
                    ],
                    Some(&all),
                )
                .await?
            {
                newest(&mut pulled.cursor.parties, a.get("last_modified_at"));
                let (Some(party), Some(address_id)) = (a.get("party").and_then(Value::as_i64), id(&a)) else {
                    continue;
                };
                addresses.entry(party).or_default().push(PulledAddress {
                    id: address_id,
                    name: text(&a, "party_name"),
                    street: text(&a, "street"),
                    zip: text(&a, "postal_code"),
                    city: text(&a, "city"),
                    country: a.get("country.").and_then(|c| text(c, "code")),
                    invoice: flag(&a, "invoice"),
                    delivery: flag(&a, "delivery"),
                    active: flag(&a, "active"),
                });
            }
            for m in self
                .search_read_all(
                    "party.contact_mechanism",
                    json!([["party", "in", chunk], ["type", "=", "email"]]),
                    &["party", "value", "last_modified_at"],
                    None,
                )
                .await?
            {
                newest(&mut pulled.cursor.parties, m.get("last_modified_at"));
                if let (Some(party), Some(value)) = (m.get("party").and_then(Value::as_i64), text(&m, "value")) {
                    emails.entry(party).or_default().push(value);
                }
            }
        }
        for row in &rows {
            newest(&mut pulled.cursor.parties, row.get("last_modified_at"));
            let (Some(party), Some(code), Some(name)) = (id(row), text(row, "code"), text(row, "name")) else {
                continue;
            };
            if Some(party) == session.company_party {
                continue;
            }
            pulled.parties.push(PulledParty {
                code,
                name,
                emails: emails.remove(&party).unwrap_or_default(),
                active: flag(row, "active"),
                addresses: addresses.remove(&party).unwrap_or_default(),
            });
        }

        pulled.stock = self.pull_stock(&since.stock, &mut pulled.cursor.stock).await?;

        let mut domain = vec![json!(["comment", "ilike", "%[orderdesk-order-%"])];
        if let Value::Array(parts) = changed(&["last_modified_at"], &since.sales) {
            domain.extend(parts);
        }
        for row in self
            .search_read_all(
                "sale.sale",
                Value::Array(domain),
                &["number", "state", "shipment_state", "comment", "last_modified_at"],
                None,
            )
            .await?
        {
            newest(&mut pulled.cursor.sales, row.get("last_modified_at"));
            let Some(order_id) = text(&row, "comment").as_deref().and_then(order_id_in_comment) else {
                continue;
            };
            pulled.sales.push(PulledSale {
                order_id,
                number: text(&row, "number"),
                state: text(&row, "state").unwrap_or_default(),
                shipment_state: text(&row, "shipment_state"),
            });
        }
        // The next pull starts where this one started on the server's clock
        // (less the overlap): what changed while it ran is read again, and a
        // quiet minute before a pull means nothing is read twice.
        if let Some(started) = started {
            for cursor in [
                &mut pulled.cursor.products,
                &mut pulled.cursor.parties,
                &mut pulled.cursor.stock,
                &mut pulled.cursor.sales,
            ] {
                if cursor.as_ref().is_none_or(|c| *c < started) {
                    *cursor = Some(started.clone());
                }
            }
        }
        Ok(pulled)
    }

    /// Stock of the products whose moves changed (all goods the first time), per warehouse.
    async fn pull_stock(
        &self,
        since: &Option<ErpTime>,
        cursor: &mut Option<ErpTime>,
    ) -> Result<Vec<PulledStock>, ErpError> {
        let product_domain = match since.as_ref().and_then(ErpTime::overlapped) {
            None => {
                // Every good counts; the newest move is where the next pull starts.
                match self.newest_record("stock.move").await? {
                    Some(last) => newest(cursor, last.get("last_modified_at")),
                    // No moves yet: every later one counts.
                    None => newest(cursor, ErpTime("1970-01-01T00:00:00.000000".into()).to_value().as_ref()),
                }
                json!([["type", "=", "goods"]])
            }
            Some(t) => {
                let moved = self
                    .search_read_all(
                        "stock.move",
                        json!([["last_modified_at", ">=", t]]),
                        &["product", "last_modified_at"],
                        None,
                    )
                    .await?;
                let mut products: Vec<i64> = Vec::new();
                for m in &moved {
                    newest(cursor, m.get("last_modified_at"));
                    if let Some(p) = m.get("product").and_then(Value::as_i64) {
                        products.push(p);
                    }
                }
                products.sort_unstable();
                products.dedup();
                if products.is_empty() {
                    return Ok(Vec::new());
                }
                json!([["id", "in", products]])
            }
        };
        let warehouses = self
            .search_read(
                "stock.location",
                json!([["type", "=", "warehouse"]]),
                0,
                None,
                &["code", "name"],
                None,
            )
            .await?;
        let mut out = Vec::new();
        for warehouse in &warehouses {
            let (Some(wh), Some(code)) = (
                id(warehouse),
                text(warehouse, "code").or_else(|| text(warehouse, "name")),
            ) else {
                continue;
            };
            let context = json!({"locations": [wh], "active_test": false});
            for row in self
                .search_read_all(
                    "product.product",
                    product_domain.clone(),
                    &["code", "quantity", "forecast_quantity"],
                    Some(&context),
                )
                .await?
            {
                let Some(product) = text(&row, "code") else { continue };
                out.push(PulledStock {
                    code: product,
                    warehouse: code.clone(),
                    quantity: number_text(row.get("quantity")),
                    forecast_quantity: number_text(row.get("forecast_quantity")),
                });
            }
        }
        Ok(out)
    }
}

/// A Tryton float (`40.0`, `0`) as decimal text.
fn number_text(v: Option<&Value>) -> String {
    v.and_then(decimal_text)
        .and_then(|t| t.parse::<rust_decimal::Decimal>().ok())
        .map(|d| d.normalize().to_string())
        .unwrap_or_else(|| "0".into())
}

/// Keeps the newer of the cursor and a record's `last_modified_at`.
fn newest(cursor: &mut Option<ErpTime>, value: Option<&Value>) {
    if let Some(t) = value.and_then(ErpTime::from_value)
        && cursor.as_ref().is_none_or(|c| t > *c)
    {
        *cursor = Some(t);
    }
}

/// Quantity × price of a line, when both are known.
fn line_total(line: &ErpLine) -> Option<rust_decimal::Decimal> {
    let q: rust_decimal::Decimal = line.quantity.as_deref()?.parse().ok()?;
    let p: rust_decimal::Decimal = line.unit_price.as_deref()?.parse().ok()?;
    Some(q * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_key_in_a_comment_is_read_exactly() {
        assert_eq!(
            order_id_in_comment("Orderdesk order 12 [orderdesk-order-12] version 3"),
            Some(12)
        );
        assert_eq!(
            version_in_comment("Orderdesk order 12 [orderdesk-order-12] version 3"),
            Some(3)
        );
        assert_eq!(order_id_in_comment("[orderdesk-order-x]"), None);
        assert_eq!(order_id_in_comment("no key"), None);
        assert!(!comment_key(123).contains(&comment_key(12)));
    }

    #[test]
    fn units_map_both_ways() {
        assert_eq!(tryton_unit("C62"), Some("u"));
        assert_eq!(tryton_unit("KGM"), Some("kg"));
        assert_eq!(tryton_unit("BX"), None);
        assert_eq!(rec20_unit("u"), Some("C62"));
        assert_eq!(rec20_unit("m²"), Some("MTK"));
        assert_eq!(rec20_unit("Karton"), None);
    }

    #[test]
    fn erp_times_sort_and_round_trip() {
        let v = json!({"__class__":"datetime","year":2026,"month":11,"day":3,"hour":5,"minute":6,"second":7,"microsecond":42});
        let t = ErpTime::from_value(&v).unwrap();
        assert_eq!(t.0, "2026-11-03T05:06:07.000042");
        assert_eq!(t.to_value().unwrap()["microsecond"], 42);
        let later = ErpTime("2026-11-10T00:00:00.000000".into());
        assert!(later > t);
    }
}

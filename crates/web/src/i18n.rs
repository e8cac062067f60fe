//! The screens in German and English: the word catalog, the clerk's
//! language, and dates, times and numbers as that language writes them.
//!
//! Texts are written in English in templates and code (`tr.t("Orders")`);
//! the German catalog (`i18n/de.tsv`, one `English<TAB>German` pair per
//! line) gives each its German. A test reads every `t("…")` in the
//! templates and the code and fails on one the catalog lacks, so a German
//! screen never shows a stray English word. Codes (statuses, kinds,
//! exception codes) have their labels in [`Tr::label`], by code.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{HeaderMap, header};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use printout::Language;
use rust_decimal::Decimal;

mod messages;
mod quotes;
mod settings;

const GERMAN_CATALOG: &str = include_str!("../i18n/de.tsv");

/// English text → German text.
static GERMAN: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| parse_catalog(GERMAN_CATALOG));

fn parse_catalog(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

/// Marks a text the screens show later through [`Tr::t`]: the catalog test
/// finds it here, where it is written.
pub const fn mark(english: &'static str) -> &'static str {
    english
}

/// How one request's screens speak: the language and the desk's time zone.
#[derive(Debug, Clone)]
pub struct Tr {
    pub language: Language,
    zone: TimeZone,
}

impl Default for Tr {
    fn default() -> Self {
        Tr {
            language: Language::English,
            zone: TimeZone::UTC,
        }
    }
}

impl Tr {
    pub fn new(language: Language, zone: TimeZone) -> Self {
        Tr { language, zone }
    }

    /// The user's own choice first, then the browser's first of German or
    /// English, then English.
    pub fn choose(chosen: Option<&str>, headers: &HeaderMap, zone: TimeZone) -> Self {
        let language = chosen
            .and_then(language_code)
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(browser_language)
            })
            .unwrap_or(Language::English);
        Tr::new(language, zone)
    }

    /// The desk's time zone, in which dates are meant.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    pub fn german(&self) -> bool {
        self.language == Language::German
    }

    /// `de` or `en`, for `<html lang>`.
    pub fn code(&self) -> &'static str {
        self.language.code()
    }

    /// The text in the user's language.
    pub fn t<'a>(&self, english: &'a str) -> &'a str {
        match self.language {
            Language::English => english,
            Language::German => GERMAN.get(english).copied().unwrap_or(english),
        }
    }

    /// The text with `{}` replaced by `value`, in the user's language.
    pub fn f(&self, english: &str, value: impl std::fmt::Display) -> String {
        self.t(english).replacen("{}", &value.to_string(), 1)
    }

    /// The text with each `{}` replaced by the next of `values`, in the user's language.
    pub fn fill(&self, english: &str, values: &[&dyn std::fmt::Display]) -> String {
        let mut out = String::new();
        let mut values = values.iter();
        let mut parts = self.t(english).split("{}").peekable();
        while let Some(part) = parts.next() {
            out.push_str(part);
            if parts.peek().is_some() {
                out.push_str(&values.next().map(ToString::to_string).unwrap_or_default());
            }
        }
        out
    }

    /// `29.11.2026 14:05` / `29 Nov 2026 14:05`, in the desk's time zone.
    pub fn time(&self, t: &Timestamp) -> String {
        let local = t.to_zoned(self.zone.clone());
        match self.language {
            Language::German => local.strftime("%d.%m.%Y %H:%M").to_string(),
            Language::English => local.strftime("%-d %b %Y %H:%M").to_string(),
        }
    }

    /// `29.11.2026` / `29 Nov 2026`.
    pub fn date(&self, d: jiff::civil::Date) -> String {
        printout::date(d, self.language)
    }

    /// A date as a form field shows it, for typing over: `13.11.2026` / `2026-11-13`.
    pub fn input_date(&self, d: jiff::civil::Date) -> String {
        match self.language {
            Language::German => d.strftime("%d.%m.%Y").to_string(),
            Language::English => d.to_string(),
        }
    }

    /// The day of a moment in the desk's time zone.
    pub fn day(&self, t: &Timestamp) -> String {
        self.date(t.to_zoned(self.zone.clone()).date())
    }

    /// A money amount with two decimals: `1.234,56` / `1,234.56`.
    pub fn amount(&self, value: Decimal) -> String {
        printout::amount(value, self.language)
    }

    /// A money amount with its currency: `1.234,56 €` / `€1,234.56`.
    pub fn money(&self, value: Decimal, currency: &str) -> String {
        let symbol = match currency {
            "EUR" => "€",
            "USD" => "$",
            "GBP" => "£",
            other => other,
        };
        let amount = self.amount(value);
        match (self.language, symbol.chars().count()) {
            (Language::English, 1) => format!("{symbol}{amount}"),
            (Language::English, _) => format!("{symbol} {amount}"),
            (Language::German, _) => format!("{amount} {symbol}"),
        }
    }

    /// A unit price, with more decimals where it has them.
    pub fn price(&self, value: Decimal) -> String {
        printout::price(value, self.language)
    }

    pub fn quantity(&self, value: Decimal) -> String {
        printout::quantity(value, self.language)
    }

    /// A number as a form field shows it: no grouping, the language's decimal sign (`12,5`).
    pub fn input(&self, value: Decimal) -> String {
        let text = value.normalize().to_string();
        if self.german() { text.replace('.', ",") } else { text }
    }

    /// A number as a person typed it, in their language: German `1.234,56`,
    /// `12,5` or `12.5`; English `1,234.56` or `1234.5`. With both signs the
    /// last is the decimal sign, whatever the language (`1.234,50` is read
    /// alike by both); a single sign is grouping only where it groups by
    /// three and is the language's grouping sign (German `1.000`, English
    /// `1,000`). `None` when it is no number.
    pub fn read_number(&self, typed: &str) -> Option<Decimal> {
        let t: String = typed
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '€')
            .collect();
        let grouping = if self.german() { '.' } else { ',' };
        let canonical = match (t.rfind(','), t.rfind('.')) {
            (None, None) => t,
            (Some(comma), Some(dot)) => {
                let (decimal, group) = if comma > dot { (',', '.') } else { ('.', ',') };
                let (whole, fraction) = t.split_at(t.rfind(decimal)?);
                if !is_grouped(whole, group) && whole.contains(group) {
                    return None;
                }
                format!("{}.{}", whole.replace(group, ""), &fraction[1..])
            }
            (Some(_), None) | (None, Some(_)) => {
                let sign = if t.contains(',') { ',' } else { '.' };
                let many = t.matches(sign).count() > 1;
                if (many || sign == grouping) && is_grouped(&t, sign) {
                    t.replace(sign, "")
                } else if many {
                    return None;
                } else {
                    t.replace(sign, ".")
                }
            }
        };
        domain::values::parse_decimal(&canonical).ok()
    }

    /// A date as a person typed it: `29.11.2026`, `29.11.26` or `2026-11-29`.
    pub fn read_date(&self, typed: &str) -> Option<jiff::civil::Date> {
        let t = typed.trim();
        if let Ok(d) = t.parse::<jiff::civil::Date>() {
            return Some(d);
        }
        let mut parts = t.split('.');
        let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
        let year: i16 = match year.trim().parse::<i16>().ok()? {
            y if y < 100 => 2000 + y,
            y => y,
        };
        jiff::civil::Date::new(year, month.trim().parse().ok()?, day.trim().parse().ok()?).ok()
    }

    /// A share as a percentage: `12,5 %` / `12.5%`; from 10 % on in whole percent (`1.250 %`).
    pub fn percent(&self, share: f64) -> String {
        let tenths = Decimal::from_f64_retain((share * 1000.0).round()).unwrap_or_default() / Decimal::TEN;
        let shown = if tenths.abs() >= Decimal::TEN {
            tenths.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        } else {
            tenths
        };
        let number = printout::quantity(shown, self.language);
        match self.language {
            Language::German => format!("{number} %"),
            Language::English => format!("{number}%"),
        }
    }

    /// "5 min", "3 h", "2 d" (German "5 Min.", "3 Std.", "2 Tg."); a time ahead "in …".
    pub fn duration(&self, secs: i64) -> String {
        let abs = secs.abs();
        let (n, unit) = if abs < 3600 {
            (abs / 60, ("min", "Min."))
        } else if abs < 172_800 {
            (abs / 3600, ("h", "Std."))
        } else {
            (abs / 86_400, ("d", "Tg."))
        };
        let unit = if self.german() { unit.1 } else { unit.0 };
        if secs < 0 {
            format!("in {n} {unit}")
        } else {
            format!("{n} {unit}")
        }
    }

    /// How a due time stands, from the seconds left: `due in 3 h` / `fällig in 3 Std.`,
    /// `2 h overdue` / `2 Std. überfällig`.
    pub fn due(&self, secs_left: i64) -> String {
        let span = self.duration(secs_left.abs());
        match (secs_left >= 0, self.language) {
            (true, Language::English) => format!("due in {span}"),
            (true, Language::German) => format!("fällig in {span}"),
            (false, Language::English) => format!("{span} overdue"),
            (false, Language::German) => format!("{span} überfällig"),
        }
    }

    /// The time since `t`, read as an age (`3 h`).
    pub fn age(&self, t: Timestamp, now: Timestamp) -> String {
        self.duration(now.as_second() - t.as_second())
    }

    /// Why a draft waits for a person, in plain words of the user's language.
    pub fn review_reason(&self, reason: &domain::review::ReviewReason) -> String {
        use domain::review::ReviewReason as R;
        let de = self.german();
        let pick = |en: &str, german: &str| if de { german.to_owned() } else { en.to_owned() };
        let sure = |c: f32| self.percent(f64::from(c));
        match reason {
            R::UnsureField { field, confidence } => {
                let what = self.label(field.as_str());
                if de {
                    format!("{what} unsicher gelesen ({})", sure(*confidence))
                } else {
                    format!("{what} read unsurely ({})", sure(*confidence))
                }
            }
            R::UnsureLine { line_no, confidence } => {
                if de {
                    format!(
                        "Position {line_no} unsicher gelesen oder zugeordnet ({})",
                        sure(*confidence)
                    )
                } else {
                    format!("line {line_no} read or matched unsurely ({})", sure(*confidence))
                }
            }
            R::AmbiguousShipTo => pick(
                "the delivery address fits several of the customer's addresses",
                "die Lieferadresse passt zu mehreren Adressen des Kunden",
            ),
            R::NoPoNumber => pick("no order number of the customer found", "keine Bestellnummer gefunden"),
            R::NoLines => pick("no order lines found", "keine Positionen gefunden"),
            R::CustomerAlwaysReviewed => pick(
                "this customer's orders are always checked",
                "Bestellungen dieses Kunden werden immer geprüft",
            ),
            R::UnknownSender { sender, customer_no } => {
                if de {
                    format!("der Absender {sender} ist keine bekannte Adresse des Kunden {customer_no}")
                } else {
                    format!("the sender {sender} is not a known address of customer {customer_no}")
                }
            }
            R::SenderNotAuthenticated { domain } => {
                if de {
                    format!("nicht bestätigt, dass die Mail von {domain} kommt (kein DKIM, SPF oder DMARC)")
                } else {
                    format!("not confirmed that the mail comes from {domain} (no DKIM, SPF or DMARC pass)")
                }
            }
            R::ZeroTotal => pick("the document's total is zero", "die Summe des Dokuments ist null"),
            R::TotalDisagrees => pick(
                "the lines do not add up to the stated total",
                "die Positionen ergeben nicht die angegebene Summe",
            ),
            R::UnreadDeliveryDate(text) => {
                if de {
                    format!("der Liefertermin „{text}“ ist kein lesbares Datum")
                } else {
                    format!("the delivery date \"{text}\" could not be read as a date")
                }
            }
            R::UnitWithoutFactor { line_no, ordered, sold } => {
                if de {
                    format!(
                        "Position {line_no} ist in {ordered} bestellt, der Artikel wird in {sold} verkauft; kein Umrechnungsfaktor bekannt"
                    )
                } else {
                    format!("line {line_no} is ordered in {ordered}, the product is sold in {sold}; no factor is known")
                }
            }
            R::NothingPriced => pick(
                "no line states a price and there is no total",
                "keine Position nennt einen Preis und es gibt keine Summe",
            ),
            R::NotAnOrder(kind) => {
                if de {
                    format!("eine {} bearbeitet ein Mensch", self.label(kind.as_str()))
                } else {
                    format!("a person handles an {}", self.label(kind.as_str()))
                }
            }
            R::UnusedDate(date) => {
                if de {
                    format!("das Datum {} im Dokument steht in keinem Feld", self.date(*date))
                } else {
                    format!("the date {} printed in the document is used nowhere", self.date(*date))
                }
            }
            R::UnusedProductCode(code) => {
                if de {
                    format!("der Artikel {code} steht im Dokument, aber auf keiner Position")
                } else {
                    format!("the product code {code} is printed in the document but on no line")
                }
            }
            R::NewSender { reviewed, needed } => {
                if de {
                    format!("neuer Absender: {reviewed} von {needed} Bestellungen unverändert bestätigt")
                } else {
                    format!("new sender: {reviewed} of {needed} orders confirmed unchanged")
                }
            }
            R::ReadErrors(text) => {
                if de {
                    format!("Teile der Nachricht waren nicht lesbar: {text}")
                } else {
                    format!("parts of the message could not be read: {text}")
                }
            }
        }
    }

    /// What an exception says in plain words: the code's label, and for a price
    /// how far it is from ours (`Preis weicht 12 % von unserem ab`).
    pub fn exception_reason(
        &self,
        code: domain::exception::ExceptionCode,
        line_no: Option<u32>,
        draft: &app::draft::Draft,
    ) -> String {
        let tr = self;
        use domain::exception::ExceptionCode;
        let line = line_no.and_then(|n| draft.lines.iter().find(|l| l.line_no == n));
        if code == ExceptionCode::PriceMismatch
            && let Some((stated, ours)) = line.and_then(|l| l.unit_price.zip(l.expected_price))
            && !ours.is_zero()
        {
            let share = ((stated - ours) / ours).abs();
            let share = f64::try_from(share).unwrap_or(0.0);
            return tr.f("Price differs {} from ours", tr.percent(share));
        }
        tr.label(code.as_str()).to_owned()
    }

    /// The values an exception is about, in the user's language: German is made
    /// from the draft's own values; English is the message the check wrote.
    pub fn exception_detail(&self, e: &app::draft::DraftException, draft: &app::draft::Draft) -> String {
        let tr = self;
        use domain::exception::ExceptionCode as C;
        if !tr.german() {
            return e.message.clone();
        }
        let line = e.line_no.and_then(|n| draft.lines.iter().find(|l| l.line_no == n));
        let at = e.line_no.map(|n| format!("Position {n}: ")).unwrap_or_default();
        let sku = line.and_then(|l| l.sku.clone()).unwrap_or_default();
        let qty = line
            .and_then(|l| l.quantity)
            .map(|q| {
                format!(
                    "{} {}",
                    tr.quantity(q),
                    line.and_then(|l| l.uom.clone()).unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let text = match e.code {
            C::UnknownCustomer => {
                "Absender ist kein bekannter Kunde: keine Kundennummer, USt-IdNr., Mailadresse oder Domain passte"
                    .to_owned()
            }
            C::CurrencyMismatch => format!(
                "Bestellung in {}, der Kunde rechnet in einer anderen Währung; Preise nicht verglichen",
                draft.currency.map(|c| c.to_string()).unwrap_or_default()
            ),
            C::CreditLimit => "offener Saldo und dieser Auftrag übersteigen das Kreditlimit".to_owned(),
            C::UnknownShipTo => "die angegebene Lieferadresse ist keine der Adressen des Kunden".to_owned(),
            C::DuplicatePo => "ein Auftrag dieses Kunden mit dieser Bestellnummer ist schon gespeichert".to_owned(),
            C::UnknownProduct => {
                let label = line
                    .and_then(|l| l.customer_part_no.clone().or_else(|| l.description.clone()))
                    .unwrap_or_default();
                format!("„{label}“ passt zu keinem Artikel")
            }
            C::InactiveProduct => format!("{sku} ist inaktiv und nicht bestellbar"),
            C::PackSize => format!("{qty} {sku} ist kein Vielfaches der Verpackungseinheit"),
            C::BelowMinQty => format!("{qty} {sku} liegt unter der Mindestmenge"),
            C::InsufficientStock => format!("{qty} {sku} sind in der Lieferzeit nicht am Lager"),
            C::PriceMismatch => format!(
                "angegeben {} für {sku}, unser Preis {}",
                line.and_then(|l| l.unit_price).map(|p| tr.price(p)).unwrap_or_default(),
                line.and_then(|l| l.expected_price)
                    .map(|p| tr.price(p))
                    .unwrap_or_default()
            ),
            C::TotalMismatch => format!(
                "die angegebene Summe {} weicht von der Summe der Positionen {} ab",
                draft.stated_total.map(|t| tr.amount(t)).unwrap_or_default(),
                draft.total().map(|t| tr.amount(t)).unwrap_or_default()
            ),
        };
        format!("{at}{text}")
    }

    /// What keeps a draft from becoming an order, in plain words.
    pub fn open_point(&self, point: &app::review::OpenPoint) -> String {
        use app::review::OpenPoint as P;
        if !self.german() {
            return match point {
                P::Blocking(code, Some(n)) => {
                    format!("line {n}: {} — resolve it or fix the line", self.label(code.as_str()))
                }
                P::Blocking(code, None) => format!("{} — resolve it or fix it", self.label(code.as_str())),
                other => other.to_string(),
            };
        }
        match point {
            P::NotAnOrder(kind) => format!(
                "eine {} wird kein Auftrag: als erledigt markieren oder ablehnen",
                self.label(kind.as_str())
            ),
            P::NoCustomer => "der Kunde ist nicht bekannt".to_owned(),
            P::NoLines => "die Bestellung hat keine Positionen".to_owned(),
            P::NoProduct(n) => format!("Position {n} hat keinen Artikel"),
            P::NoQuantity(n) => format!("Position {n} hat keine Menge"),
            P::NoPrice(n) => format!("Position {n} hat keinen Preis (keiner angegeben, keiner in unseren Preislisten)"),
            P::Blocking(code, Some(n)) => format!(
                "Position {n}: {} — klären oder die Position korrigieren",
                self.label(code.as_str())
            ),
            P::Blocking(code, None) => format!("{} — klären oder korrigieren", self.label(code.as_str())),
        }
    }

    /// A refused action on a draft or an order, in plain words of the user's
    /// language; what has no German of its own keeps the English it was said in.
    pub fn review_error(&self, e: &app::review::ReviewError) -> String {
        use app::learning::LearningError as L;
        use app::review::ReviewError as R;
        if !self.german() {
            return e.to_string();
        }
        match e {
            R::NoDraft(id) | R::Learning(L::NoDraft(id)) => format!("Entwurf {id} gibt es nicht"),
            R::NoOrder(id) => format!("Auftrag {id} gibt es nicht"),
            R::Conflict { what, seen } => format!(
                "{what} wurde inzwischen von jemand anderem geändert (Sie sahen Version {seen}); bitte neu laden und noch einmal versuchen"
            ),
            R::Learning(L::Conflict { id, seen }) => format!(
                "Entwurf {id} wurde inzwischen von jemand anderem geändert (Sie sahen Version {seen}); bitte neu laden und noch einmal korrigieren"
            ),
            R::NotInReview { id, status } => {
                format!(
                    "Entwurf {id} ist {}, er wartet nicht auf Prüfung",
                    self.label(status.as_str())
                )
            }
            R::NotReady { id, reasons } => {
                format!("Entwurf {id} kann noch nicht bestätigt werden: {}", reasons.join("; "))
            }
            R::NoReason => "Bitte einen Grund angeben".to_owned(),
            R::NoUser(name) => format!("Benutzer „{name}“ gibt es nicht oder er ist gesperrt"),
            R::OrderClosed { order, status } => format!(
                "Auftrag {order} ist {} und kann nicht mehr geändert werden",
                self.label(status.as_str())
            ),
            R::NotAChange(id) => format!("Entwurf {id} ist keine Änderung oder Stornierung eines Auftrags"),
            R::CannotApply {
                draft,
                why: app::changes::NotApplied::NothingNew,
            } => format!("Entwurf {draft}: die Änderung verlangt nichts, was der Auftrag nicht schon hat"),
            R::CannotApply {
                draft,
                why: app::changes::NotApplied::NeedsPerson(points),
            } => format!(
                "Entwurf {draft}: ein Teil der Änderung braucht einen Menschen: {}",
                points.iter().map(|p| self.by_hand(p)).collect::<Vec<_>>().join("; ")
            ),
            R::Learning(L::NothingToUndo(id)) => format!("Bei Entwurf {id} gibt es nichts mehr zurückzunehmen"),
            R::Learning(L::Refused { id, source }) | R::Amendment { order: id, source } => {
                format!("{id}: {}", self.correction_error(source))
            }
            other => other.to_string(),
        }
    }

    /// A part of a customer's change that a person has to do.
    pub fn by_hand(&self, point: &app::changes::ByHand) -> String {
        use app::changes::ByHand as B;
        match (self.german(), point) {
            (true, B::Unresolved { line_no, label }) => format!(
                "Position {line_no} ({label}) steht nicht im Auftrag und hat keinen Artikel, keine Menge oder keinen Preis: von Hand hinzufügen"
            ),
            (true, B::NothingRead { line_no, label }) => format!(
                "Position {line_no} ({label}) nennt eine Position des Auftrags, aber weder Menge noch Termin wurden gelesen: bitte setzen, oder 0, um die Position herauszunehmen"
            ),
            (true, B::EveryLineOut) => {
                "Die Änderung nimmt alle Positionen heraus: bitte stattdessen den Auftrag stornieren".to_owned()
            }
            (false, point) => point.to_string(),
        }
    }

    fn correction_error(&self, e: &app::draft::CorrectionError) -> String {
        use app::draft::CorrectionError as C;
        match e {
            C::NoLine(n) => format!("Position {n} gibt es nicht"),
            C::UnknownProduct(sku) => format!("Artikel {sku} gibt es nicht"),
            C::UnknownCustomer(no) => format!("Kunde {no} gibt es nicht"),
            C::InvalidValue { field, value, .. } => {
                format!("„{value}“ ist kein gültiger Wert für {}", self.label(field))
            }
            C::FreeTextIncomplete => "Eine Freitext-Position braucht eine Bezeichnung und ihren Preis".to_owned(),
            C::NoPosition { to, lines } => format!("Position {to} gibt es nicht (der Entwurf hat {lines} Positionen)"),
            other => other.to_string(),
        }
    }

    /// Who did something: a user by name, or the part of Orderdesk that did it.
    pub fn actor(&self, actor: &domain::event::Actor) -> String {
        match actor {
            domain::event::Actor::User(name) => name.clone(),
            domain::event::Actor::System(part) => format!("Orderdesk ({})", self.system_part(part)),
        }
    }

    /// The changes of an event: `Position 2 Menge: 100 → 175, Status: in Prüfung → bestätigt`.
    /// Fields and values that are codes are said in words; others stay as they are.
    pub fn changes(&self, changes: &[domain::event::FieldChange]) -> String {
        let value = |v: Option<&str>| match v {
            None => "—".to_owned(),
            // A resolved exception keeps the note the clerk wrote.
            Some(v) => match v.strip_prefix("resolved: ") {
                Some(note) => format!("{}: {note}", self.t("resolved")),
                None => self.label(v).to_owned(),
            },
        };
        changes
            .iter()
            .map(|c| {
                let field = self.field_name(&c.field);
                let after = value(c.after.as_deref());
                match &c.before {
                    Some(before) => format!("{field}: {} → {after}", value(Some(before))),
                    None => format!("{field}: {after}"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `lines[2].quantity` as `Position 2 Menge`, `lines[3]` as `Position 3`.
    fn field_name(&self, field: &str) -> String {
        if let Some(n) = field.strip_prefix("exceptions[").and_then(|r| r.strip_suffix(']'))
            && let Ok(n) = n.parse::<usize>()
        {
            return format!("{} {}", self.t("Exception"), n + 1);
        }
        let Some(rest) = field.strip_prefix("lines[") else {
            return self.label(field).to_owned();
        };
        let Some((n, after)) = rest.split_once(']') else {
            return field.to_owned();
        };
        let line = format!("{} {n}", self.label("line"));
        match after.strip_prefix('.') {
            Some(name) => format!("{line} {}", self.label(name)),
            None => line,
        }
    }

    /// What was asked for and is not there: `Nachricht 12`.
    pub fn missing(&self, what: &crate::error::Missing) -> String {
        use crate::error::Missing as M;
        if !self.german() {
            return what.to_string();
        }
        match what {
            M::Message(id) => format!("Nachricht {id}"),
            M::Draft(id) => format!("Entwurf {id}"),
            M::Order(id) => format!("Auftrag {id}"),
            M::Quote(id) => format!("Angebot {id}"),
            M::Mail(id) => format!("Mail {id}"),
            M::MailFile(id) => format!("Eine Datei der Mail {id}"),
            M::Customer(no) => format!("Kunde {no}"),
            M::Product(sku) => format!("Artikel {sku}"),
            M::Part { message, part } => format!("Teil „{part}“ der Nachricht {message}"),
            M::KpiTable(name) => format!(
                "Eine Kennzahlen-Tabelle „{name}“ (kpis, trend, by-customer, by-channel, by-format, by-clerk, by-kind)"
            ),
            M::Page => "Diese Seite".to_owned(),
        }
    }

    /// An actor as the store keeps it (`user:anna`, `system:pipeline`).
    pub fn stored_actor(&self, stored: &str) -> String {
        domain::event::Actor::from_storage(stored).map_or_else(|| stored.to_owned(), |a| self.actor(&a))
    }

    fn system_part(&self, part: &str) -> String {
        let (part, who) = part.split_once(':').unwrap_or((part, ""));
        let words = match (self.german(), part) {
            (false, "pipeline") => "reading",
            (true, "pipeline") => "Einlesen",
            (true, "straight-through") => "automatisch durchgelaufen",
            (true, "worker") => "Hintergrunddienst",
            (true, "outbox") => "Ausgang",
            (true, "quotes") => "Angebote",
            (false, "sla") => "deadlines",
            (true, "sla") => "Fristen",
            (false, "cli") => "command line",
            (true, "cli") => "Kommandozeile",
            (true, "mail") => "Mail",
            (true, "upload") => "Hochladen",
            (_, other) => other,
        };
        if who.is_empty() {
            words.to_owned()
        } else {
            format!("{words}: {who}")
        }
    }

    /// The label of a code (a status, a kind, an exception code, a severity):
    /// English words for the code, or their German. Unknown codes show as they are.
    pub fn label<'a>(&self, code: &'a str) -> &'a str {
        match code_label(code) {
            Some((en, de)) => {
                if self.german() {
                    de
                } else {
                    en
                }
            }
            None => code,
        }
    }
}

/// `1.000`, `12.500.000` (or `1,000`): digits grouped by three with `sign`.
fn is_grouped(t: &str, sign: char) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let mut groups = digits.split(sign);
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        // `0.125` is a fraction: no grouped number begins with 0.
        && !first.starts_with('0')
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// `de`/`en` (also `de-AT`, `en_GB`) as a language.
pub fn language_code(code: &str) -> Option<Language> {
    let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "de" => Some(Language::German),
        "en" => Some(Language::English),
        _ => None,
    }
}

/// The browser's most wanted language of the two, from `Accept-Language`.
fn browser_language(header: &str) -> Option<Language> {
    let mut wanted: Vec<(f32, Language)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let language = language_code(parts.next()?)?;
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, language))
        })
        .collect();
    // Stable: of equal weight the first named wins.
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
    wanted.first().map(|(_, l)| *l)
}

/// English and German labels of the codes the screens show.
fn code_label(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        // message kinds
        "order" => ("order", "Bestellung"),
        "rfq" => ("request for quotation", "Anfrage"),
        "order_change" => ("order change", "Bestelländerung"),
        "cancellation" => ("cancellation", "Stornierung"),
        "inquiry" => ("status inquiry", "Statusanfrage"),
        "other" => ("other", "Sonstiges"),
        // draft, message, inbox and order statuses
        "new" => ("new", "neu"),
        "review" | "in_review" => ("in review", "in Prüfung"),
        "straight_through" => ("straight through", "automatisch durchgelaufen"),
        "confirmed" => ("confirmed", "bestätigt"),
        "rejected" => ("rejected", "abgelehnt"),
        "done" => ("done", "erledigt"),
        "received" => ("received", "eingegangen"),
        "processed" => ("processed", "verarbeitet"),
        "error" => ("error", "Fehler"),
        "duplicate" => ("duplicate", "Duplikat"),
        "draft" => ("draft", "Entwurf"),
        "sent_to_erp" => ("sent to the ERP", "an das ERP übergeben"),
        "fulfilled" => ("fulfilled", "erfüllt"),
        "cancelled" => ("cancelled", "storniert"),
        "quotation" => ("quotation", "Angebot"),
        "processing" => ("processing", "in Bearbeitung"),
        "shipped" => ("shipped", "versandt"),
        // quote statuses
        "awaiting_approval" => ("awaiting approval", "wartet auf Freigabe"),
        "approved" => ("approved", "freigegeben"),
        "sent" => ("sent", "versendet"),
        "accepted" => ("accepted", "angenommen"),
        "expired" => ("expired", "abgelaufen"),
        "ordered" => ("ordered", "bestellt"),
        // why a quote was lost
        "price" => ("price", "Preis"),
        "delivery_time" => ("delivery time", "Lieferzeit"),
        "competitor" => ("competitor", "Wettbewerber"),
        "no_need" => ("no longer needed", "kein Bedarf mehr"),
        "not_quoted" => ("not quoted", "nicht angeboten"),
        // what happened, in the history
        "corrected" => ("corrected", "korrigiert"),
        "undone" => ("undone", "zurückgenommen"),
        "assigned" => ("assigned", "zugewiesen"),
        "released" => ("given back", "zurückgegeben"),
        "forwarded" => ("forwarded", "weitergeleitet"),
        "escalated" => ("escalated", "eskaliert"),
        "amended" => ("amended", "geändert"),
        "answered" => ("answered", "beantwortet"),
        "created" => ("created", "angelegt"),
        "updated" => ("updated", "aktualisiert"),
        "changed" => ("changed", "geändert"),
        "imported" => ("imported", "importiert"),
        "reclassified" => ("given another kind", "neu eingeordnet"),
        "quoted" => ("quoted", "angeboten"),
        "learned" => ("learned", "gelernt"),
        "drafted" => ("drafted", "erfasst"),
        "failed" => ("failed", "fehlgeschlagen"),
        "pending" => ("pending", "wartet"),
        "create" => ("create", "anlegen"),
        "amend" => ("amend", "ändern"),
        "cancel" => ("cancel", "stornieren"),
        "revised" => ("revised", "überarbeitet"),
        "approval_requested" => ("approval requested", "Freigabe angefordert"),
        "approval_declined" => ("approval declined", "Freigabe abgelehnt"),
        // severities
        "blocking" => ("blocking", "blockiert"),
        "warning" => ("warning", "Warnung"),
        "info" => ("note", "Hinweis"),
        // exception codes: what is wrong, in plain words
        "unknown_customer" => ("Customer not recognised", "Kunde nicht erkannt"),
        "currency_mismatch" => ("Currency differs from the customer's", "Währung weicht vom Kunden ab"),
        "credit_limit" => ("Credit limit exceeded", "Kreditlimit überschritten"),
        "unknown_ship_to" => ("Delivery address unknown", "Lieferadresse unbekannt"),
        "duplicate_po" => ("Order number already ordered", "Bestellnummer schon bestellt"),
        "unknown_product" => ("Product not recognised", "Artikel nicht erkannt"),
        "inactive_product" => ("Product no longer sold", "Artikel nicht mehr lieferbar"),
        "pack_size" => ("Not a whole pack", "Keine volle Verpackungseinheit"),
        "below_min_qty" => ("Below the minimum quantity", "Unter der Mindestmenge"),
        "insufficient_stock" => ("Not in stock in time", "Nicht rechtzeitig am Lager"),
        "price_mismatch" => ("Price differs from ours", "Preis weicht von unserem ab"),
        "total_mismatch" => ("Total differs from the lines", "Summe weicht von den Positionen ab"),
        // how the customer was found
        "buyer_id" => ("buyer id", "Käufer-ID"),
        "vat_id" => ("VAT id", "USt-IdNr."),
        "sender_email" => ("sender's address", "Absenderadresse"),
        "sender_domain" => ("sender's domain", "Absender-Domain"),
        "quoted_email" => ("quoted mail", "zitierte Mail"),
        "name" => ("name", "Name"),
        "name_and_address" => ("name and address", "Name und Adresse"),
        "reviewer" => ("a person", "von Hand"),
        // line fields
        "line" => ("Line", "Position"),
        "status" => ("status", "Status"),
        "customer_change" => ("customer's change", "Änderung des Kunden"),
        "entry_error" => ("our entry error", "unser Erfassungsfehler"),
        "draft_id" => ("draft", "Entwurf"),
        "total" => ("total", "Summe"),
        "lines" => ("lines", "Positionen"),
        "decision" => ("decision", "Entscheidung"),
        "source" => ("source", "Quelle"),
        "duplicate_of" => ("duplicate of", "Duplikat von"),
        "email_text" => ("mail text", "Mailtext"),
        "email_html" => ("mail in HTML", "Mail in HTML"),
        "text" => ("text", "Text"),
        "csv" => ("CSV", "CSV"),
        "xlsx" | "xls" | "ods" => ("spreadsheet", "Tabelle"),
        "pdf" => ("PDF", "PDF"),
        "x12" => ("X12", "X12"),
        "edifact" => ("EDIFACT", "EDIFACT"),
        "ubl" => ("UBL", "UBL"),
        "opentrans" => ("openTRANS", "openTRANS"),
        "xml" => ("XML", "XML"),
        "unknown" => ("unknown format", "unbekanntes Format"),
        "from" => ("From", "Absender"),
        "from_name" => ("Sender's name", "Name des Absenders"),
        "to" => ("To", "An"),
        "reply_to" => ("Reply to", "Antwort an"),
        "subject" => ("Subject", "Betreff"),
        "date" => ("Date", "Datum"),
        "message_id" => ("Message ID", "Nachrichten-ID"),
        "authentication_results" => ("Authentication", "Authentifizierung"),
        "message_type" => ("Message type", "Nachrichtentyp"),
        "document_number" => ("Document number", "Belegnummer"),
        "customer_reference" => ("Customer reference", "Kundenreferenz"),
        "quotation_reference" => ("Quotation reference", "Angebotsbezug"),
        "payment_terms" => ("Payment terms", "Zahlungsbedingungen"),
        "incoterms" => ("Incoterms", "Incoterms"),
        "line_count" => ("Line count", "Anzahl Positionen"),
        "decimal_separator" => ("Decimal sign", "Dezimalzeichen"),
        "reason" => ("reason", "Grund"),
        "kind" => ("kind", "Art"),
        "sku" => ("product", "Artikel"),
        "note" => ("note", "Notiz"),
        "quantity" => ("quantity", "Menge"),
        "unit_price" => ("unit price", "Einzelpreis"),
        "uom" => ("unit", "Einheit"),
        "delivery_date" => ("delivery date", "Liefertermin"),
        // header fields
        "currency" => ("Currency", "Währung"),
        "customer" => ("Customer", "Kunde"),
        "customer_no" => ("Customer number", "Kundennummer"),
        "order_date" => ("Order date", "Bestelldatum"),
        "po_number" => ("Customer order number", "Bestellnummer des Kunden"),
        "requested_delivery_date" => ("Requested delivery date", "Wunschliefertermin"),
        "ship_to" => ("Delivery address", "Lieferadresse"),
        "stated_total" => ("Stated total", "Angegebene Summe"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn german() -> Tr {
        Tr::new(Language::German, TimeZone::get("Europe/Berlin").unwrap())
    }

    #[test]
    fn german_dates_numbers_and_money_read_as_a_german_desk_writes_them() {
        let tr = german();
        let t: Timestamp = "2026-11-29T13:05:00Z".parse().unwrap();
        assert_eq!(tr.time(&t), "29.11.2026 14:05");
        assert_eq!(tr.money(dec!(1234.56), "EUR"), "1.234,56 €");
        assert_eq!(tr.money(dec!(1234.5), "CHF"), "1.234,50 CHF");
        assert_eq!(tr.percent(0.125), "13 %");
        assert_eq!(tr.percent(0.045), "4,5 %");
        assert_eq!(tr.percent(430.034), "43.003 %");
        assert_eq!(tr.duration(7200), "2 Std.");
        assert_eq!(tr.due(-7200), "2 Std. überfällig");
        assert_eq!(tr.due(600), "fällig in 10 Min.");
        assert_eq!(Tr::default().due(5 * 86_400), "due in 5 d");
        assert_eq!(Tr::default().duration(59), "0 min");
        let en = Tr::new(Language::English, TimeZone::UTC);
        assert_eq!(en.time(&t), "29 Nov 2026 13:05");
        assert_eq!(en.money(dec!(1234.56), "EUR"), "€1,234.56");
        assert_eq!(en.money(dec!(-3), "CHF"), "CHF -3.00");
    }

    #[test]
    fn who_did_it_is_said_in_the_language() {
        let system = |part: &str| domain::event::Actor::System(part.into());
        assert_eq!(
            german().actor(&system("straight-through")),
            "Orderdesk (automatisch durchgelaufen)"
        );
        assert_eq!(
            Tr::default().actor(&system("straight-through")),
            "Orderdesk (straight-through)"
        );
        assert_eq!(german().actor(&system("cli:root")), "Orderdesk (Kommandozeile: root)");
        assert_eq!(german().stored_actor("user:anna"), "anna");
        assert_eq!(german().stored_actor("nobody knows"), "nobody knows");
        let change = |field: &str, before: Option<&str>, after: Option<&str>| domain::event::FieldChange {
            field: field.into(),
            before: before.map(Into::into),
            after: after.map(Into::into),
        };
        let said = german().changes(&[
            change("lines[2].quantity", Some("100"), Some("175")),
            change("status", Some("review"), Some("confirmed")),
            change("lines[3]", None, Some("Fracht pauschal × 1")),
            change("reason", None, Some("customer_change")),
            change("exceptions[0]", Some("pack_size"), Some("resolved: am Telefon geklärt")),
        ]);
        assert_eq!(
            said,
            "Position 2 Menge: 100 → 175, Status: in Prüfung → bestätigt, Position 3: Fracht pauschal × 1, \
             Grund: Änderung des Kunden, Ausnahme 1: Keine volle Verpackungseinheit → geklärt: am Telefon geklärt"
        );
    }

    #[test]
    fn numbers_and_dates_are_read_as_typed_in_the_language() {
        let de = german();
        assert_eq!(de.read_number("1.234,56"), Some(dec!(1234.56)));
        assert_eq!(de.read_number("12,5"), Some(dec!(12.5)));
        assert_eq!(de.read_number("12.5"), Some(dec!(12.5)));
        assert_eq!(de.read_number("1.000"), Some(dec!(1000)));
        assert_eq!(de.read_number("12,50 €"), Some(dec!(12.50)));
        assert_eq!(de.read_number("zwölf"), None);
        assert_eq!(de.input(dec!(12.50)), "12,5");
        let en = Tr::default();
        assert_eq!(en.read_number("1,234.56"), Some(dec!(1234.56)));
        assert_eq!(en.read_number("1.000"), Some(dec!(1.000)));
        assert_eq!(en.read_number("1,000"), Some(dec!(1000)));
        assert_eq!(
            en.read_number("1,5"),
            Some(dec!(1.5)),
            "no grouping by three: a decimal comma"
        );
        assert_eq!(de.read_number("1,500"), Some(dec!(1.5)));
        for tr in [&de, &en] {
            assert_eq!(
                tr.read_number("1.234,50"),
                Some(dec!(1234.50)),
                "both signs: the last is decimal"
            );
            assert_eq!(tr.read_number("1,234.50"), Some(dec!(1234.50)));
            assert_eq!(tr.read_number("12.345.678"), Some(dec!(12345678)));
            assert_eq!(tr.read_number("1.2.3"), None);
            assert_eq!(tr.read_number("1,23.4,5"), None);
            assert_eq!(tr.read_number("-0,125"), Some(dec!(-0.125)));
        }
        assert_eq!(en.input(dec!(12.50)), "12.5");
        let day = jiff::civil::date(2026, 11, 29);
        assert_eq!(de.read_date("29.11.2026"), Some(day));
        assert_eq!(de.read_date("29.11.26"), Some(day));
        assert_eq!(en.read_date("2026-11-29"), Some(day));
        assert_eq!(de.read_date("31.02.2026"), None);
        // What a field shows is read back as the same date.
        for tr in [&de, &en] {
            assert_eq!(tr.read_date(&tr.input_date(day)), Some(day));
        }
    }

    #[test]
    fn refusals_are_said_in_the_users_language() {
        let conflict = app::review::ReviewError::Conflict {
            what: "draft 7".into(),
            seen: 3,
        };
        assert!(german().review_error(&conflict).contains("von jemand anderem geändert"));
        assert_eq!(Tr::default().review_error(&conflict), conflict.to_string());
        let refused = app::review::ReviewError::Learning(app::learning::LearningError::Refused {
            id: 7,
            source: app::draft::CorrectionError::FreeTextIncomplete,
        });
        assert!(german().review_error(&refused).contains("Freitext-Position"));
    }

    #[test]
    fn the_browser_language_is_the_most_wanted_of_german_and_english() {
        assert_eq!(browser_language("de-DE,de;q=0.9,en;q=0.8"), Some(Language::German));
        assert_eq!(browser_language("fr-FR,en;q=0.5,de;q=0.7"), Some(Language::German));
        assert_eq!(browser_language("en-US,en;q=0.9"), Some(Language::English));
        assert_eq!(browser_language("fr, it"), None);
        assert_eq!(browser_language("de;q=0"), None);
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "de-AT".parse().unwrap());
        assert!(Tr::choose(None, &headers, TimeZone::UTC).german());
        assert!(!Tr::choose(Some("en"), &headers, TimeZone::UTC).german());
        assert!(!Tr::choose(None, &HeaderMap::new(), TimeZone::UTC).german());
    }

    #[test]
    fn texts_and_codes_have_german() {
        let tr = german();
        assert_eq!(tr.t("Orders"), "Aufträge");
        assert_eq!(tr.label("price_mismatch"), "Preis weicht von unserem ab");
        assert_eq!(tr.label("in_review"), "in Prüfung");
        assert_eq!(tr.label("no_such_code"), "no_such_code");
        assert_eq!(Tr::default().t("Orders"), "Orders");
    }

    #[test]
    fn every_code_the_screens_show_has_a_label() {
        let codes = domain::message::MessageKind::ALL
            .iter()
            .map(|c| c.as_str())
            .chain(domain::message::MessageStatus::ALL.iter().map(|c| c.as_str()))
            .chain(domain::review::DraftStatus::ALL.iter().map(|c| c.as_str()))
            .chain(domain::review::ReadField::ALL.iter().map(|c| c.as_str()))
            .chain(domain::order::OrderStatus::ALL.iter().map(|c| c.as_str()))
            .chain(domain::order::ErpSaleStatus::ALL.iter().map(|c| c.as_str()))
            .chain(domain::quote::QuoteStatus::ALL.iter().map(|c| c.as_str()))
            .chain(domain::quote::LostReason::ALL.iter().map(|c| c.as_str()))
            .chain(domain::exception::ExceptionCode::ALL.iter().map(|c| c.as_str()))
            .chain(store::inbox::InboxStatus::ALL.iter().map(|c| c.as_str()))
            .chain(["info", "warning", "blocking"]);
        for code in codes {
            assert!(code_label(code).is_some(), "no label for the code {code}");
        }
    }

    /// Every `t("…")`/`f("…", …)` text of the templates and the code has its German.
    #[test]
    fn the_catalog_has_every_text_the_screens_show() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut seen = 0;
        for dir in ["templates", "src", "src/workspace", "src/i18n"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if !matches!(path.extension().and_then(|e| e.to_str()), Some("html" | "rs" | "js")) {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for english in texts(&text) {
                    seen += 1;
                    if !GERMAN.contains_key(english.as_str()) {
                        missing.push(format!("{}: {english}", path.display()));
                    }
                }
            }
        }
        assert!(seen > 300, "only {seen} texts found: the scan is broken");
        // Texts the code picks at run time.
        let picked = domain::access::Role::ALL
            .iter()
            .map(|r| r.label())
            .chain(domain::kpi::AGE_BANDS.iter().map(|(band, _)| *band));
        let titles = ["Changed by someone else", "Not allowed", "That did not work"];
        missing.extend(
            picked
                .chain(titles)
                .filter(|t| !GERMAN.contains_key(t))
                .map(str::to_owned),
        );
        assert!(missing.is_empty(), "no German for:\n{}", missing.join("\n"));
    }

    /// The literal texts passed to `.t(`, `.f(`, `.fill(` and `mark(`, also
    /// where the formatter put the text on the next line.
    fn texts(source: &str) -> Vec<String> {
        // `me.tr\n    .f(` as the formatter breaks a chain: joined again.
        let mut joined = String::with_capacity(source.len());
        let mut rest = source;
        while let Some(at) = rest.find("tr\n") {
            joined.push_str(&rest[..at + 2]);
            let after = rest[at + 2..].trim_start();
            if !after.starts_with('.') {
                joined.push('\n');
            }
            rest = after;
        }
        joined.push_str(rest);
        let source = joined.as_str();
        let mut out = Vec::new();
        // Spelled apart, so that this list is not read as texts itself.
        let markers = [
            concat!("tr", ".t("),
            concat!("tr", ".f("),
            concat!("tr", ".fill("),
            concat!("self", ".t("),
            concat!("mark", "("),
        ];
        for marker in markers {
            let mut rest = source;
            while let Some(at) = rest.find(marker) {
                rest = rest[at + marker.len()..].trim_start();
                let Some(text) = rest.strip_prefix('"') else {
                    continue;
                };
                let end = text.find('"').unwrap();
                out.push(text[..end].replace("\\n", "\n"));
                rest = &text[end..];
            }
        }
        out
    }
}

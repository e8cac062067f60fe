//! A reviewer's correction of a draft, as pure data and a pure function.
//!
//! [`Draft::apply`] checks a [`Correction`] against the master data, applies
//! it, checks the draft again and returns the [`Change`] to record and the
//! [`Lesson`] to learn:
//! - a line's product: the code the customer printed becomes (or updates) a
//!   customer part number for that customer, so the next order with that code
//!   resolves exactly;
//! - a header field: the label printed before the corrected value in the
//!   original becomes a layout hint for the sender (`Vorgang:` → PO number),
//!   so the next document from that sender with the same layout is read right.
//!
//! Writing the draft, the lesson and the event is the caller's one store
//! transaction ([`crate::learning::correct`]); a refused correction teaches
//! nothing.

use domain::customer_item::CustomerItem;
use domain::exception::ExceptionCode;
use domain::values::{CurrencyCode, CustomerNo, CustomerPartNo};
use jiff::civil::Date;
use matching::Catalog;
use rust_decimal::Decimal;

use super::lines::{line_factor, recheck};
use super::model::{CustomerFoundBy, Draft, DraftCustomer, DraftLine, ProductFoundBy};
use crate::config::ExtractionSettings;

/// A header value a reviewer can correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderField {
    PoNumber,
    OrderDate,
    RequestedDeliveryDate,
    Currency,
    StatedTotal,
}

impl HeaderField {
    pub const ALL: [HeaderField; 5] = [
        HeaderField::PoNumber,
        HeaderField::OrderDate,
        HeaderField::RequestedDeliveryDate,
        HeaderField::Currency,
        HeaderField::StatedTotal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HeaderField::PoNumber => "po_number",
            HeaderField::OrderDate => "order_date",
            HeaderField::RequestedDeliveryDate => "requested_delivery_date",
            HeaderField::Currency => "currency",
            HeaderField::StatedTotal => "stated_total",
        }
    }

    pub fn parse(raw: &str) -> Option<HeaderField> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw)
    }
}

/// A line value a reviewer (or an amendment) can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineField {
    Quantity,
    UnitPrice,
    Uom,
    DeliveryDate,
}

impl LineField {
    pub const ALL: [LineField; 4] = [
        LineField::Quantity,
        LineField::UnitPrice,
        LineField::Uom,
        LineField::DeliveryDate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LineField::Quantity => "quantity",
            LineField::UnitPrice => "unit_price",
            LineField::Uom => "uom",
            LineField::DeliveryDate => "delivery_date",
        }
    }

    pub fn parse(raw: &str) -> Option<LineField> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw)
    }
}

/// One change a reviewer made. Values are as the reviewer typed them;
/// [`Draft::apply`] reads and checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correction {
    /// A header field set to a new value (empty clears it).
    Header { field: HeaderField, value: String },
    /// The product of line `line_no` (1-based) set to `sku`.
    LineProduct { line_no: u32, sku: String },
    /// A value of line `line_no` (empty clears it).
    LineValue {
        line_no: u32,
        field: LineField,
        value: String,
    },
    /// The customer set to `customer_no` (the reviewer knows who sent it).
    Customer { customer_no: String },
    /// Exception `index` (in the draft's list) accepted or cleared, with the reviewer's note.
    ResolveException { index: usize, note: String },
    /// A line added at the end: one of our products, or free text with its own price.
    AddLine(NewLine),
    /// Line `line_no` taken out; the lines after it move up.
    RemoveLine { line_no: u32 },
    /// Line `line_no` moved to position `to` (1-based); the lines are numbered again.
    MoveLine { line_no: u32, to: u32 },
}

/// A line as a reviewer adds it, the values as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewLine {
    /// Our product; empty for a free-text line (a special make, a service, freight).
    pub sku: String,
    pub description: String,
    pub quantity: String,
    /// A UN/ECE Rec. 20 code or a common name; empty: the product's unit, else pieces.
    pub uom: String,
    /// Required for free text; empty on a product line: our price.
    pub unit_price: String,
}

impl Correction {
    /// A correction as a form or the API names it: `what` (`header`,
    /// `customer`, `line_product`, `line_value`, `resolve`), the field, the
    /// line or exception it concerns, and the value typed.
    pub fn parse(
        what: &str,
        field: &str,
        line_no: u32,
        index: usize,
        value: &str,
    ) -> Result<Correction, CorrectionError> {
        let value = value.trim().to_owned();
        let unknown = || CorrectionError::UnknownField(field.to_owned());
        Ok(match what {
            "header" => Correction::Header {
                field: HeaderField::parse(field).ok_or_else(unknown)?,
                value,
            },
            "customer" => Correction::Customer { customer_no: value },
            "line_product" => Correction::LineProduct { line_no, sku: value },
            "line_value" => Correction::LineValue {
                line_no,
                field: LineField::parse(field).ok_or_else(unknown)?,
                value,
            },
            "resolve" => Correction::ResolveException { index, note: value },
            "remove_line" => Correction::RemoveLine { line_no },
            "move_line" => Correction::MoveLine {
                line_no,
                to: u32::try_from(index).map_err(|_| unknown())?,
            },
            _ => return Err(CorrectionError::UnknownCorrection(what.to_owned())),
        })
    }
}

/// What a correction changed, as the `corrected` event records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `po_number`, `customer_no`, `lines[2].quantity`, `exceptions[0]` …
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a correction teaches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lesson {
    /// The customer's code for a product, learned from a line whose product was corrected.
    pub customer_item: Option<CustomerItem>,
    /// The label the sender prints before a header field.
    pub layout_hint: Option<(HeaderField, String)>,
}

/// Why a correction was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    #[error("line {0} does not exist")]
    NoLine(u32),
    #[error("product {0} does not exist")]
    UnknownProduct(String),
    #[error("customer {0} does not exist")]
    UnknownCustomer(String),
    #[error("{field} '{value}' is not valid: {why}")]
    InvalidValue {
        field: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("exception {0} does not exist")]
    NoException(usize),
    #[error("'{0}' is not a field that can be corrected")]
    UnknownField(String),
    #[error("a free-text line needs a description and its price")]
    FreeTextIncomplete,
    #[error("position {to} is outside the draft's {lines} lines")]
    NoPosition { to: u32, lines: usize },
    #[error(
        "'{0}' is not a correction (header, customer, line_product, line_value, resolve, add_line, remove_line or move_line)"
    )]
    UnknownCorrection(String),
}

/// What applying a correction reads besides the draft.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a> {
    pub catalog: &'a Catalog,
    pub settings: &'a ExtractionSettings,
    pub today: Date,
    /// Who corrects (kept on resolved exceptions).
    pub reviewer: &'a str,
    /// The message's Documents as stored (JSON), to find the label before a corrected header value.
    pub documents_json: Option<&'a str>,
}

fn invalid(field: &'static str, value: &str, why: &'static str) -> CorrectionError {
    CorrectionError::InvalidValue {
        field,
        value: value.to_owned(),
        why,
    }
}

fn number(field: &'static str, raw: &str) -> Result<Decimal, CorrectionError> {
    extract::values::parse_number(raw, extract::values::NumberStyle::detect(raw))
        .ok_or_else(|| invalid(field, raw, "not a number"))
}

fn date(field: &'static str, raw: &str) -> Result<Date, CorrectionError> {
    extract::values::parse_date(raw, extract::values::DateOrder::DayFirst)
        .ok_or_else(|| invalid(field, raw, "not a date (use 2026-11-22 or 22.11.2026)"))
}

/// A line value as typed, read and checked; `None` for an empty value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineValue {
    Quantity(Option<Decimal>),
    UnitPrice(Option<Decimal>),
    Uom(Option<String>),
    DeliveryDate(Option<Date>),
}

impl LineValue {
    /// Reads `raw` for `field` (a quantity more than zero): decimals with comma or point, dates as
    /// `2026-11-22` or `22.11.2026`, units as Rec. 20 codes or their common names.
    pub fn read(field: LineField, raw: &str) -> Result<LineValue, CorrectionError> {
        let raw = raw.trim();
        let name = field.as_str();
        let empty = raw.is_empty();
        Ok(match field {
            LineField::Quantity if empty => LineValue::Quantity(None),
            LineField::UnitPrice if empty => LineValue::UnitPrice(None),
            LineField::Uom if empty => LineValue::Uom(None),
            LineField::DeliveryDate if empty => LineValue::DeliveryDate(None),
            LineField::Quantity => {
                let q = number(name, raw)?;
                if q <= Decimal::ZERO {
                    return Err(invalid(name, raw, "must be more than zero"));
                }
                LineValue::Quantity(Some(q))
            }
            LineField::UnitPrice => {
                let p = number(name, raw)?;
                if p < Decimal::ZERO {
                    return Err(invalid(name, raw, "must be more than zero"));
                }
                LineValue::UnitPrice(Some(p))
            }
            LineField::Uom => LineValue::Uom(Some(
                extract::values::unit_code(raw)
                    .ok_or_else(|| {
                        invalid(
                            name,
                            raw,
                            "not a known unit (use a UN/ECE Rec. 20 code such as C62, KGM, MTR)",
                        )
                    })?
                    .to_owned(),
            )),
            LineField::DeliveryDate => LineValue::DeliveryDate(Some(date(name, raw)?)),
        })
    }
}

fn opt_text(value: Option<Decimal>) -> String {
    value.map(|v| v.normalize().to_string()).unwrap_or_default()
}

/// The line a reviewer adds, read and checked: a product of the catalog at
/// its price (or the one typed), or free text with a description and a price.
fn new_line(new: &NewLine, line_no: u32, at: &Reading<'_>) -> Result<DraftLine, CorrectionError> {
    let LineValue::Quantity(Some(quantity)) = LineValue::read(LineField::Quantity, &new.quantity)? else {
        return Err(invalid("quantity", &new.quantity, "a line needs a quantity"));
    };
    let LineValue::UnitPrice(unit_price) = LineValue::read(LineField::UnitPrice, &new.unit_price)? else {
        unreachable!("a unit price reads as a unit price")
    };
    let description = Some(new.description.trim().to_owned()).filter(|d| !d.is_empty());
    let sku = new.sku.trim();
    let product = if sku.is_empty() {
        None
    } else {
        Some(
            at.catalog
                .product(sku)
                .ok_or_else(|| CorrectionError::UnknownProduct(sku.to_owned()))?,
        )
    };
    if product.is_none() && (description.is_none() || unit_price.is_none()) {
        return Err(CorrectionError::FreeTextIncomplete);
    }
    let uom = match LineValue::read(LineField::Uom, &new.uom)? {
        LineValue::Uom(Some(u)) => u,
        _ => product.map_or_else(|| "C62".to_owned(), |p| p.base_unit.as_str().to_owned()),
    };
    Ok(DraftLine {
        line_no,
        sku: product.map(|p| p.sku.as_str().to_owned()),
        customer_part_no: None,
        description: description.or_else(|| product.map(|p| p.name.clone())),
        quantity: Some(quantity),
        uom: Some(uom),
        unit_price,
        delivery_date: None,
        confidence: 1.0,
        alternatives: Vec::new(),
        customer_line_no: None,
        gtin: None,
        base_quantity: Some(quantity),
        expected_price: None,
        matched_via: product.map(|_| ProductFoundBy::Reviewer),
        change_type: None,
        printed_code: None,
        source: None,
        free_text: product.is_none(),
    })
}

fn text<T: ToString>(value: Option<T>) -> Option<String> {
    value.map(|v| v.to_string())
}

impl DraftLine {
    /// Sets one value and returns the value before, as text. A new quantity
    /// keeps the line's customer-unit factor: the base quantity follows it.
    pub fn set(&mut self, value: LineValue) -> (Option<String>, Option<String>) {
        match value {
            LineValue::Quantity(q) => {
                let factor = line_factor(self);
                self.base_quantity = q.map(|q| (q * factor).normalize());
                let before = std::mem::replace(&mut self.quantity, q);
                (text(before.map(|d| d.normalize())), text(q.map(|d| d.normalize())))
            }
            LineValue::UnitPrice(p) => {
                let before = std::mem::replace(&mut self.unit_price, p);
                (text(before.map(|d| d.normalize())), text(p.map(|d| d.normalize())))
            }
            LineValue::Uom(u) => {
                let before = std::mem::replace(&mut self.uom, u.clone());
                (before, u)
            }
            LineValue::DeliveryDate(d) => {
                let before = std::mem::replace(&mut self.delivery_date, d);
                (text(before), text(d))
            }
        }
    }
}

impl Draft {
    /// Applies one correction: checked against the master data, the draft
    /// checked again afterwards. Returns what changed and what it teaches;
    /// on an error the draft is left as it was.
    pub fn apply(&mut self, correction: &Correction, at: &Reading<'_>) -> Result<(Change, Lesson), CorrectionError> {
        let mut draft = self.clone();
        let done = draft.apply_in_place(correction, at)?;
        *self = draft;
        Ok(done)
    }

    fn apply_in_place(
        &mut self,
        correction: &Correction,
        at: &Reading<'_>,
    ) -> Result<(Change, Lesson), CorrectionError> {
        let mut lesson = Lesson::default();
        let change = match correction {
            Correction::Header { field, value } => {
                let raw = value.trim();
                let name = field.as_str();
                let (before, after) = self.set_header(*field, raw)?;
                if !raw.is_empty()
                    && let Some(label) = at
                        .documents_json
                        .and_then(|json| crate::learning::label_before(json, raw))
                {
                    lesson.layout_hint = Some((*field, label));
                }
                Change {
                    field: name.to_owned(),
                    before,
                    after,
                }
            }
            Correction::LineProduct { line_no, sku } => {
                let sku = sku.trim();
                let product = at
                    .catalog
                    .product(sku)
                    .ok_or_else(|| CorrectionError::UnknownProduct(sku.to_owned()))?;
                let customer_no = self.customer.as_ref().map(|c| c.customer_no.clone());
                let line = self.line_mut(*line_no)?;
                let before = line.sku.replace(product.sku.as_str().to_owned());
                line.matched_via = Some(ProductFoundBy::Reviewer);
                line.confidence = 1.0;
                line.alternatives.clear();
                let code = line.printed_code.clone().or_else(|| line.customer_part_no.clone());
                if let (Some(customer_no), Some(code)) = (customer_no, code)
                    && code != product.sku.as_str()
                    && let (Ok(c), Ok(p)) = (CustomerNo::parse(&customer_no), CustomerPartNo::parse(&code))
                {
                    lesson.customer_item = Some(CustomerItem {
                        customer_no: c,
                        customer_part_no: p,
                        sku: Some(product.sku.clone()),
                        customer_uom: None,
                        factor: None,
                    });
                    line.customer_part_no = Some(code);
                }
                let after = Some(product.sku.as_str().to_owned());
                let line_no = *line_no;
                self.exceptions
                    .retain(|e| !(e.line_no == Some(line_no) && e.code == ExceptionCode::UnknownProduct));
                Change {
                    field: format!("lines[{line_no}].sku"),
                    before,
                    after,
                }
            }
            Correction::LineValue { line_no, field, value } => {
                let value = match LineValue::read(*field, value) {
                    // In a customer's change, 0 takes the line out of the order.
                    Err(_)
                        if *field == LineField::Quantity
                            && self.kind == domain::message::MessageKind::OrderChange
                            && is_zero(value) =>
                    {
                        LineValue::Quantity(Some(Decimal::ZERO))
                    }
                    read => read?,
                };
                let (before, after) = self.line_mut(*line_no)?.set(value);
                Change {
                    field: format!("lines[{line_no}].{}", field.as_str()),
                    before,
                    after,
                }
            }
            Correction::Customer { customer_no } => {
                let customer_no = customer_no.trim();
                let customer = at
                    .catalog
                    .customer(customer_no)
                    .ok_or_else(|| CorrectionError::UnknownCustomer(customer_no.to_owned()))?;
                let before = self.customer.as_ref().map(|c| c.customer_no.clone());
                self.customer = Some(DraftCustomer {
                    customer_no: customer.customer_no.as_str().to_owned(),
                    confidence: 1.0,
                    name: Some(customer.name.clone()),
                    matched_via: Some(CustomerFoundBy::Reviewer),
                });
                self.exceptions.retain(|e| e.code != ExceptionCode::UnknownCustomer);
                Change {
                    field: "customer_no".into(),
                    before,
                    after: Some(customer_no.to_owned()),
                }
            }
            Correction::ResolveException { index, note } => {
                let exception = self
                    .exceptions
                    .get_mut(*index)
                    .ok_or(CorrectionError::NoException(*index))?;
                exception.resolved_by = Some(at.reviewer.to_owned());
                exception.resolution = Some(note.trim().to_owned());
                return Ok((
                    Change {
                        field: format!("exceptions[{index}]"),
                        before: Some(exception.code.as_str().to_owned()),
                        after: Some(format!("resolved: {}", note.trim())),
                    },
                    lesson,
                ));
            }
            Correction::AddLine(new) => {
                let line = new_line(new, self.lines.len() as u32 + 1, at)?;
                let after = Some(format!("{} × {}", line.label(), opt_text(line.quantity)));
                let field = format!("lines[{}]", line.line_no);
                self.lines.push(line);
                Change {
                    field,
                    before: None,
                    after,
                }
            }
            Correction::RemoveLine { line_no } => {
                let at_index = self.line_index(*line_no)?;
                let line = self.lines.remove(at_index);
                self.number_lines();
                Change {
                    field: format!("lines[{line_no}]"),
                    before: Some(format!("{} × {}", line.label(), opt_text(line.quantity))),
                    after: None,
                }
            }
            Correction::MoveLine { line_no, to } => {
                let from = self.line_index(*line_no)?;
                if *to == 0 || *to as usize > self.lines.len() {
                    return Err(CorrectionError::NoPosition {
                        to: *to,
                        lines: self.lines.len(),
                    });
                }
                let line = self.lines.remove(from);
                self.lines.insert(*to as usize - 1, line);
                self.number_lines();
                Change {
                    field: format!("lines[{line_no}].position"),
                    before: Some(line_no.to_string()),
                    after: Some(to.to_string()),
                }
            }
        };
        recheck(self, at.catalog, at.settings, at.today);
        Ok((change, lesson))
    }

    fn line_index(&self, line_no: u32) -> Result<usize, CorrectionError> {
        self.lines
            .iter()
            .position(|l| l.line_no == line_no)
            .ok_or(CorrectionError::NoLine(line_no))
    }

    /// Numbers the lines 1, 2, 3 … in their order; exceptions follow their
    /// line, those of a removed line go with it.
    fn number_lines(&mut self) {
        let renumbered: std::collections::HashMap<u32, u32> = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.line_no, i as u32 + 1))
            .collect();
        self.exceptions.retain_mut(|e| match e.line_no {
            None => true,
            Some(old) => match renumbered.get(&old) {
                Some(&new) => {
                    e.line_no = Some(new);
                    true
                }
                None => false,
            },
        });
        for (i, line) in self.lines.iter_mut().enumerate() {
            line.line_no = i as u32 + 1;
        }
    }

    fn line_mut(&mut self, line_no: u32) -> Result<&mut DraftLine, CorrectionError> {
        self.lines
            .iter_mut()
            .find(|l| l.line_no == line_no)
            .ok_or(CorrectionError::NoLine(line_no))
    }

    /// Sets a header field from what the reviewer typed; returns before and after as text.
    fn set_header(
        &mut self,
        field: HeaderField,
        raw: &str,
    ) -> Result<(Option<String>, Option<String>), CorrectionError> {
        let name = field.as_str();
        let empty = raw.is_empty();
        Ok(match field {
            HeaderField::PoNumber => {
                if raw.chars().count() > 100 || raw.chars().any(char::is_control) {
                    return Err(invalid(name, raw, "at most 100 characters, no control characters"));
                }
                let after = (!empty).then(|| raw.to_owned());
                (std::mem::replace(&mut self.po_number, after.clone()), after)
            }
            HeaderField::OrderDate | HeaderField::RequestedDeliveryDate => {
                let after = if empty { None } else { Some(date(name, raw)?) };
                let slot = if field == HeaderField::OrderDate {
                    &mut self.order_date
                } else {
                    &mut self.requested_delivery_date
                };
                (text(std::mem::replace(slot, after)), text(after))
            }
            HeaderField::Currency => {
                let after = if empty {
                    None
                } else {
                    let code = CurrencyCode::parse(&raw.to_uppercase())
                        .map_err(|_| invalid(name, raw, "not a currency code (EUR, CHF, USD …)"))?;
                    Some(code)
                };
                (text(std::mem::replace(&mut self.currency, after)), text(after))
            }
            HeaderField::StatedTotal => {
                let after = if empty {
                    None
                } else {
                    let t = number(name, raw)?;
                    if t < Decimal::ZERO {
                        return Err(invalid(name, raw, "must not be negative"));
                    }
                    Some(t)
                };
                let before = std::mem::replace(&mut self.stated_total, after);
                (text(before.map(|d| d.normalize())), text(after.map(|d| d.normalize())))
            }
        })
    }
}

/// `0`, `0,0`, `0.00`: a quantity of nothing.
fn is_zero(raw: &str) -> bool {
    let raw = raw.trim();
    !raw.is_empty() && raw.chars().all(|c| matches!(c, '0' | ',' | '.')) && raw.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::model::DraftException;
    use domain::exception::Severity;
    use domain::message::MessageKind;

    fn draft() -> Draft {
        let mut d = Draft::new(MessageKind::Inquiry);
        d.po_number = Some("PO-1".into());
        d.exceptions.push(DraftException {
            code: ExceptionCode::TotalMismatch,
            severity: Severity::Warning,
            line_no: None,
            message: "m".into(),
            resolved_by: None,
            resolution: None,
        });
        d
    }

    fn with<T>(f: impl FnOnce(&Reading<'_>) -> T) -> T {
        let catalog = Catalog::build(matching::MasterData::default()).unwrap();
        let settings = ExtractionSettings::default();
        let json = r#"[{"part":"","name":null,"format":"text","message_type":null,"pages":1,"text_blocks":[{"page":1,"text":"Bestelldatum: 03.12.2026","char_start":0}],"tables":[],"key_values":[],"diagnostics":[]}]"#;
        f(&Reading {
            catalog: &catalog,
            settings: &settings,
            today: jiff::civil::date(2026, 12, 1),
            reviewer: "clara",
            documents_json: Some(json),
        })
    }

    fn header(field: HeaderField, value: &str) -> Correction {
        Correction::Header {
            field,
            value: value.into(),
        }
    }

    #[test]
    fn names_from_forms_are_typed_and_unknown_ones_refused() {
        assert_eq!(
            Correction::parse("line_value", "quantity", 2, 0, " 5 ").unwrap(),
            Correction::LineValue {
                line_no: 2,
                field: LineField::Quantity,
                value: "5".into()
            }
        );
        assert_eq!(
            Correction::parse("header", "shoe_size", 0, 0, "44"),
            Err(CorrectionError::UnknownField("shoe_size".into()))
        );
        // The catch-all that once wrote the delivery date is gone.
        assert_eq!(
            Correction::parse("line_value", "colour", 1, 0, "red"),
            Err(CorrectionError::UnknownField("colour".into()))
        );
        assert!(matches!(
            Correction::parse("rename", "", 0, 0, ""),
            Err(CorrectionError::UnknownCorrection(_))
        ));
        for f in HeaderField::ALL {
            assert_eq!(HeaderField::parse(f.as_str()), Some(f));
        }
        for f in LineField::ALL {
            assert_eq!(LineField::parse(f.as_str()), Some(f));
        }
    }

    #[test]
    fn header_values_are_checked_and_stored_in_their_type() {
        with(|at| {
            let mut d = draft();
            let (change, lesson) = d.apply(&header(HeaderField::OrderDate, "03.12.2026"), at).unwrap();
            assert_eq!(d.order_date, Some(jiff::civil::date(2026, 12, 3)));
            assert_eq!(change.after.as_deref(), Some("2026-12-03"));
            assert_eq!(
                lesson.layout_hint,
                Some((HeaderField::OrderDate, "Bestelldatum".into()))
            );

            for (field, bad) in [
                (HeaderField::OrderDate, "31.02.2026"),
                (HeaderField::Currency, "euro"),
                (HeaderField::StatedTotal, "-5"),
                (HeaderField::StatedTotal, "viel"),
                (HeaderField::PoNumber, "a\u{7}b"),
            ] {
                let before = d.clone();
                let refused = d.apply(&header(field, bad), at);
                assert!(
                    matches!(refused, Err(CorrectionError::InvalidValue { .. })),
                    "{field:?} {bad}: {refused:?}"
                );
                assert_eq!(d, before, "a refused correction leaves the draft as it was");
            }
            d.apply(&header(HeaderField::Currency, "chf"), at).unwrap();
            assert_eq!(d.currency.map(|c| c.to_string()).as_deref(), Some("CHF"));
            d.apply(&header(HeaderField::StatedTotal, "1.234,50"), at).unwrap();
            assert_eq!(d.stated_total, Some(Decimal::new(123_450, 2)));
            let (change, _) = d.apply(&header(HeaderField::PoNumber, ""), at).unwrap();
            assert_eq!((change.before.as_deref(), d.po_number.as_deref()), (Some("PO-1"), None));
        });
    }

    #[test]
    fn unknown_products_customers_lines_and_exceptions_are_refused() {
        with(|at| {
            let mut d = draft();
            let missing = [
                Correction::LineProduct {
                    line_no: 1,
                    sku: "X".into(),
                },
                Correction::Customer {
                    customer_no: "99".into(),
                },
                Correction::ResolveException {
                    index: 5,
                    note: "ok".into(),
                },
            ];
            for c in missing {
                assert!(d.apply(&c, at).is_err(), "{c:?}");
            }
            let (change, lesson) = d
                .apply(
                    &Correction::ResolveException {
                        index: 0,
                        note: " checked by phone ".into(),
                    },
                    at,
                )
                .unwrap();
            assert_eq!(d.exceptions[0].resolved_by.as_deref(), Some("clara"));
            assert_eq!(d.exceptions[0].resolution.as_deref(), Some("checked by phone"));
            assert_eq!(change.field, "exceptions[0]");
            assert_eq!(lesson, Lesson::default());
        });
    }

    #[test]
    fn line_values_are_read_like_people_type_them() {
        assert_eq!(
            LineValue::read(LineField::Quantity, "1.500,5"),
            Ok(LineValue::Quantity(Some(Decimal::new(15005, 1))))
        );
        assert_eq!(
            LineValue::read(LineField::UnitPrice, "0,12"),
            Ok(LineValue::UnitPrice(Some(Decimal::new(12, 2))))
        );
        assert_eq!(
            LineValue::read(LineField::Uom, "Stück"),
            Ok(LineValue::Uom(Some("C62".into())))
        );
        assert!(LineValue::read(LineField::Quantity, "0").is_err());
        assert!(LineValue::read(LineField::Uom, "Schachtelhalm").is_err());
        assert_eq!(
            LineValue::read(LineField::DeliveryDate, " "),
            Ok(LineValue::DeliveryDate(None))
        );
    }

    /// An order of customer 10042 with two lines of known products, checked.
    fn order_with_lines(catalog: &Catalog, settings: &ExtractionSettings) -> Draft {
        let mut d = Draft::new(MessageKind::Order);
        d.customer = Some(DraftCustomer {
            customer_no: "10042".into(),
            confidence: 1.0,
            name: None,
            matched_via: Some(CustomerFoundBy::CustomerNo),
        });
        d.currency = Some(CurrencyCode::EUR);
        for (n, sku) in [(1, "A-100"), (2, "B-200")] {
            d.lines.push(DraftLine {
                line_no: n,
                sku: Some(sku.into()),
                quantity: Some(Decimal::from(100)),
                uom: Some("C62".into()),
                confidence: 1.0,
                ..serde_json::from_str(r#"{"line_no":0,"confidence":1.0,"alternatives":[]}"#).unwrap()
            });
        }
        recheck(&mut d, catalog, settings, jiff::civil::date(2026, 11, 30));
        d
    }

    fn reading<'a>(catalog: &'a Catalog, settings: &'a ExtractionSettings) -> Reading<'a> {
        Reading {
            catalog,
            settings,
            today: jiff::civil::date(2026, 11, 30),
            reviewer: "clara",
            documents_json: None,
        }
    }

    #[test]
    fn a_free_text_line_with_its_price_is_confirmable_and_a_product_line_gets_our_price() {
        let catalog = crate::quote::tests::catalog();
        let settings = ExtractionSettings::default();
        let at = reading(&catalog, &settings);
        let mut d = order_with_lines(&catalog, &settings);
        let special = NewLine {
            description: "Sonderanfertigung laut Zeichnung 4711".into(),
            quantity: "5".into(),
            unit_price: "148,50".into(),
            ..NewLine::default()
        };
        let (change, _) = d.apply(&Correction::AddLine(special), &at).unwrap();
        assert_eq!(change.field, "lines[3]");
        let line = &d.lines[2];
        assert!(line.free_text && line.sku.is_none());
        assert_eq!(line.total(), Some(Decimal::new(74250, 2)));
        assert_eq!(line.uom.as_deref(), Some("C62"));
        assert!(
            !d.exceptions.iter().any(|e| e.line_no == Some(3)),
            "no product check on free text: {:?}",
            d.exceptions
        );
        assert!(
            !crate::review::open_points(&d).iter().any(|p| matches!(
                p,
                crate::review::OpenPoint::NoProduct(3) | crate::review::OpenPoint::NoPrice(3)
            )),
            "{:?}",
            crate::review::open_points(&d)
        );
        // A product line without a typed price takes ours.
        let product = NewLine {
            sku: "A-100".into(),
            quantity: "10".into(),
            ..NewLine::default()
        };
        d.apply(&Correction::AddLine(product), &at).unwrap();
        assert_eq!(d.lines[3].expected_price, Some(Decimal::new(12, 2)));
        assert_eq!(d.lines[3].description.as_deref(), Some("Sechskantschraube M8x40"));
    }

    #[test]
    fn incomplete_or_unknown_new_lines_are_refused_and_change_nothing() {
        let catalog = crate::quote::tests::catalog();
        let settings = ExtractionSettings::default();
        let at = reading(&catalog, &settings);
        let mut d = order_with_lines(&catalog, &settings);
        let before = d.clone();
        let no_price = NewLine {
            description: "Fracht".into(),
            quantity: "1".into(),
            ..NewLine::default()
        };
        assert_eq!(
            d.apply(&Correction::AddLine(no_price), &at),
            Err(CorrectionError::FreeTextIncomplete)
        );
        let unknown = NewLine {
            sku: "NOPE-1".into(),
            quantity: "1".into(),
            ..NewLine::default()
        };
        assert_eq!(
            d.apply(&Correction::AddLine(unknown), &at),
            Err(CorrectionError::UnknownProduct("NOPE-1".into()))
        );
        let no_quantity = NewLine {
            sku: "A-100".into(),
            ..NewLine::default()
        };
        assert!(matches!(
            d.apply(&Correction::AddLine(no_quantity), &at),
            Err(CorrectionError::InvalidValue { .. })
        ));
        assert_eq!(
            d.apply(&Correction::MoveLine { line_no: 1, to: 3 }, &at),
            Err(CorrectionError::NoPosition { to: 3, lines: 2 })
        );
        assert_eq!(
            d.apply(&Correction::RemoveLine { line_no: 9 }, &at),
            Err(CorrectionError::NoLine(9))
        );
        assert_eq!(d, before);
    }

    #[test]
    fn a_change_takes_a_line_out_with_0_and_an_order_refuses_it() {
        let catalog = crate::quote::tests::catalog();
        let settings = ExtractionSettings::default();
        let at = reading(&catalog, &settings);
        let zero = |field: LineField, value: &str| Correction::LineValue {
            line_no: 1,
            field,
            value: value.into(),
        };
        let mut order = order_with_lines(&catalog, &settings);
        assert!(order.apply(&zero(LineField::Quantity, "0"), &at).is_err());
        let mut change = order_with_lines(&catalog, &settings);
        change.kind = MessageKind::OrderChange;
        for typed in ["0", "0,00", " 0.0 "] {
            let (done, _) = change.apply(&zero(LineField::Quantity, typed), &at).unwrap();
            assert_eq!(change.lines[0].quantity, Some(Decimal::ZERO), "{typed}");
            assert_eq!(done.field, "lines[1].quantity");
        }
        assert!(change.apply(&zero(LineField::Quantity, "-1"), &at).is_err());
        assert!(change.apply(&zero(LineField::Uom, "0"), &at).is_err(), "0 is no unit");
    }

    #[test]
    fn removing_and_moving_lines_numbers_them_again_and_exceptions_follow_their_line() {
        let catalog = crate::quote::tests::catalog();
        let settings = ExtractionSettings::default();
        let at = reading(&catalog, &settings);
        let mut d = order_with_lines(&catalog, &settings);
        let unknown = DraftLine {
            line_no: 3,
            description: Some("Sonderteil".into()),
            quantity: Some(Decimal::from(7)),
            ..d.lines[0].clone()
        };
        d.lines.push(DraftLine { sku: None, ..unknown });
        recheck(&mut d, &catalog, &settings, at.today);
        let unknown_on = |d: &Draft| {
            d.exceptions
                .iter()
                .filter(|e| e.code == ExceptionCode::UnknownProduct)
                .map(|e| e.line_no)
                .collect::<Vec<_>>()
        };
        assert_eq!(unknown_on(&d), vec![Some(3)]);
        d.apply(&Correction::MoveLine { line_no: 3, to: 1 }, &at).unwrap();
        assert_eq!(d.lines[0].description.as_deref(), Some("Sonderteil"));
        assert_eq!(d.lines.iter().map(|l| l.line_no).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(unknown_on(&d), vec![Some(1)]);
        assert_eq!(d.lines[1].sku.as_deref(), Some("A-100"));
        let (change, _) = d.apply(&Correction::RemoveLine { line_no: 1 }, &at).unwrap();
        assert_eq!(change.after, None);
        assert!(change.before.unwrap().starts_with("Sonderteil"));
        assert!(unknown_on(&d).is_empty());
        assert_eq!(
            d.lines
                .iter()
                .map(|l| (l.line_no, l.sku.as_deref()))
                .collect::<Vec<_>>(),
            vec![(1, Some("A-100")), (2, Some("B-200"))]
        );
        assert_eq!(
            Correction::parse("move_line", "", 2, 1, "").unwrap(),
            Correction::MoveLine { line_no: 2, to: 1 }
        );
    }
}

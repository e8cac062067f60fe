//! Quotes: an RFQ's lines priced by the pricing engine
//! (`domain::pricing::price`), the quote's lifecycle (draft → approval →
//! sent → accepted or rejected or expired → order), its PDF and mail, the
//! follow-up before it ends, and an acceptance read from a reply.
//!
//! The pure part — [`from_draft`], [`reprice`], [`Quote::apply`],
//! [`approval`], [`open_points`] — knows no store; [`act`] is the one
//! async shell every action goes through (browser and API alike): read,
//! decide with the domain's `next_state`, write in one store call.

use std::collections::HashMap;

use domain::customer::Customer;
use domain::event::Actor;
use domain::pricing::{PriceRequest, PriceStep, Priced, PricingPolicy};
use domain::quote::{
    ApprovalPolicy, ApprovalReason, LineToApprove, LostReason, QuoteAction, QuoteError, QuoteStatus, approval_reasons,
    next_state,
};
use domain::{CurrencyCode, UnitCode};
use jiff::civil::Date;
use matching::Catalog;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use store::Store;
use store::outbound::{MailAttachment, MailKind, NewMail};
use store::quotes::{NewQuote, QuoteChange, StoredQuote};

use crate::draft::Draft;
use crate::draft::model::Alternative;

/// How quotes are made (`[quotes]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteSettings {
    /// Draft a quote as soon as an RFQ from a known customer is read.
    pub auto_draft: bool,
    /// Our quote number is this prefix and the quote's id (`AN-17`).
    pub number_prefix: String,
    /// Days a quote is valid from the day it is drafted.
    pub validity_days: u32,
    /// Days before a sent quote ends when the sales team is reminded.
    pub follow_up_days: u32,
    /// Who is reminded; the `[sla]` escalation addresses when empty.
    pub follow_up_to: Vec<String>,
    pub pricing: PricingPolicy,
    pub approval: ApprovalPolicy,
    /// The German mail text, with `{quote}`, `{rfq}`, `{valid_until}` and
    /// `{signature}`; [`DEFAULT_TEXT_DE`] when empty.
    pub text_de: String,
    pub text_en: String,
}

impl Default for QuoteSettings {
    fn default() -> Self {
        QuoteSettings {
            auto_draft: true,
            number_prefix: "AN-".into(),
            validity_days: 30,
            follow_up_days: 3,
            follow_up_to: Vec::new(),
            pricing: PricingPolicy::default(),
            approval: ApprovalPolicy::default(),
            text_de: String::new(),
            text_en: String::new(),
        }
    }
}

impl QuoteSettings {
    pub fn check(&self) -> Result<(), String> {
        let problems: Vec<String> = self.pricing.check().iter().map(ToString::to_string).collect();
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        if self.validity_days == 0 || self.validity_days > 366 {
            return Err(format!("validity_days {} must be 1 to 366", self.validity_days));
        }
        if self.number_prefix.chars().count() > 12 {
            return Err("number_prefix may have at most 12 characters".into());
        }
        Ok(())
    }

    pub fn number(&self, id: i64) -> String {
        format!("{}{id}", self.number_prefix)
    }
}

pub const DEFAULT_TEXT_DE: &str = "Guten Tag,\n\nvielen Dank für Ihre Anfrage {rfq}. Anbei erhalten Sie unser Angebot {quote} als PDF; es gilt bis zum {valid_until}.\n\nZur Bestellung antworten Sie einfach auf diese Mail.\n\nMit freundlichen Grüßen\n{signature}\n";
pub const DEFAULT_TEXT_EN: &str = "Hello,\n\nthank you for your enquiry {rfq}. Please find our quotation {quote} attached as PDF; it is valid until {valid_until}.\n\nTo order, simply reply to this mail.\n\nKind regards\n{signature}\n";

/// The quote JSON: what is offered, line by line, with each price's explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub customer_no: String,
    #[serde(default)]
    pub customer_name: Option<String>,
    /// The customer's RFQ number.
    #[serde(default)]
    pub rfq_number: Option<String>,
    #[serde(default)]
    pub rfq_date: Option<Date>,
    pub currency: CurrencyCode,
    /// `de` or `en`.
    pub language: String,
    pub valid_until: Date,
    /// The day the prices were made.
    pub priced_on: Date,
    #[serde(default)]
    pub requested_delivery_date: Option<Date>,
    #[serde(default)]
    pub payment_terms: Option<String>,
    #[serde(default)]
    pub incoterms: Option<String>,
    /// A text printed above the lines.
    #[serde(default)]
    pub note: Option<String>,
    pub lines: Vec<QuoteLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteLine {
    pub line_no: u32,
    /// Our product; none for a free-text line (special make, service, freight) or one not yet matched.
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub customer_part_no: Option<String>,
    pub description: String,
    pub quantity: Decimal,
    /// UN/ECE Rec. 20.
    pub unit: String,
    /// Base units of the product per quoted unit.
    pub factor: Decimal,
    /// Per quoted unit; none while no price is known.
    #[serde(default)]
    pub unit_price: Option<Decimal>,
    /// Per base unit, with how it was made.
    #[serde(default)]
    pub priced: Option<Priced>,
    /// Why the engine gave no price.
    #[serde(default, deserialize_with = "pricing_problem")]
    pub pricing_problem: Option<PricingProblem>,
    /// The date we promise.
    #[serde(default)]
    pub delivery_date: Option<Date>,
    /// The date the customer asked for.
    #[serde(default)]
    pub requested_date: Option<Date>,
    #[serde(default)]
    pub in_stock: bool,
    /// A line without product: no product at all (special make, service).
    #[serde(default)]
    pub free_text: bool,
    /// For a line the RFQ named but we did not match: the best candidates.
    #[serde(default)]
    pub candidates: Vec<Alternative>,
    /// What the customer wrote.
    #[serde(default)]
    pub asked: Option<String>,
}

impl QuoteLine {
    pub fn amount(&self) -> Option<Decimal> {
        Some((self.quantity * self.unit_price?).round_dp(2))
    }

    /// Set by a person (the engine's price is shown beside it).
    pub fn price_by_hand(&self) -> Option<(String, Decimal)> {
        self.priced.as_ref()?.steps.iter().find_map(|s| match s {
            PriceStep::Manual { by, price } => Some((by.clone(), *price)),
            _ => None,
        })
    }

    /// Margin in percent of the price, when cost and price are known.
    pub fn margin_percent(&self) -> Option<Decimal> {
        let p = self.priced.as_ref()?;
        let cost = p.cost?;
        (p.unit_price > Decimal::ZERO)
            .then(|| ((p.unit_price - cost) / p.unit_price * Decimal::ONE_HUNDRED).round_dp(1))
    }
}

impl Quote {
    pub fn total(&self) -> Decimal {
        self.lines.iter().filter_map(QuoteLine::amount).sum()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(json: &str) -> Result<Quote, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// What pricing needs besides the quote.
pub struct PricingContext<'a> {
    pub catalog: &'a Catalog,
    pub policy: &'a PricingPolicy,
    pub today: Date,
}

fn add_days(d: Date, days: u32) -> Date {
    d.checked_add(jiff::Span::new().days(i64::from(days))).unwrap_or(d)
}

/// The quote of an RFQ draft: its lines with their products, quantities and
/// units, priced; lines we could not match stay open with their candidates.
/// `None` when the customer is not known (a quote needs one).
pub fn from_draft(draft: &Draft, ctx: &PricingContext<'_>, settings: &QuoteSettings) -> Option<Quote> {
    let customer_no = draft.customer.as_ref()?.customer_no.clone();
    let customer = ctx.catalog.customer(&customer_no)?;
    let currency = draft.currency.or(customer.currency).unwrap_or(CurrencyCode::EUR);
    let lines = draft
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let product = l.sku.as_deref().and_then(|s| ctx.catalog.product(s));
            let quantity = l.quantity.unwrap_or(Decimal::ONE);
            let factor = match (l.base_quantity, l.quantity) {
                (Some(b), Some(q)) if q > Decimal::ZERO => (b / q).normalize(),
                _ => Decimal::ONE,
            };
            let unit = l
                .uom
                .clone()
                .filter(|u| UnitCode::parse(u).is_ok())
                .or_else(|| product.map(|p| p.base_unit.as_str().to_owned()))
                .unwrap_or_else(|| "C62".into());
            QuoteLine {
                line_no: i as u32 + 1,
                sku: product.map(|p| p.sku.as_str().to_owned()),
                customer_part_no: l.customer_part_no.clone(),
                description: product
                    .map(|p| p.name.clone())
                    .or_else(|| l.description.clone())
                    .unwrap_or_default(),
                quantity,
                unit,
                factor,
                unit_price: None,
                priced: None,
                pricing_problem: None,
                delivery_date: None,
                requested_date: l.delivery_date,
                in_stock: false,
                free_text: false,
                candidates: if product.is_none() {
                    l.alternatives.clone()
                } else {
                    Vec::new()
                },
                asked: l.description.clone().or_else(|| l.printed_code.clone()),
            }
        })
        .collect();
    let mut quote = Quote {
        customer_no,
        customer_name: Some(customer.name.clone()),
        rfq_number: draft.po_number.clone(),
        rfq_date: draft.order_date,
        currency,
        language: crate::outbound::language_for(customer.language.as_deref(), draft.sender.as_deref().unwrap_or(""))
            .into(),
        valid_until: add_days(ctx.today, settings.validity_days),
        priced_on: ctx.today,
        requested_delivery_date: draft.requested_delivery_date,
        payment_terms: draft.payment_terms.clone().or_else(|| customer.payment_terms.clone()),
        incoterms: draft.incoterms.clone(),
        note: None,
        lines,
    };
    reprice(&mut quote, ctx);
    Some(quote)
}

/// Prices every line with a product again (a price set by hand is kept,
/// on top of the engine's) and promises a delivery date from stock and lead time.
pub fn reprice(quote: &mut Quote, ctx: &PricingContext<'_>) {
    let Some(customer) = ctx.catalog.customer(&quote.customer_no) else {
        return;
    };
    quote.priced_on = ctx.today;
    let header_requested = quote.requested_delivery_date;
    let currency = quote.currency;
    for line in &mut quote.lines {
        price_line(line, customer, currency, header_requested, ctx);
    }
}

fn price_line(
    line: &mut QuoteLine,
    customer: &Customer,
    currency: CurrencyCode,
    header_requested: Option<Date>,
    ctx: &PricingContext<'_>,
) {
    let by_hand = line.price_by_hand();
    let Some(sku) = line.sku.clone() else {
        // A free-text line keeps the price a person gave it.
        line.pricing_problem = None;
        if let Some((by, price)) = by_hand {
            line.priced = Some(hand_priced(price, &by, None));
        }
        line.unit_price = line.priced.as_ref().map(|p| (p.unit_price * line.factor).round_dp(4));
        return;
    };
    let Some(product) = ctx.catalog.product(&sku) else {
        line.pricing_problem = Some(PricingProblem::NotInCatalog(sku));
        line.priced = by_hand.map(|(by, price)| hand_priced(price, &by, None));
        line.unit_price = line.priced.as_ref().map(|p| (p.unit_price * line.factor).round_dp(4));
        return;
    };
    let base_quantity = line.quantity * line.factor;
    let request = PriceRequest {
        customer_no: &customer.customer_no,
        price_list: customer.price_list.as_ref(),
        currency,
        product,
        base_quantity,
        on: ctx.today,
    };
    let priced = match domain::pricing::price(&ctx.catalog.prices_of(&sku), ctx.policy, &request) {
        Ok(priced) => {
            line.pricing_problem = None;
            Some(match by_hand {
                Some((by, price)) => priced.set_by_hand(price, &by),
                None => priced,
            })
        }
        Err(e) => {
            line.pricing_problem = Some(PricingProblem::Pricing(e));
            by_hand.map(|(by, price)| hand_priced(price, &by, product.cost))
        }
    };
    line.unit_price = priced.as_ref().map(|p| (p.unit_price * line.factor).round_dp(4));
    line.priced = priced;
    let requested = line.requested_date.or(header_requested);
    let on = requested.unwrap_or(ctx.today);
    let available = domain::stock::available_by(&ctx.catalog.stock_of(&sku), on);
    line.in_stock = available >= base_quantity;
    line.delivery_date =
        crate::confirmation::confirmed_delivery(requested, ctx.today, product.lead_time_days, line.in_stock)
            .or(Some(ctx.today));
}

/// A price with no engine price under it: only the person's.
fn hand_priced(price: Decimal, by: &str, cost: Option<Decimal>) -> Priced {
    Priced {
        unit_price: price,
        steps: Vec::new(),
        cost,
        floor: None,
        warnings: Vec::new(),
    }
    .set_by_hand(price, by)
}

/// Why the quote needs a manager before it goes out.
pub fn approval(quote: &Quote, policy: &ApprovalPolicy) -> Vec<ApprovalReason> {
    let lines: Vec<LineToApprove<'_>> = quote
        .lines
        .iter()
        .map(|l| LineToApprove {
            line_no: l.line_no,
            // A free-text line has no list price to hold it against.
            priced: l.priced.as_ref().filter(|_| !l.free_text),
        })
        .collect();
    approval_reasons(&lines, quote.total(), policy)
}

/// Why the engine gave a quote line no price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum PricingProblem {
    #[error("product {0} is not in the catalog")]
    NotInCatalog(String),
    #[error(transparent)]
    Pricing(domain::pricing::PricingError),
    /// Said in words by an earlier version of the quote; the next pricing
    /// replaces it by one of the others.
    #[error("{0}")]
    Said(String),
}

/// A pricing problem as stored: typed, or the words a quote kept before.
fn pricing_problem<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PricingProblem>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Typed(PricingProblem),
        Said(String),
    }
    Ok(Option::<Stored>::deserialize(d)?.map(|s| match s {
        Stored::Typed(p) => p,
        Stored::Said(words) => PricingProblem::Said(words),
    }))
}

/// One thing that keeps a quote from being sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotePoint {
    #[error("the quote has no lines")]
    NoLines,
    #[error("line {0} has no product: choose one, or make it a free-text line with a price")]
    NoProduct(u32),
    #[error("line {0} has no price")]
    NoPrice(u32),
    #[error("line {0} has no price: {1}")]
    Unpriced(u32, PricingProblem),
    #[error("line {0} has no quantity")]
    NoQuantity(u32),
}

/// What keeps the quote from being sent (empty when it can go).
pub fn open_points(quote: &Quote) -> Vec<QuotePoint> {
    let mut out = Vec::new();
    if quote.lines.is_empty() {
        out.push(QuotePoint::NoLines);
    }
    for l in &quote.lines {
        if l.sku.is_none() && !l.free_text {
            out.push(QuotePoint::NoProduct(l.line_no));
        } else if l.unit_price.is_none() {
            out.push(match &l.pricing_problem {
                Some(why) => QuotePoint::Unpriced(l.line_no, why.clone()),
                None => QuotePoint::NoPrice(l.line_no),
            });
        }
        if l.quantity <= Decimal::ZERO {
            out.push(QuotePoint::NoQuantity(l.line_no));
        }
    }
    out
}

/// One change a person makes in the quote editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum QuoteEdit {
    Quantity {
        line_no: u32,
        quantity: Decimal,
    },
    /// A price per quoted unit set by hand; `None` takes the engine's again.
    Price {
        line_no: u32,
        price: Option<Decimal>,
    },
    Product {
        line_no: u32,
        sku: String,
    },
    Description {
        line_no: u32,
        text: String,
    },
    DeliveryDate {
        line_no: u32,
        date: Option<Date>,
    },
    Remove {
        line_no: u32,
    },
    /// A new line: with a product, or free text with its own price.
    Add {
        sku: Option<String>,
        description: String,
        quantity: Decimal,
        unit: String,
        price: Option<Decimal>,
    },
    ValidUntil {
        date: Date,
    },
    Note {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteEditError {
    #[error("the quote has no line {0}")]
    NoLine(u32),
    #[error("product '{0}' is not in the catalog")]
    UnknownProduct(String),
    #[error("the quantity must be more than 0 (got {0})")]
    Quantity(Decimal),
    #[error("the price must not be negative (got {0})")]
    Price(Decimal),
    #[error("'{0}' is not a UN/ECE Rec. 20 unit code (C62 piece, MTR metre, KGM kilogram …)")]
    Unit(String),
    #[error("the validity date {0} is in the past")]
    PastDate(Date),
    #[error("a free-text line needs a description and a price")]
    FreeTextIncomplete,
    #[error("a quote has at most {0} lines")]
    TooManyLines(usize),
}

/// The most lines one quote takes (its PDF prints them all).
pub const MAX_LINES: usize = 2000;

impl Quote {
    /// Applies one edit; [`reprice`] afterwards prices the result.
    pub fn apply(&mut self, edit: &QuoteEdit, catalog: &Catalog, today: Date, by: &str) -> Result<(), QuoteEditError> {
        let line_of = |lines: &mut Vec<QuoteLine>, n: u32| -> Result<usize, QuoteEditError> {
            lines
                .iter()
                .position(|l| l.line_no == n)
                .ok_or(QuoteEditError::NoLine(n))
        };
        match edit {
            QuoteEdit::Quantity { line_no, quantity } => {
                if *quantity <= Decimal::ZERO {
                    return Err(QuoteEditError::Quantity(*quantity));
                }
                let i = line_of(&mut self.lines, *line_no)?;
                self.lines[i].quantity = *quantity;
            }
            QuoteEdit::Price { line_no, price } => {
                let i = line_of(&mut self.lines, *line_no)?;
                let line = &mut self.lines[i];
                match price {
                    Some(p) if *p < Decimal::ZERO => return Err(QuoteEditError::Price(*p)),
                    Some(p) => {
                        let per_base = if line.factor > Decimal::ZERO {
                            *p / line.factor
                        } else {
                            *p
                        };
                        let cost = line.priced.as_ref().and_then(|x| x.cost);
                        line.priced = Some(match line.priced.take() {
                            Some(priced) => priced.set_by_hand(per_base, by),
                            None => hand_priced(per_base, by, cost),
                        });
                    }
                    None => {
                        if let Some(priced) = &mut line.priced {
                            priced.steps.retain(|s| !matches!(s, PriceStep::Manual { .. }));
                            if priced.steps.is_empty() {
                                line.priced = None;
                            }
                        }
                    }
                }
            }
            QuoteEdit::Product { line_no, sku } => {
                let product = catalog
                    .product(sku.trim())
                    .ok_or_else(|| QuoteEditError::UnknownProduct(sku.clone()))?;
                let i = line_of(&mut self.lines, *line_no)?;
                let line = &mut self.lines[i];
                line.sku = Some(product.sku.as_str().to_owned());
                line.description = product.name.clone();
                line.unit = product.base_unit.as_str().to_owned();
                line.factor = Decimal::ONE;
                line.free_text = false;
                line.candidates.clear();
                line.priced = None;
            }
            QuoteEdit::Description { line_no, text } => {
                let i = line_of(&mut self.lines, *line_no)?;
                self.lines[i].description = text.trim().to_owned();
            }
            QuoteEdit::DeliveryDate { line_no, date } => {
                let i = line_of(&mut self.lines, *line_no)?;
                self.lines[i].requested_date = *date;
            }
            QuoteEdit::Remove { line_no } => {
                let i = line_of(&mut self.lines, *line_no)?;
                self.lines.remove(i);
            }
            QuoteEdit::Add {
                sku,
                description,
                quantity,
                unit,
                price,
            } => {
                if self.lines.len() >= MAX_LINES {
                    return Err(QuoteEditError::TooManyLines(MAX_LINES));
                }
                if *quantity <= Decimal::ZERO {
                    return Err(QuoteEditError::Quantity(*quantity));
                }
                let product = match sku.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    Some(s) => Some(
                        catalog
                            .product(s)
                            .ok_or_else(|| QuoteEditError::UnknownProduct(s.to_owned()))?,
                    ),
                    None => None,
                };
                let unit = match product {
                    Some(p) if unit.trim().is_empty() => p.base_unit.as_str().to_owned(),
                    _ => UnitCode::parse(unit.trim())
                        .map_err(|_| QuoteEditError::Unit(unit.clone()))?
                        .as_str()
                        .to_owned(),
                };
                if product.is_none() && (description.trim().is_empty() || price.is_none()) {
                    return Err(QuoteEditError::FreeTextIncomplete);
                }
                if let Some(p) = price.filter(|p| *p < Decimal::ZERO) {
                    return Err(QuoteEditError::Price(p));
                }
                let line_no = self.lines.iter().map(|l| l.line_no).max().unwrap_or(0) + 1;
                self.lines.push(QuoteLine {
                    line_no,
                    sku: product.map(|p| p.sku.as_str().to_owned()),
                    customer_part_no: None,
                    description: if description.trim().is_empty() {
                        product.map(|p| p.name.clone()).unwrap_or_default()
                    } else {
                        description.trim().to_owned()
                    },
                    quantity: *quantity,
                    unit,
                    factor: Decimal::ONE,
                    unit_price: None,
                    priced: price.map(|p| hand_priced(p, by, product.and_then(|x| x.cost))),
                    pricing_problem: None,
                    delivery_date: None,
                    requested_date: None,
                    in_stock: false,
                    free_text: product.is_none(),
                    candidates: Vec::new(),
                    asked: None,
                });
            }
            QuoteEdit::ValidUntil { date } => {
                if *date < today {
                    return Err(QuoteEditError::PastDate(*date));
                }
                self.valid_until = *date;
            }
            QuoteEdit::Note { text } => {
                self.note = Some(text.trim().to_owned()).filter(|t| !t.is_empty());
            }
        }
        Ok(())
    }
}

/// The quote as its PDF prints it.
pub fn document(
    quote: &Quote,
    number: &str,
    revision: u32,
    customer: Option<&Customer>,
    today: Date,
    signature: &str,
    home_country: &str,
) -> printout::Confirmation {
    let language = printout::Language::from_code(&quote.language);
    let mut bill_to = vec![quote.customer_name.clone().unwrap_or_else(|| quote.customer_no.clone())];
    if let Some(c) = customer {
        let a = &c.billing_address;
        bill_to.extend(a.street.clone());
        let town = format!("{} {}", a.zip.as_deref().unwrap_or(""), a.city.as_deref().unwrap_or(""));
        if !town.trim().is_empty() {
            bill_to.push(town.trim().to_owned());
        }
        if let Some(country) = a
            .country
            .as_ref()
            .and_then(|code| crate::confirmation::country_line(code.as_str(), language, home_country))
        {
            bill_to.push(country);
        }
    }
    printout::Confirmation {
        purpose: printout::Purpose::Quote {
            valid_until: quote.valid_until,
        },
        language,
        number: number.to_owned(),
        date: today,
        revision,
        customer_no: Some(quote.customer_no.clone()),
        customer_po: quote.rfq_number.clone(),
        po_date: quote.rfq_date,
        requested_delivery: quote.requested_delivery_date,
        contact: None,
        bill_to,
        ship_to: None,
        currency: quote.currency.to_string(),
        lines: quote
            .lines
            .iter()
            .map(|l| printout::ConfirmedLine {
                line_no: l.line_no,
                sku: l.sku.clone(),
                customer_part_no: l.customer_part_no.clone(),
                description: l.description.clone(),
                quantity: l.quantity,
                unit: l.unit.clone(),
                unit_price: l.unit_price.unwrap_or_default(),
                delivery_date: l.delivery_date,
                changes: Vec::new(),
            })
            .collect(),
        payment_terms: quote.payment_terms.clone(),
        incoterms: quote.incoterms.clone(),
        signature: signature.to_owned(),
    }
}

/// Subject and text of the quote mail.
pub fn mail_text(quote: &Quote, number: &str, settings: &QuoteSettings, signature: &str) -> (String, String) {
    let german = quote.language == "de";
    let rfq = quote.rfq_number.clone().unwrap_or_default();
    let valid = printout::date(quote.valid_until, printout::Language::from_code(&quote.language));
    let template = match (
        german,
        settings.text_de.trim().is_empty(),
        settings.text_en.trim().is_empty(),
    ) {
        (true, false, _) => settings.text_de.as_str(),
        (true, true, _) => DEFAULT_TEXT_DE,
        (false, _, false) => settings.text_en.as_str(),
        (false, _, true) => DEFAULT_TEXT_EN,
    };
    let body = crate::outbound::fill(
        template,
        &[
            ("{quote}", number),
            ("{rfq}", &rfq),
            ("{valid_until}", &valid),
            ("{signature}", signature),
        ],
    );
    let body = body.replace("  ", " ").replace(" .", ".");
    let subject = match (german, rfq.is_empty()) {
        (true, false) => format!("Angebot {number} zu Ihrer Anfrage {rfq}"),
        (true, true) => format!("Angebot {number}"),
        (false, false) => format!("Quotation {number} for your enquiry {rfq}"),
        (false, true) => format!("Quotation {number}"),
    };
    (subject, body)
}

/// Whether a customer's reply reads as taking the quote ("Auftrag erteilt",
/// "we accept", "bitte liefern Sie"); a refusal or a question does not.
pub fn reads_as_acceptance(text: &str) -> bool {
    let t = text.to_lowercase();
    // Only the customer's own words, not the quoted mail below them.
    let own: String = t
        .lines()
        .take_while(|l| !l.starts_with('>') && !l.contains("-----") && !l.starts_with("am ") && !l.starts_with("on "))
        .collect::<Vec<_>>()
        .join(" ");
    let declines = [
        "nicht an",
        "lehnen",
        "absage",
        "kein interesse",
        "zu teuer",
        "anderweitig",
        "not accept",
        "decline",
        "no longer",
        "too expensive",
        "elsewhere",
        "nicht beauftragen",
    ];
    if declines.iter().any(|d| own.contains(d)) {
        return false;
    }
    let accepts = [
        "auftrag erteilt",
        "erteilen ihnen den auftrag",
        "erteilen wir ihnen den auftrag",
        "nehmen ihr angebot an",
        "nehmen das angebot an",
        "angebot annehmen",
        "angebot wird angenommen",
        "bestellen wir gemäß",
        "bestellen wir gemäss",
        "bestellen gemäß ihrem angebot",
        "bitte liefern sie",
        "einverstanden",
        "we accept",
        "accept your quot",
        "accept the quot",
        "accepted",
        "please proceed",
        "go ahead",
        "we would like to order",
        "please supply",
        "we hereby order",
    ];
    accepts.iter().any(|a| own.contains(a))
}

/// What is done to a quote, as the browser and the API ask for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Edit(Vec<QuoteEdit>),
    /// The engine's prices again, as of today.
    Reprice,
    RequestApproval,
    Approve {
        note: String,
    },
    Decline {
        note: String,
    },
    Send,
    Accept {
        note: Option<String>,
    },
    Reject {
        reason: LostReason,
        note: Option<String>,
    },
    /// The accepted quote as an order, its prices locked; the customer's
    /// PO number when they gave one.
    Order {
        po_number: Option<String>,
    },
    /// The reply read as an acceptance was none.
    DismissAcceptance,
}

#[derive(Debug, thiserror::Error)]
pub enum QuoteActionError {
    #[error("quote {0} does not exist")]
    NotFound(i64),
    #[error("the quote was changed meanwhile (now revision {0}); reload it and try again")]
    Conflict(u32),
    #[error(transparent)]
    Transition(#[from] QuoteError),
    #[error(transparent)]
    Edit(#[from] QuoteEditError),
    #[error("the quote cannot be sent yet: {}", said(.0))]
    Open(Vec<QuotePoint>),
    #[error("the quote cannot be mailed: no SMTP server is set (settings, mail)")]
    NoSmtpServer,
    #[error("the quote cannot be mailed: neither the RFQ's sender nor the customer has a mail address")]
    NoAddress,
    #[error("a reason is needed")]
    NoReason,
    #[error("the quote cannot be printed: {0}")]
    Print(String),
    #[error("the stored quote {0} cannot be read: {1}")]
    Unreadable(i64, String),
    #[error(transparent)]
    Catalog(#[from] crate::draft::CatalogError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Several points in one sentence.
fn said(points: &[QuotePoint]) -> String {
    points.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// What a quote action needs from the process: the store, the catalog,
/// and the settings in force.
pub struct Desk<'a> {
    pub store: &'a Store,
    pub catalog: &'a crate::draft::CatalogCache,
    pub quotes: &'a QuoteSettings,
    pub outbox: &'a crate::outbound::Outbox,
    pub today: Date,
}

/// How an action ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Changed,
    Ordered(i64),
}

/// Does one action to a quote: decided on the state read (`revision` is
/// the one the person saw, when the page said), written in one transaction.
pub async fn act(
    desk: &Desk<'_>,
    id: i64,
    revision: Option<u32>,
    command: Command,
    user: &str,
) -> Result<Done, QuoteActionError> {
    let stored = desk.store.quote(id).await?.ok_or(QuoteActionError::NotFound(id))?;
    if revision.is_some_and(|r| r != stored.state.revision) {
        return Err(QuoteActionError::Conflict(stored.state.revision));
    }
    let mut quote = Quote::from_json(&stored.content).map_err(|e| QuoteActionError::Unreadable(id, e.to_string()))?;
    let actor = Actor::User(user.to_owned());
    let reasons = approval(&quote, &desk.quotes.approval);
    let step = |action| next_state(stored.state, action, &reasons);
    let change = match command {
        Command::Edit(edits) => {
            let state = step(QuoteAction::Revise)?;
            let catalog = desk.catalog.get(desk.store, std::time::Duration::from_secs(60)).await?;
            {
                let catalog = catalog.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                for edit in &edits {
                    quote.apply(edit, &catalog, desk.today, user)?;
                }
                let ctx = PricingContext {
                    catalog: &catalog,
                    policy: &desk.quotes.pricing,
                    today: quote.priced_on,
                };
                reprice(&mut quote, &ctx);
            }
            QuoteChange {
                content: Some((quote.to_json(), quote.total())),
                valid_until: Some(quote.valid_until),
                ..QuoteChange::new(stored.state, state, QuoteAction::Revise.as_str())
            }
        }
        Command::Reprice => {
            let state = step(QuoteAction::Revise)?;
            let catalog = desk.catalog.get(desk.store, std::time::Duration::from_secs(60)).await?;
            {
                let catalog = catalog.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                let ctx = PricingContext {
                    catalog: &catalog,
                    policy: &desk.quotes.pricing,
                    today: desk.today,
                };
                reprice(&mut quote, &ctx);
            }
            QuoteChange {
                content: Some((quote.to_json(), quote.total())),
                ..QuoteChange::new(stored.state, state, "repriced")
            }
        }
        Command::RequestApproval => {
            let state = step(QuoteAction::RequestApproval)?;
            let why = reasons.iter().map(ApprovalReason::text).collect::<Vec<_>>().join("; ");
            QuoteChange {
                note: Some(why),
                ..QuoteChange::new(stored.state, state, QuoteAction::RequestApproval.as_str())
            }
        }
        Command::Approve { note } | Command::Decline { note } if note.trim().is_empty() => {
            return Err(QuoteActionError::NoReason);
        }
        Command::Approve { note } => QuoteChange {
            note: Some(note.trim().to_owned()),
            ..QuoteChange::new(stored.state, step(QuoteAction::Approve)?, QuoteAction::Approve.as_str())
        },
        Command::Decline { note } => QuoteChange {
            note: Some(note.trim().to_owned()),
            ..QuoteChange::new(stored.state, step(QuoteAction::Decline)?, QuoteAction::Decline.as_str())
        },
        Command::Send => {
            let open = open_points(&quote);
            if !open.is_empty() {
                return Err(QuoteActionError::Open(open));
            }
            let state = step(QuoteAction::Send)?;
            let mail = quote_mail(desk, &stored, &quote).await?;
            QuoteChange {
                mail: Some(mail),
                ..QuoteChange::new(stored.state, state, QuoteAction::Send.as_str())
            }
        }
        Command::Accept { note } => QuoteChange {
            note: note.filter(|n| !n.trim().is_empty()),
            clear_acceptance: true,
            ..QuoteChange::new(stored.state, step(QuoteAction::Accept)?, QuoteAction::Accept.as_str())
        },
        Command::Reject { reason, note } => QuoteChange {
            note: note.filter(|n| !n.trim().is_empty()),
            lost_reason: Some(reason),
            clear_acceptance: true,
            ..QuoteChange::new(stored.state, step(QuoteAction::Reject)?, QuoteAction::Reject.as_str())
        },
        Command::Order { po_number } => {
            let state = step(QuoteAction::Order)?;
            let order = order_of(desk, &stored, &quote, po_number).await?;
            QuoteChange {
                order: Some(order),
                ..QuoteChange::new(stored.state, state, QuoteAction::Order.as_str())
            }
        }
        Command::DismissAcceptance => QuoteChange {
            clear_acceptance: true,
            ..QuoteChange::new(stored.state, stored.state, "acceptance_dismissed")
        },
    };
    match desk
        .store
        .change_quote(id, &change, &actor, jiff::Timestamp::now())
        .await?
    {
        None => {
            let now = desk
                .store
                .quote(id)
                .await?
                .map(|q| q.state.revision)
                .unwrap_or_default();
            Err(QuoteActionError::Conflict(now))
        }
        Some(Some(order_id)) => Ok(Done::Ordered(order_id)),
        Some(None) => Ok(Done::Changed),
    }
}

/// The quote's PDF as it goes out now, with its title and the signature
/// it was signed with; `outbox` is the one in force. The preview and the
/// mail both print through here.
pub async fn print(
    store: &Store,
    outbox: &crate::outbound::Outbox,
    settings: &QuoteSettings,
    stored: &StoredQuote,
    quote: &Quote,
    today: Date,
) -> Result<(Vec<u8>, String, String), QuoteActionError> {
    let customer = store.customer(&stored.customer_no).await?;
    let signature = if outbox.letter.confirmations.signature.trim().is_empty() {
        crate::outbound::sender_name(&outbox.smtp)
    } else {
        outbox.letter.confirmations.signature.trim().to_owned()
    };
    let home = if outbox.letter.company.country.trim().is_empty() {
        "DE".to_owned()
    } else {
        outbox.letter.company.country.clone()
    };
    let doc = document(
        quote,
        &settings.number(stored.id),
        stored.state.revision,
        customer.as_ref(),
        today,
        &signature,
        &home,
    );
    let logo = crate::confirmation::logo_of(store, &outbox.letter.company).await;
    let head = outbox.letter.company.letterhead(logo);
    let title = doc.title();
    let printed = tokio::task::spawn_blocking(move || printout::render_confirmation(&doc, &head))
        .await
        .map_err(|e| QuoteActionError::Print(e.to_string()))?
        .map_err(|e| QuoteActionError::Print(e.to_string()))?;
    Ok((printed, title, signature))
}

/// The quote mail with its PDF (stored in the blob store first), threaded
/// to the RFQ and going to whoever sent it.
async fn quote_mail(desk: &Desk<'_>, stored: &StoredQuote, quote: &Quote) -> Result<NewMail, QuoteActionError> {
    let outbox = crate::settings::outbox(desk.store, desk.outbox).await?;
    if outbox.smtp.host.trim().is_empty() {
        return Err(QuoteActionError::NoSmtpServer);
    }
    let customer = desk.store.customer(&stored.customer_no).await?;
    let message = desk.store.message(stored.message_id).await?;
    let thread = match &message {
        Some(m) => {
            let blobs = desk.store.blobs().clone();
            let sha = m.sha256.clone();
            match tokio::task::spawn_blocking(move || blobs.get(&sha)).await {
                Ok(Ok(bytes)) => crate::outbound::thread_of(&bytes),
                _ => crate::outbound::Thread::default(),
            }
        }
        None => crate::outbound::Thread::default(),
    };
    let to = thread
        .reply_to
        .clone()
        .filter(|_| thread.automatic.is_none())
        .or_else(|| customer.as_ref().and_then(|c| c.emails.first().cloned()))
        .ok_or(QuoteActionError::NoAddress)?;
    let number = desk.quotes.number(stored.id);
    let (printed, title, signature) = print(desk.store, &outbox, desk.quotes, stored, quote, desk.today).await?;
    let blobs = desk.store.blobs().clone();
    let sha256 = tokio::task::spawn_blocking(move || blobs.put(&printed))
        .await
        .map_err(|e| QuoteActionError::Print(e.to_string()))?
        .map_err(|e| QuoteActionError::Print(e.to_string()))?;
    let (subject, body) = mail_text(quote, &number, desk.quotes, &signature);
    let mut references = thread.references.clone();
    if let Some(m) = &thread.message_id
        && !references.contains(m)
    {
        references.push(m.clone());
    }
    Ok(NewMail {
        kind: MailKind::Quote,
        message_id: Some(stored.message_id),
        order_id: None,
        dedupe_key: format!("quote:{}:r{}", stored.id, stored.state.revision),
        language: quote.language.clone(),
        to,
        subject,
        body,
        mail_message_id: format!(
            "<quote-{}-r{}-{:016x}@{}>",
            stored.id,
            stored.state.revision,
            fastrand::u64(..),
            crate::outbound::sender_domain(&outbox.smtp)
        ),
        in_reply_to: thread.message_id.clone(),
        references,
        attachment: Some(MailAttachment {
            name: format!("{title}.pdf"),
            content_type: "application/pdf".into(),
            sha256,
        }),
    })
}

/// The order an accepted quote becomes: the RFQ's draft as an order with
/// the quote's lines and prices, and its confirmation.
async fn order_of(
    desk: &Desk<'_>,
    stored: &StoredQuote,
    quote: &Quote,
    po_number: Option<String>,
) -> Result<store::orders::NewOrder, QuoteActionError> {
    let draft_row = desk
        .store
        .draft(stored.draft_id)
        .await?
        .ok_or_else(|| QuoteActionError::Unreadable(stored.id, "its RFQ draft is gone".into()))?;
    let mut draft =
        Draft::from_json(&draft_row.extraction).map_err(|e| QuoteActionError::Unreadable(stored.id, e.to_string()))?;
    draft.kind = domain::message::MessageKind::Order;
    draft.po_number = po_number
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .or_else(|| quote.rfq_number.clone())
        .or_else(|| Some(desk.quotes.number(stored.id)));
    draft.currency = Some(quote.currency);
    if draft.customer.is_none() {
        draft.customer = Some(crate::draft::model::DraftCustomer {
            customer_no: quote.customer_no.clone(),
            confidence: 1.0,
            name: quote.customer_name.clone(),
            matched_via: None,
        });
    }
    let mut prices = HashMap::new();
    draft.lines = quote
        .lines
        .iter()
        .map(|l| {
            prices.insert(l.line_no, l.unit_price);
            crate::draft::model::DraftLine {
                line_no: l.line_no,
                sku: l.sku.clone(),
                customer_part_no: l.customer_part_no.clone(),
                description: Some(l.description.clone()),
                quantity: Some(l.quantity),
                uom: Some(l.unit.clone()),
                // The quoted price, locked: the order is sold at it.
                unit_price: l.unit_price,
                delivery_date: l.delivery_date,
                confidence: 1.0,
                alternatives: Vec::new(),
                customer_line_no: None,
                gtin: None,
                base_quantity: Some(l.quantity * l.factor),
                expected_price: l.unit_price,
                matched_via: None,
                change_type: None,
                printed_code: None,
                source: None,
                // A quote's own line (a special make) is ordered as written.
                free_text: l.sku.is_none(),
            }
        })
        .collect();
    draft.exceptions.clear();
    draft.review_reasons.clear();
    let mut order = crate::review::new_order(&draft);
    let ordered = crate::confirmation::Ordered {
        customer_no: Some(&quote.customer_no),
        message_id: stored.message_id,
        part: &draft_row.part,
        thread: None,
        documents_json: None,
    };
    order.mails = crate::confirmation::confirmation_for(desk.store, desk.outbox, &ordered).await?;
    // A quote answered by EDI is still confirmed by PDF mail.
    order.mails.retain(|m| m.kind == MailKind::Confirmation);
    Ok(order)
}

#[derive(Debug, thiserror::Error)]
pub enum MakeQuoteError {
    #[error("draft {0} does not exist")]
    NoDraft(i64),
    #[error("draft {0} is a message of kind {1}, not an RFQ")]
    NotAnRfq(i64, &'static str),
    #[error("the customer is not known: set the customer on the draft first")]
    NoCustomer,
    #[error("the draft was changed meanwhile; reload it and try again")]
    Conflict,
    #[error("the stored draft cannot be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Catalog(#[from] crate::draft::CatalogError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// A quote made by a person from an RFQ draft in review (the customer
/// set by hand, say); the draft is done with it. Returns the quote's id.
pub async fn make_from_draft(desk: &Desk<'_>, draft_id: i64, version: i64, user: &str) -> Result<i64, MakeQuoteError> {
    let stored = desk
        .store
        .draft(draft_id)
        .await?
        .ok_or(MakeQuoteError::NoDraft(draft_id))?;
    if stored.kind != domain::message::MessageKind::Rfq {
        return Err(MakeQuoteError::NotAnRfq(draft_id, stored.kind.as_str()));
    }
    let draft = Draft::from_json(&stored.extraction).map_err(|e| MakeQuoteError::Unreadable(e.to_string()))?;
    let received = desk
        .store
        .message(stored.message_id)
        .await?
        .map(|m| m.received_at)
        .unwrap_or(stored.created_at);
    let catalog = desk.catalog.get(desk.store, std::time::Duration::from_secs(60)).await?;
    let quote = {
        let catalog = catalog.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let ctx = PricingContext {
            catalog: &catalog,
            policy: &desk.quotes.pricing,
            today: desk.today,
        };
        from_draft(&draft, &ctx, desk.quotes).ok_or(MakeQuoteError::NoCustomer)?
    };
    let new = new_quote(&quote, received, stored.due_at.unwrap_or(received));
    desk.store
        .quote_from_draft(
            draft_id,
            version,
            &new,
            &Actor::User(user.to_owned()),
            jiff::Timestamp::now(),
        )
        .await?
        .ok_or(MakeQuoteError::Conflict)
}

/// A copy of a quote as a new draft: priced again today, valid from today,
/// without the original's approval (approval is never copied). Returns its id.
pub async fn copy(desk: &Desk<'_>, id: i64, user: &str) -> Result<i64, QuoteActionError> {
    let stored = desk.store.quote(id).await?.ok_or(QuoteActionError::NotFound(id))?;
    let mut quote = Quote::from_json(&stored.content).map_err(|e| QuoteActionError::Unreadable(id, e.to_string()))?;
    quote.valid_until = add_days(desk.today, desk.quotes.validity_days);
    let catalog = desk.catalog.get(desk.store, std::time::Duration::from_secs(60)).await?;
    {
        let catalog = catalog.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let ctx = PricingContext {
            catalog: &catalog,
            policy: &desk.quotes.pricing,
            today: desk.today,
        };
        reprice(&mut quote, &ctx);
    }
    let new = new_quote(&quote, stored.rfq_received_at, stored.due_at);
    Ok(desk
        .store
        .copy_quote(&stored, &new, &Actor::User(user.to_owned()), jiff::Timestamp::now())
        .await?)
}

/// The quote drafted with an RFQ's draft, as the store inserts it.
pub fn new_quote(quote: &Quote, received: jiff::Timestamp, due_at: jiff::Timestamp) -> NewQuote {
    NewQuote {
        customer_no: quote.customer_no.clone(),
        rfq_number: quote.rfq_number.clone(),
        currency: quote.currency,
        valid_until: quote.valid_until,
        total: quote.total(),
        content: quote.to_json(),
        rfq_received_at: received,
        due_at,
    }
}

/// What one round of [`tend`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tended {
    pub expired: usize,
    /// Sent quotes ending soon, the sales team reminded.
    pub reminded: usize,
    /// Quotes past their due time and not sent, the managers told.
    pub escalated: usize,
}

/// What the clock does for quotes: expired ones marked, the sales team
/// reminded of those ending soon, the managers told of those not sent by
/// their due time (each once). Run by `serve` with the SLA round.
pub async fn tend(
    store: &Store,
    settings: &QuoteSettings,
    outbox: &crate::outbound::Outbox,
    escalate_to: &[String],
    today: Date,
    now: jiff::Timestamp,
) -> Result<Tended, store::StoreError> {
    let expired = store.expire_quotes(today, now).await?;
    let outbox = crate::settings::outbox(store, outbox).await?;
    let follow_up_to: Vec<String> = if settings.follow_up_to.is_empty() {
        escalate_to.to_vec()
    } else {
        settings.follow_up_to.clone()
    };
    let domain = crate::outbound::sender_domain(&outbox.smtp).to_owned();
    let mailing = !outbox.smtp.host.trim().is_empty();
    let internal = |kind: MailKind, to: &[String], q: &StoredQuote, subject: String, body: String| -> Option<NewMail> {
        (mailing && !to.is_empty()).then(|| NewMail {
            kind,
            message_id: Some(q.message_id),
            order_id: None,
            dedupe_key: format!("{}:{}", kind.as_str(), q.id),
            language: "de".into(),
            to: to.join(", "),
            subject,
            body,
            mail_message_id: format!("<{}-{}-{:016x}@{domain}>", kind.as_str(), q.id, fastrand::u64(..)),
            in_reply_to: None,
            references: Vec::new(),
            attachment: None,
        })
    };
    let follow_up = |q: &StoredQuote| {
        let number = settings.number(q.id);
        internal(
            MailKind::QuoteFollowUp,
            &follow_up_to,
            q,
            format!("Angebot {number} läuft am {} ab / quotation ends", q.valid_until),
            format!(
                "Angebot {number} an Kunde {} ({} {}) gilt bis {} und ist noch nicht beantwortet. Bitte beim Kunden nachfassen.\n\n\
                 Quotation {number} to customer {} is valid until {} and has no answer yet. Please follow up.\n",
                q.customer_no, q.total, q.currency, q.valid_until, q.customer_no, q.valid_until
            ),
        )
    };
    let by = add_days(today, settings.follow_up_days);
    let reminded = store.remind_expiring_quotes(by, &follow_up, now).await?;
    let overdue = |q: &StoredQuote| {
        let number = settings.number(q.id);
        internal(
            MailKind::Escalation,
            escalate_to,
            q,
            format!("Angebot {number} überfällig / quotation overdue"),
            format!(
                "Angebot {number} an Kunde {} ist seit {} fällig und noch nicht versandt.\n\n\
                 Quotation {number} to customer {} was due at {} and has not been sent.\n",
                q.customer_no, q.due_at, q.customer_no, q.due_at
            ),
        )
    };
    let escalated = store.escalate_overdue_quotes(&overdue, now).await?;
    Ok(Tended {
        expired: expired.len(),
        reminded: reminded.len(),
        escalated: escalated.len(),
    })
}

/// Statuses a list shows under a filter name of the quote list.
pub fn statuses_of(filter: &str) -> Vec<QuoteStatus> {
    match filter {
        "open" => vec![QuoteStatus::Draft, QuoteStatus::AwaitingApproval, QuoteStatus::Approved],
        "approval" => vec![QuoteStatus::AwaitingApproval],
        "sent" | "expiring" => vec![QuoteStatus::Sent],
        "won" => vec![QuoteStatus::Accepted, QuoteStatus::Ordered],
        "lost" => vec![QuoteStatus::Rejected, QuoteStatus::Expired],
        other => QuoteStatus::parse(other).into_iter().collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests;

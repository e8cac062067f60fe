//! Draft lines: each extracted line resolved to a product, a unit, our price
//! and stock (`resolve_line`), and checked again after a reviewer changed
//! the draft ([`recheck`]).

use domain::customer::Customer;
use domain::exception::ExceptionCode;
use domain::validation::{LineFacts, OrderFacts, validate};
use extract::ExtractedLine;
use jiff::civil::Date;
use matching::{Catalog, LineCues};
use rust_decimal::Decimal;

use super::model::{Alternative, Draft, DraftException, DraftLine, ProductFoundBy, round3};
use crate::config::ExtractionSettings;

/// How many lines of one draft are matched by description when no code fits.
const DESCRIPTION_SEARCHES: usize = 300;

/// A line as the checks see it and as the draft holds it.
pub(crate) struct ResolvedLine<'a> {
    pub facts: LineFacts<'a>,
    pub line: DraftLine,
    pub confidence: f32,
    /// Ordered in a unit the product is not sold in, with no factor known: (ordered, sold).
    pub unit_without_factor: Option<(String, String)>,
}

/// Units that all mean a piece.
fn piece(unit: &str) -> bool {
    matches!(unit, "C62" | "H87" | "EA" | "PCE" | "NAR")
}

/// Our price for `base_quantity` of a product, per ordered unit (`factor`
/// base units each): the pricing engine's, as a quote would have it, in
/// the customer's currency.
pub(crate) fn our_price(
    catalog: &Catalog,
    customer: &Customer,
    product: &domain::product::Product,
    base_quantity: Decimal,
    factor: Decimal,
    on: Date,
    policy: &domain::pricing::PricingPolicy,
) -> Option<Decimal> {
    let entries = catalog.prices_of(product.sku.as_str());
    let request = domain::pricing::PriceRequest {
        customer_no: &customer.customer_no,
        price_list: customer.price_list.as_ref(),
        currency: customer
            .currency
            .or(product.currency)
            .unwrap_or(domain::CurrencyCode::EUR),
        product,
        base_quantity,
        on,
    };
    domain::pricing::price(&entries, policy, &request)
        .ok()
        .map(|p| p.unit_price * factor)
}

pub(crate) fn resolve_line<'a>(
    line_no: u32,
    line: &ExtractedLine,
    customer: Option<&Customer>,
    catalog: &'a Catalog,
    order_date: Date,
    header_requested: Option<Date>,
    policy: &domain::pricing::PricingPolicy,
) -> ResolvedLine<'a> {
    let value = |f: &Option<extract::Field<String>>| f.as_ref().map(|f| f.value.clone());
    let customer_no = customer.map(|c| c.customer_no.as_str());
    let cues = LineCues {
        customer_part_no: line.customer_part_no.as_ref().map(|f| f.value.as_str()),
        sku: line.sku.as_ref().map(|f| f.value.as_str()),
        item_code: line.item_code.as_ref().map(|f| f.value.as_str()),
        gtin: line.gtin.as_ref().map(|f| f.value.as_str()),
        // Searching by description is the costly part of matching: the lines
        // past the first few hundred are matched by their codes only.
        description: line
            .description
            .as_ref()
            .map(|f| f.value.as_str())
            .filter(|_| line_no as usize <= DESCRIPTION_SEARCHES),
    };
    let m = catalog.resolve_line(customer_no, &cues);
    let product = m.product.map(|i| &catalog.products()[i]);
    let printed_unit = line.unit.as_ref().map(|f| f.value.clone());
    let item = m
        .customer_item
        .map(|i| &catalog.customer_items()[i])
        .or_else(|| {
            let c = customer_no?;
            let code = cues.customer_part_no.or(cues.item_code)?;
            catalog
                .customer_item(c, code)
                .filter(|it| product.is_some_and(|p| it.sku.as_ref() == Some(&p.sku)))
        })
        .or_else(|| {
            // No code printed, but the unit is this customer's own unit for the
            // product (`3 Karton`): its factor applies.
            let (c, p, unit) = (customer_no?, product?, printed_unit.as_deref()?);
            let items = catalog.customer_items_for_sku(c, p.sku.as_str());
            let mut fitting = items
                .into_iter()
                .filter(|it| it.factor.is_some() && it.customer_uom.as_ref().is_some_and(|u| u.as_str() == unit));
            let first = fitting.next()?;
            fitting.next().is_none().then_some(first)
        });
    let quantity = line.quantity.as_ref().map(|f| f.value);
    let customer_unit = item.and_then(|it| it.factor.and(it.customer_uom.as_ref()));
    let uom = printed_unit.clone().or_else(|| {
        customer_unit
            .map(|u| u.as_str().to_owned())
            .or_else(|| product.map(|p| p.base_unit.as_str().to_owned()))
    });
    // `8 VE`, `8 Pck.`: a packing unit without saying which is the customer's
    // own packing unit for this part (its box or carton), with its factor.
    let packing = |u: &str| matches!(u, "PK" | "BX" | "CT" | "CS" | "PA" | "BG" | "CR");
    let uom = match (uom, customer_unit) {
        (Some(printed), Some(theirs)) if printed == "PK" && packing(theirs.as_str()) => {
            Some(theirs.as_str().to_owned())
        }
        (uom, _) => uom,
    };
    let in_customer_unit = customer_unit.is_some_and(|u| uom.as_deref() == Some(u.as_str()));
    let factor = if in_customer_unit {
        item.and_then(|it| it.factor).unwrap_or(Decimal::ONE)
    } else {
        Decimal::ONE
    };
    let base_quantity = quantity.map(|q| q * factor);
    let unit_without_factor = match (product, uom.as_deref()) {
        (Some(p), Some(ordered))
            if !in_customer_unit
                && extract::values::unit_code(ordered).is_some()
                && ordered != p.base_unit.as_str()
                && !(piece(ordered) && piece(p.base_unit.as_str())) =>
        {
            Some((ordered.to_owned(), p.base_unit.as_str().to_owned()))
        }
        _ => None,
    };
    let requested = line
        .delivery_date
        .as_ref()
        .map(|f| f.value)
        .or(header_requested)
        .unwrap_or(order_date);
    let expected = match (product, customer, base_quantity) {
        (Some(p), Some(c), Some(bq)) => our_price(catalog, c, p, bq, factor, order_date, policy),
        _ => None,
    };
    let available = product
        .map(|p| domain::stock::available_by(&catalog.stock_of(p.sku.as_str()), requested))
        .unwrap_or_default();
    let label = cues
        .customer_part_no
        .or(cues.sku)
        .or(cues.item_code)
        .or(cues.gtin)
        .or(cues.description)
        .unwrap_or("(no code or description)")
        .to_owned();
    // A quantity the unit of which cannot be read is not trusted.
    let unit_ok = printed_unit
        .as_deref()
        .is_none_or(|u| extract::values::unit_code(u).is_some());
    let mut confidence = line.confidence().min(if product.is_some() { m.score } else { 0.0 });
    if !unit_ok {
        confidence = confidence.min(0.5);
    }
    let customer_part_no = item
        .map(|it| it.customer_part_no.as_str().to_owned())
        .or_else(|| value(&line.customer_part_no));
    let draft_line = DraftLine {
        line_no,
        sku: product.map(|p| p.sku.as_str().to_owned()),
        customer_part_no,
        description: value(&line.description).or_else(|| product.map(|p| p.name.clone())),
        quantity,
        uom,
        unit_price: line.unit_price.as_ref().map(|f| f.value),
        delivery_date: line.delivery_date.as_ref().map(|f| f.value),
        confidence: round3(confidence),
        alternatives: m
            .alternatives
            .iter()
            .map(|(i, s)| Alternative {
                sku: catalog.products()[*i].sku.as_str().to_owned(),
                score: round3(*s),
                name: Some(catalog.products()[*i].name.clone()),
            })
            .collect(),
        customer_line_no: line.customer_line_no.clone(),
        gtin: value(&line.gtin),
        base_quantity,
        expected_price: expected.map(|p| p.round_dp(6)),
        matched_via: m.via.map(ProductFoundBy::from),
        change_type: line.change_type.clone(),
        printed_code: cues.customer_part_no.or(cues.sku).or(cues.item_code).map(str::to_owned),
        source: Some(line.source.clone()),
        free_text: false,
    };
    ResolvedLine {
        facts: LineFacts {
            line_no,
            label,
            product,
            quantity: quantity.unwrap_or_default(),
            base_quantity: base_quantity.unwrap_or_default(),
            stated_price: line.unit_price.as_ref().map(|f| f.value),
            expected_price: expected,
            available,
            requested_date: requested,
            free_text: false,
        },
        line: draft_line,
        confidence,
        unit_without_factor,
    }
}

/// The base units per ordered unit a line was drafted with (its customer unit's factor).
pub(crate) fn line_factor(line: &DraftLine) -> Decimal {
    match (line.base_quantity, line.quantity) {
        (Some(b), Some(q)) if !q.is_zero() => b / q,
        _ => Decimal::ONE,
    }
}

/// Checks a draft again after a reviewer changed it: our price, stock and
/// the rules for each line's (possibly new) product and quantity. Exceptions
/// that still apply keep their resolution; those that no longer apply go.
/// The duplicate-PO and ship-to findings are kept as they were (they depend
/// on the store and the printed address, which a line change does not touch).
pub fn recheck(draft: &mut Draft, catalog: &Catalog, settings: &ExtractionSettings, today: Date) {
    if !draft.is_order() {
        return;
    }
    let customer = draft.customer.as_ref().and_then(|c| catalog.customer(&c.customer_no));
    let order_date = draft.order_date.unwrap_or(today);
    let header_requested = draft.requested_delivery_date;
    let mut facts_lines = Vec::new();
    for line in &mut draft.lines {
        let product = line.sku.as_deref().and_then(|s| catalog.product(s));
        let quantity = line.quantity.unwrap_or_default();
        // The customer-unit factor the line was drafted with stays with it.
        let factor = line_factor(line);
        let base_quantity = quantity * factor;
        if line.quantity.is_some() {
            line.base_quantity = Some(base_quantity);
        }
        let requested = line.delivery_date.or(header_requested).unwrap_or(order_date);
        let expected = match (product, customer) {
            (Some(p), Some(c)) => our_price(catalog, c, p, base_quantity, factor, order_date, &settings.pricing),
            _ => None,
        };
        line.expected_price = expected;
        let available = product
            .map(|p| domain::stock::available_by(&catalog.stock_of(p.sku.as_str()), requested))
            .unwrap_or_default();
        facts_lines.push(LineFacts {
            line_no: line.line_no,
            label: line.label(),
            product,
            quantity,
            base_quantity,
            stated_price: line.unit_price,
            expected_price: expected,
            available,
            requested_date: requested,
            free_text: line.free_text,
        });
    }
    let stated_currency = draft
        .fields
        .contains_key(&domain::review::ReadField::Currency)
        .then_some(draft.currency)
        .flatten()
        .map(|c| c.to_string());
    let facts = OrderFacts {
        customer,
        stated_currency: stated_currency.as_deref(),
        order_date,
        unknown_ship_to: draft.has_exception(ExceptionCode::UnknownShipTo),
        duplicate_po: draft.has_exception(ExceptionCode::DuplicatePo),
        stated_total: draft.stated_total,
        lines: facts_lines,
    };
    let mut fresh: Vec<DraftException> = validate(&facts, &settings.policy())
        .iter()
        .map(DraftException::from)
        .collect();
    fresh.sort_by_key(|e| e.line_no.map_or(0, |n| n + 1));
    for e in &mut fresh {
        if let Some(old) = draft
            .exceptions
            .iter()
            .find(|o| o.code == e.code && o.line_no == e.line_no && !o.is_open())
        {
            e.resolved_by = old.resolved_by.clone();
            e.resolution = old.resolution.clone();
        }
    }
    draft.exceptions = fresh;
}

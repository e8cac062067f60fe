//! The pricing engine: one price per line, with the explanation that
//! produced it, from the price lists, discount rules, rounding and the
//! margin floor. Quotes are priced with it, and the order checks compare a
//! stated price with the price it gives, so an order and a quote agree.
//!
//! The order in which a price is made (docs/quotes.md says the same):
//!
//! 1. **Base price** per base unit, in the quote's currency: the customer's
//!    own price (the highest quantity break reached, valid that day), else
//!    the customer's price list, else the product's list price. Two rows at
//!    the same level, break and start date with different prices are a
//!    conflict, never a guess.
//! 2. **Discounts.** A customer's own price is already agreed: only rules
//!    that name the customer apply to it. On a list price every rule whose
//!    conditions are met may apply, at most one per scope — customer, then
//!    segment (the customer's price list), then product group, then general
//!    — the one with the highest percent in its scope; each is taken off the
//!    price left by the previous one. Two rules with the same conditions and
//!    different percents are a conflict.
//! 3. **Rounding** of a discounted price to the currency's cents (or a
//!    coarser step, e.g. 0.05), half away from zero; a listed price stands
//!    as listed.
//! 4. **Floor**: with a cost and a margin floor, the lowest price that
//!    keeps the margin, `cost ÷ (1 − floor)`. A price under it, or under
//!    cost, is a warning that sends the quote to approval; it is never
//!    silently raised.

use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use super::PriceEntry;
use crate::product::Product;
use crate::values::{CurrencyCode, CustomerNo, PriceListId, Sku};

/// Where the scope of a discount rule lies; the order of application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RuleScope {
    Customer,
    Segment,
    ProductGroup,
    General,
}

impl RuleScope {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleScope::Customer => "customer",
            RuleScope::Segment => "segment",
            RuleScope::ProductGroup => "product_group",
            RuleScope::General => "general",
        }
    }
}

/// A discount off list prices under conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DiscountRule {
    /// How people call it (`Händlerrabatt`); shown in the explanation.
    pub name: String,
    /// Percent off (10 = 10 %), more than 0 and less than 100.
    pub percent: Decimal,
    #[cfg_attr(feature = "serde", serde(default))]
    pub customer_no: Option<CustomerNo>,
    /// The customer's segment: the price list they are on.
    #[cfg_attr(feature = "serde", serde(default))]
    pub segment: Option<PriceListId>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub product_group: Option<String>,
    /// From this quantity in the base unit on.
    #[cfg_attr(feature = "serde", serde(default))]
    pub min_qty: Option<Decimal>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub valid_from: Option<Date>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub valid_to: Option<Date>,
}

impl DiscountRule {
    /// A rule for everyone, always; narrowed by setting its conditions.
    pub fn new(name: &str, percent: Decimal) -> DiscountRule {
        DiscountRule {
            name: name.to_owned(),
            percent,
            customer_no: None,
            segment: None,
            product_group: None,
            min_qty: None,
            valid_from: None,
            valid_to: None,
        }
    }

    /// The most specific thing the rule names.
    pub fn scope(&self) -> RuleScope {
        if self.customer_no.is_some() {
            RuleScope::Customer
        } else if self.segment.is_some() {
            RuleScope::Segment
        } else if self.product_group.is_some() {
            RuleScope::ProductGroup
        } else {
            RuleScope::General
        }
    }

    fn applies(&self, r: &PriceRequest<'_>) -> bool {
        self.customer_no.as_ref().is_none_or(|c| c == r.customer_no)
            && self.segment.as_ref().is_none_or(|s| Some(s) == r.price_list)
            && self
                .product_group
                .as_deref()
                .is_none_or(|g| r.product.product_group.as_deref() == Some(g))
            && self.min_qty.is_none_or(|m| m <= r.base_quantity)
            && self.valid_from.is_none_or(|from| from <= r.on)
            && self.valid_to.is_none_or(|to| r.on <= to)
    }

    fn same_conditions(&self, other: &DiscountRule) -> bool {
        (
            &self.customer_no,
            &self.segment,
            &self.product_group,
            self.min_qty.map(|q| q.normalize()),
            self.valid_from,
            self.valid_to,
        ) == (
            &other.customer_no,
            &other.segment,
            &other.product_group,
            other.min_qty.map(|q| q.normalize()),
            other.valid_from,
            other.valid_to,
        )
    }
}

/// How final prices are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rounding {
    /// Round to a multiple of this (0.01 for cents, 0.05 for five cents).
    pub step: Decimal,
}

impl Default for Rounding {
    fn default() -> Self {
        Rounding {
            step: Decimal::new(1, 2),
        }
    }
}

impl Rounding {
    pub fn apply(self, price: Decimal) -> Decimal {
        if self.step <= Decimal::ZERO {
            return price;
        }
        let units = (price / self.step).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        (units * self.step).normalize()
    }

    /// The smallest rounded price not below `price`.
    fn up(self, price: Decimal) -> Decimal {
        if self.step <= Decimal::ZERO {
            return price;
        }
        ((price / self.step).ceil() * self.step).normalize()
    }
}

/// The rules of pricing besides the price lists: discounts, rounding, the margin floor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PricingPolicy {
    #[cfg_attr(feature = "serde", serde(default))]
    pub discounts: Vec<DiscountRule>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub rounding: Rounding,
    /// The lowest margin on the price, in percent (15 = 15 %); none: no floor.
    #[cfg_attr(feature = "serde", serde(default))]
    pub margin_floor: Option<Decimal>,
}

impl PricingPolicy {
    /// Every problem of the rules themselves, for the settings page.
    pub fn check(&self) -> Vec<PricingError> {
        let mut problems = Vec::new();
        for (i, rule) in self.discounts.iter().enumerate() {
            if rule.name.trim().is_empty() {
                problems.push(PricingError::BadRule {
                    rule: format!("#{}", i + 1),
                    why: "has no name".into(),
                });
            }
            if rule.percent <= Decimal::ZERO || rule.percent >= Decimal::ONE_HUNDRED {
                problems.push(PricingError::BadRule {
                    rule: rule.name.clone(),
                    why: format!("percent {} is not between 0 and 100", rule.percent),
                });
            }
            if let (Some(from), Some(to)) = (rule.valid_from, rule.valid_to)
                && to < from
            {
                problems.push(PricingError::BadRule {
                    rule: rule.name.clone(),
                    why: format!("ends ({to}) before it starts ({from})"),
                });
            }
            for other in &self.discounts[i + 1..] {
                if rule.same_conditions(other) && rule.percent != other.percent {
                    problems.push(PricingError::ConflictingRules {
                        first: rule.name.clone(),
                        second: other.name.clone(),
                    });
                }
            }
        }
        if self.rounding.step < Decimal::ZERO || self.rounding.step > Decimal::ONE {
            problems.push(PricingError::BadRounding(self.rounding.step));
        }
        if let Some(floor) = self.margin_floor
            && (floor < Decimal::ZERO || floor >= Decimal::ONE_HUNDRED)
        {
            problems.push(PricingError::BadFloor(floor));
        }
        problems
    }
}

/// What is priced: a product for a customer, a quantity, a day, a currency.
#[derive(Debug, Clone, Copy)]
pub struct PriceRequest<'a> {
    pub customer_no: &'a CustomerNo,
    /// The customer's price list (their segment).
    pub price_list: Option<&'a PriceListId>,
    pub currency: CurrencyCode,
    pub product: &'a Product,
    /// In the product's base unit.
    pub base_quantity: Decimal,
    pub on: Date,
}

/// Where a base price came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "source", rename_all = "snake_case"))]
pub enum BaseSource {
    /// The customer's own price on a list, from a quantity break.
    CustomerPrice { price_list: PriceListId, min_qty: Decimal },
    /// The customer's price list, from a quantity break.
    PriceList { price_list: PriceListId, min_qty: Decimal },
    /// The product's list price.
    ListPrice,
}

/// One step of making a price; the steps in order reproduce it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum PriceStep {
    Base {
        #[cfg_attr(feature = "serde", serde(flatten))]
        from: BaseSource,
        price: Decimal,
    },
    Discount {
        rule: String,
        scope: RuleScope,
        percent: Decimal,
        /// The price after it.
        price: Decimal,
    },
    Rounded {
        step: Decimal,
        price: Decimal,
    },
    /// Set by a person in the quote editor.
    Manual {
        by: String,
        price: Decimal,
    },
}

impl PriceStep {
    /// The price after this step.
    pub fn price(&self) -> Decimal {
        match self {
            PriceStep::Base { price, .. }
            | PriceStep::Discount { price, .. }
            | PriceStep::Rounded { price, .. }
            | PriceStep::Manual { price, .. } => *price,
        }
    }
}

/// What a price should make someone look twice at; none of it changes the price.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "warning", rename_all = "snake_case"))]
pub enum PriceWarning {
    /// Under the price that keeps the margin floor.
    BelowFloor { floor: Decimal },
    /// Under our cost.
    BelowCost { cost: Decimal },
    /// No cost is known: the margin cannot be checked.
    NoCost,
}

/// A price with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Priced {
    /// Per base unit, in the request's currency.
    pub unit_price: Decimal,
    pub steps: Vec<PriceStep>,
    pub cost: Option<Decimal>,
    /// The lowest price keeping the margin floor.
    pub floor: Option<Decimal>,
    pub warnings: Vec<PriceWarning>,
}

impl Priced {
    /// The price the steps give when done again: the base, each discount
    /// taken off, the rounding, a person's price.
    pub fn replay(&self) -> Option<Decimal> {
        let mut price = None;
        for step in &self.steps {
            price = Some(match (step, price) {
                (PriceStep::Base { price, .. }, _) => *price,
                (PriceStep::Discount { percent, .. }, Some(p)) => off(p, *percent).normalize(),
                (PriceStep::Rounded { step, .. }, Some(p)) => Rounding { step: *step }.apply(p),
                (PriceStep::Manual { price, .. }, _) => *price,
                (_, None) => return None,
            });
        }
        price
    }

    /// The price before any discount: the base.
    pub fn base_price(&self) -> Option<Decimal> {
        self.steps.iter().find_map(|s| match s {
            PriceStep::Base { price, .. } => Some(*price),
            _ => None,
        })
    }

    /// The same price set by a person: the engine's steps kept, the manual one after them.
    pub fn set_by_hand(mut self, price: Decimal, by: &str) -> Priced {
        self.steps.retain(|s| !matches!(s, PriceStep::Manual { .. }));
        self.steps.push(PriceStep::Manual {
            by: by.to_owned(),
            price,
        });
        self.unit_price = price;
        self.warnings = warnings(price, self.cost, self.floor);
        self
    }

    /// Percent below the base price (0 when at or above it).
    pub fn discount_percent(&self) -> Decimal {
        match self.base_price() {
            Some(base) if base > Decimal::ZERO && self.unit_price < base => {
                ((base - self.unit_price) / base * Decimal::ONE_HUNDRED).round_dp(2)
            }
            _ => Decimal::ZERO,
        }
    }
}

/// Why no price could be made; each names what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PricingError {
    #[error("no price for {sku} in {currency}: no price list row, customer price or list price in that currency")]
    NoPrice { sku: Sku, currency: CurrencyCode },
    #[error("{quantity} of {sku} is below every quantity break (the smallest is {smallest})")]
    BelowAnyBreak {
        sku: Sku,
        quantity: Decimal,
        smallest: Decimal,
    },
    #[error(
        "conflicting prices for {sku} on price list {price_list} from quantity {min_qty}: {first} and {second}; \
         correct the price list"
    )]
    ConflictingPrices {
        sku: Sku,
        price_list: PriceListId,
        min_qty: Decimal,
        first: Decimal,
        second: Decimal,
    },
    #[error("discount rules '{first}' and '{second}' have the same conditions but different percents")]
    ConflictingRules { first: String, second: String },
    #[error("discount rule '{rule}' {why}")]
    BadRule { rule: String, why: String },
    #[error("rounding step {0} must be between 0 and 1")]
    BadRounding(Decimal),
    #[error("margin floor {0} % must be at least 0 and below 100")]
    BadFloor(Decimal),
}

fn off(price: Decimal, percent: Decimal) -> Decimal {
    price * (Decimal::ONE_HUNDRED - percent) / Decimal::ONE_HUNDRED
}

fn warnings(price: Decimal, cost: Option<Decimal>, floor: Option<Decimal>) -> Vec<PriceWarning> {
    let mut out = Vec::new();
    match cost {
        None => out.push(PriceWarning::NoCost),
        Some(cost) if price < cost => out.push(PriceWarning::BelowCost { cost }),
        Some(_) => {}
    }
    if let Some(floor) = floor
        && price < floor
    {
        out.push(PriceWarning::BelowFloor { floor });
    }
    out
}

/// The best row of one level (customer's own, or the list's), refusing two
/// different prices that tie.
fn best_row<'e>(rows: &[&'e PriceEntry], r: &PriceRequest<'_>) -> Result<Option<&'e PriceEntry>, PricingError> {
    let reached = rows.iter().filter(|e| e.min_qty <= r.base_quantity);
    let key = |e: &PriceEntry| (e.min_qty, e.valid_from);
    let Some(best) = reached.clone().max_by_key(|e| key(e)) else {
        return Ok(None);
    };
    if let Some(other) = reached
        .filter(|e| key(e) == key(best))
        .find(|e| e.unit_price != best.unit_price)
    {
        return Err(PricingError::ConflictingPrices {
            sku: best.sku.clone(),
            price_list: best.price_list.clone(),
            min_qty: best.min_qty.normalize(),
            first: best.unit_price,
            second: other.unit_price,
        });
    }
    Ok(Some(best))
}

/// The base price and where it came from.
fn base(entries: &[PriceEntry], r: &PriceRequest<'_>) -> Result<(BaseSource, Decimal), PricingError> {
    let usable: Vec<&PriceEntry> = entries
        .iter()
        .filter(|e| e.sku == r.product.sku && e.is_valid_on(r.on) && e.currency.is_none_or(|c| c == r.currency))
        .collect();
    let own: Vec<&PriceEntry> = usable
        .iter()
        .copied()
        .filter(|e| e.customer_no.as_ref() == Some(r.customer_no))
        .collect();
    if let Some(e) = best_row(&own, r)? {
        let from = BaseSource::CustomerPrice {
            price_list: e.price_list.clone(),
            min_qty: e.min_qty.normalize(),
        };
        return Ok((from, e.unit_price));
    }
    let listed: Vec<&PriceEntry> = usable
        .iter()
        .copied()
        .filter(|e| e.customer_no.is_none() && Some(&e.price_list) == r.price_list)
        .collect();
    if let Some(e) = best_row(&listed, r)? {
        let from = BaseSource::PriceList {
            price_list: e.price_list.clone(),
            min_qty: e.min_qty.normalize(),
        };
        return Ok((from, e.unit_price));
    }
    if let Some(list_price) = r.product.list_price
        && r.product.currency.is_none_or(|c| c == r.currency)
    {
        return Ok((BaseSource::ListPrice, list_price));
    }
    let smallest = own.iter().chain(listed.iter()).map(|e| e.min_qty).min();
    Err(match smallest {
        Some(smallest) => PricingError::BelowAnyBreak {
            sku: r.product.sku.clone(),
            quantity: r.base_quantity.normalize(),
            smallest: smallest.normalize(),
        },
        None => PricingError::NoPrice {
            sku: r.product.sku.clone(),
            currency: r.currency,
        },
    })
}

/// Prices one line. `entries` may hold rows of any product and customer.
pub fn price(entries: &[PriceEntry], policy: &PricingPolicy, r: &PriceRequest<'_>) -> Result<Priced, PricingError> {
    let (from, base_price) = base(entries, r)?;
    let own_price = matches!(from, BaseSource::CustomerPrice { .. });
    let mut steps = vec![PriceStep::Base {
        from,
        price: base_price,
    }];
    let mut chosen: Vec<&DiscountRule> = Vec::new();
    for scope in [
        RuleScope::Customer,
        RuleScope::Segment,
        RuleScope::ProductGroup,
        RuleScope::General,
    ] {
        if own_price && scope != RuleScope::Customer {
            break;
        }
        let fitting: Vec<&DiscountRule> = policy
            .discounts
            .iter()
            .filter(|d| d.scope() == scope && d.applies(r))
            .collect();
        for (i, a) in fitting.iter().enumerate() {
            if let Some(b) = fitting[i + 1..]
                .iter()
                .find(|b| a.same_conditions(b) && a.percent != b.percent)
            {
                return Err(PricingError::ConflictingRules {
                    first: a.name.clone(),
                    second: b.name.clone(),
                });
            }
        }
        // The first listed wins a tie, so the explanation names one rule.
        if let Some(best) = fitting
            .iter()
            .copied()
            .reduce(|best, d| if d.percent > best.percent { d } else { best })
        {
            chosen.push(best);
        }
    }
    let mut price = base_price;
    for rule in chosen {
        price = off(price, rule.percent).normalize();
        steps.push(PriceStep::Discount {
            rule: rule.name.clone(),
            scope: rule.scope(),
            percent: rule.percent,
            price: price.normalize(),
        });
    }
    // A price from a list stands as listed (a screw at 0.1234 a piece);
    // only a price a discount made is rounded.
    let rounded = if steps.len() > 1 {
        let rounded = policy.rounding.apply(price);
        steps.push(PriceStep::Rounded {
            step: policy.rounding.step,
            price: rounded,
        });
        rounded
    } else {
        price
    };
    let cost = r.product.cost;
    let floor = match (cost, policy.margin_floor) {
        (Some(cost), Some(floor)) if floor < Decimal::ONE_HUNDRED => Some(
            policy
                .rounding
                .up(cost / ((Decimal::ONE_HUNDRED - floor) / Decimal::ONE_HUNDRED)),
        ),
        _ => None,
    };
    Ok(Priced {
        unit_price: rounded,
        steps,
        cost,
        floor,
        warnings: warnings(rounded, cost, floor),
    })
}

#[cfg(test)]
mod tests;

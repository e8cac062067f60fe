//! The pricing engine on tables of known answers, and properties: the steps reproduce the price, more quantity never costs more, a price under the floor always says so.

use super::*;
use crate::values::UnitCode;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn product(sku: &str, group: Option<&str>, list: Option<Decimal>, cost: Option<Decimal>) -> Product {
    Product {
        sku: Sku::parse(sku).unwrap(),
        name: sku.into(),
        description: None,
        gtin: None,
        base_unit: UnitCode::parse("C62").unwrap(),
        pack_size: Decimal::ONE,
        min_order_qty: Decimal::ZERO,
        list_price: list,
        currency: Some(CurrencyCode::EUR),
        cost,
        lead_time_days: None,
        product_group: group.map(str::to_owned),
        active: true,
        attributes: Vec::new(),
    }
}

fn row(list: &str, sku: &str, min: Decimal, customer: Option<&str>, price: Decimal) -> PriceEntry {
    PriceEntry {
        price_list: PriceListId::parse(list).unwrap(),
        sku: Sku::parse(sku).unwrap(),
        min_qty: min,
        customer_no: customer.map(|c| CustomerNo::parse(c).unwrap()),
        valid_from: None,
        valid_to: None,
        unit_price: price,
        currency: Some(CurrencyCode::EUR),
    }
}

fn rule(name: &str, percent: Decimal) -> DiscountRule {
    DiscountRule::new(name, percent)
}

fn day() -> Date {
    "2026-11-30".parse().unwrap()
}

struct Case {
    customer: CustomerNo,
    list: PriceListId,
    product: Product,
}

impl Case {
    fn new(product: Product) -> Case {
        Case {
            customer: CustomerNo::parse("10001").unwrap(),
            list: PriceListId::parse("HANDEL").unwrap(),
            product,
        }
    }

    fn request(&self, qty: Decimal) -> PriceRequest<'_> {
        PriceRequest {
            customer_no: &self.customer,
            price_list: Some(&self.list),
            currency: CurrencyCode::EUR,
            product: &self.product,
            base_quantity: qty,
            on: day(),
        }
    }
}

#[test]
fn a_list_price_with_breaks_and_stacked_discounts_explains_itself() {
    let case = Case::new(product("M8-40", Some("Schrauben"), Some(dec!(0.20)), Some(dec!(0.05))));
    let entries = vec![
        row("HANDEL", "M8-40", dec!(1), None, dec!(0.12)),
        row("HANDEL", "M8-40", dec!(1000), None, dec!(0.10)),
    ];
    let mut segment = rule("Händlerrabatt", dec!(5));
    segment.segment = Some(PriceListId::parse("HANDEL").unwrap());
    let mut group = rule("Schraubenaktion", dec!(10));
    group.product_group = Some("Schrauben".into());
    let mut small_group = rule("Schrauben klein", dec!(3));
    small_group.product_group = Some("Schrauben".into());
    small_group.min_qty = Some(dec!(1));
    let policy = PricingPolicy {
        discounts: vec![small_group, segment, group],
        rounding: Rounding::default(),
        margin_floor: Some(dec!(20)),
    };
    let priced = price(&entries, &policy, &case.request(dec!(2000))).unwrap();
    // 0.10 − 5 % = 0.095, − 10 % (the bigger of the two group rules) = 0.0855 → 0.09.
    assert_eq!(priced.unit_price, dec!(0.09));
    let names: Vec<String> = priced
        .steps
        .iter()
        .map(|s| match s {
            PriceStep::Base { from, price } => format!("base {from:?} {price}"),
            PriceStep::Discount { rule, price, .. } => format!("{rule} {price}"),
            PriceStep::Rounded { price, .. } => format!("rounded {price}"),
            PriceStep::Manual { price, .. } => format!("manual {price}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "base PriceList { price_list: PriceListId(\"HANDEL\"), min_qty: 1000 } 0.10",
            "Händlerrabatt 0.095",
            "Schraubenaktion 0.0855",
            "rounded 0.09",
        ]
    );
    assert_eq!(priced.replay(), Some(priced.unit_price));
    // Floor: 0.05 ÷ 0.8 = 0.0625 → 0.07; 0.09 is above it.
    assert_eq!(priced.floor, Some(dec!(0.07)));
    assert!(priced.warnings.is_empty(), "{:?}", priced.warnings);
    assert_eq!(priced.discount_percent(), dec!(10));
}

#[test]
fn a_customer_price_takes_only_the_customers_own_discounts() {
    let case = Case::new(product("K-1", Some("Kabel"), Some(dec!(2.00)), Some(dec!(1.00))));
    let entries = vec![
        row("HANDEL", "K-1", dec!(1), None, dec!(1.80)),
        row("HANDEL", "K-1", dec!(1), Some("10001"), dec!(1.50)),
    ];
    let mut own = rule("Jahresvereinbarung", dec!(2));
    own.customer_no = Some(CustomerNo::parse("10001").unwrap());
    let policy = PricingPolicy {
        discounts: vec![rule("Winteraktion", dec!(10)), own],
        ..PricingPolicy::default()
    };
    let priced = price(&entries, &policy, &case.request(dec!(100))).unwrap();
    assert_eq!(priced.unit_price, dec!(1.47));
    assert!(matches!(
        priced.steps[0],
        PriceStep::Base {
            from: BaseSource::CustomerPrice { .. },
            ..
        }
    ));
    assert_eq!(priced.steps.len(), 3, "{:?}", priced.steps);
}

#[test]
fn the_list_price_is_the_last_resort_and_other_currencies_do_not_count() {
    let case = Case::new(product("X", None, Some(dec!(9.99)), None));
    let mut chf = row("HANDEL", "X", dec!(1), None, dec!(8.00));
    chf.currency = Some(CurrencyCode::parse("CHF").unwrap());
    let priced = price(&[chf.clone()], &PricingPolicy::default(), &case.request(dec!(1))).unwrap();
    assert_eq!(priced.unit_price, dec!(9.99));
    assert_eq!(priced.steps.len(), 1);
    assert_eq!(priced.warnings, [PriceWarning::NoCost]);

    let mut usd = case.request(dec!(1));
    usd.currency = CurrencyCode::parse("USD").unwrap();
    let err = price(&[chf], &PricingPolicy::default(), &usd).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no price for X in USD: no price list row, customer price or list price in that currency"
    );
}

#[test]
fn a_quantity_below_every_break_says_so() {
    let case = Case::new(product("Y", None, None, None));
    let entries = vec![row("HANDEL", "Y", dec!(50), None, dec!(1))];
    let err = price(&entries, &PricingPolicy::default(), &case.request(dec!(10))).unwrap_err();
    assert_eq!(
        err,
        PricingError::BelowAnyBreak {
            sku: Sku::parse("Y").unwrap(),
            quantity: dec!(10),
            smallest: dec!(50)
        }
    );
}

#[test]
fn conflicts_are_refused_not_guessed() {
    let case = Case::new(product("Z", None, None, None));
    let entries = vec![
        row("HANDEL", "Z", dec!(1), None, dec!(1.00)),
        row("HANDEL", "Z", dec!(1.0), None, dec!(1.10)),
    ];
    let err = price(&entries, &PricingPolicy::default(), &case.request(dec!(5))).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("conflicting prices for Z on price list HANDEL from quantity 1"),
        "{err}"
    );

    let same = vec![row("HANDEL", "Z", dec!(1), None, dec!(1.00))];
    let policy = PricingPolicy {
        discounts: vec![rule("A", dec!(5)), rule("B", dec!(7))],
        ..PricingPolicy::default()
    };
    let err = price(&same, &policy, &case.request(dec!(5))).unwrap_err();
    assert_eq!(
        err,
        PricingError::ConflictingRules {
            first: "A".into(),
            second: "B".into()
        }
    );
    assert_eq!(policy.check().len(), 1);
}

#[test]
fn a_price_under_the_floor_or_cost_warns_and_is_kept() {
    let case = Case::new(product("W", None, Some(dec!(10)), Some(dec!(8))));
    let policy = PricingPolicy {
        discounts: vec![rule("Aktion", dec!(15))],
        margin_floor: Some(dec!(10)),
        ..PricingPolicy::default()
    };
    let priced = price(&[], &policy, &case.request(dec!(1))).unwrap();
    assert_eq!(priced.unit_price, dec!(8.5));
    // 8 ÷ 0.9 = 8.888… → 8.89.
    assert_eq!(priced.warnings, [PriceWarning::BelowFloor { floor: dec!(8.89) }]);
    let by_hand = priced.set_by_hand(dec!(7.50), "anna");
    assert_eq!(
        by_hand.warnings,
        [
            PriceWarning::BelowCost { cost: dec!(8) },
            PriceWarning::BelowFloor { floor: dec!(8.89) }
        ]
    );
    assert_eq!(by_hand.replay(), Some(dec!(7.50)));
    assert_eq!(by_hand.discount_percent(), dec!(25));
}

#[test]
fn rounding_to_five_cents() {
    let r = Rounding { step: dec!(0.05) };
    assert_eq!(r.apply(dec!(1.024)), dec!(1));
    assert_eq!(r.apply(dec!(1.025)), dec!(1.05));
    assert_eq!(r.apply(dec!(1.074)), dec!(1.05));
    assert_eq!(r.up(dec!(1.051)), dec!(1.1));
}

#[test]
fn bad_rules_are_named() {
    let mut backwards = rule("Sommer", dec!(5));
    backwards.valid_from = Some("2026-08-31".parse().unwrap());
    backwards.valid_to = Some("2026-06-01".parse().unwrap());
    let mut all = rule("Alles", dec!(100));
    all.product_group = Some("G".into());
    let policy = PricingPolicy {
        discounts: vec![rule("", dec!(5)), all, backwards],
        rounding: Rounding { step: dec!(-1) },
        margin_floor: Some(dec!(100)),
    };
    let texts: Vec<String> = policy.check().iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "discount rule '#1' has no name",
            "discount rule 'Alles' percent 100 is not between 0 and 100",
            "discount rule 'Sommer' ends (2026-06-01) before it starts (2026-08-31)",
            "rounding step -1 must be between 0 and 1",
            "margin floor 100 % must be at least 0 and below 100",
        ]
    );
}

fn policy_strategy() -> impl Strategy<Value = PricingPolicy> {
    (
        prop::collection::vec((1u32..60, 0u8..4, prop::option::of(1u32..2000)), 0..6),
        prop::sample::select(vec![dec!(0.01), dec!(0.05), dec!(0.1)]),
        prop::option::of(0u32..60),
    )
        .prop_map(|(rules, step, floor)| PricingPolicy {
            discounts: rules
                .into_iter()
                .enumerate()
                .map(|(i, (percent, scope, min))| {
                    let mut r = rule(&format!("R{i}"), Decimal::from(percent));
                    match scope {
                        0 => r.customer_no = Some(CustomerNo::parse("10001").unwrap()),
                        1 => r.segment = Some(PriceListId::parse("HANDEL").unwrap()),
                        2 => r.product_group = Some("G".into()),
                        _ => {}
                    }
                    // Distinct quantities keep rules of one scope from conflicting.
                    r.min_qty = Some(Decimal::from(min.unwrap_or(0) * 10 + i as u32));
                    r
                })
                .collect(),
            rounding: Rounding { step },
            margin_floor: floor.map(Decimal::from),
        })
}

proptest! {
    #[test]
    fn the_explanation_reproduces_the_price(policy in policy_strategy(), qty in 1u32..5000, cents in 1u32..100_000, cost in prop::option::of(1u32..100_000)) {
        let case = Case::new(product("P", Some("G"), Some(Decimal::new(cents.into(), 2)), cost.map(|c| Decimal::new(c.into(), 2))));
        let entries = vec![row("HANDEL", "P", dec!(100), None, Decimal::new(i64::from(cents) * 9 / 10 + 1, 2))];
        let priced = price(&entries, &policy, &case.request(Decimal::from(qty))).unwrap();
        prop_assert_eq!(priced.replay(), Some(priced.unit_price));
        for pair in priced.steps.windows(2) {
            let rounding = matches!(pair[1], PriceStep::Rounded { .. });
            prop_assert!(pair[1].price() <= pair[0].price() || rounding);
        }
        // Never under the floor without saying so.
        if let Some(floor) = priced.floor {
            let warned = priced.warnings.iter().any(|w| matches!(w, PriceWarning::BelowFloor { .. }));
            prop_assert_eq!(priced.unit_price < floor, warned);
        }
    }

    #[test]
    fn more_quantity_never_costs_more(policy in policy_strategy(), q1 in 1u32..5000, q2 in 1u32..5000) {
        let case = Case::new(product("P", Some("G"), Some(dec!(1.00)), None));
        let entries = vec![
            row("HANDEL", "P", dec!(1), None, dec!(0.95)),
            row("HANDEL", "P", dec!(100), None, dec!(0.90)),
            row("HANDEL", "P", dec!(1000), None, dec!(0.80)),
        ];
        let (lo, hi) = (q1.min(q2), q1.max(q2));
        let p = |q: u32| price(&entries, &policy, &case.request(Decimal::from(q))).unwrap().unit_price;
        prop_assert!(p(hi) <= p(lo));
    }
}

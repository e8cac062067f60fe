//! Quotes without a store: drafted from an RFQ, priced, edited, checked for approval, and an acceptance read from words.

use super::*;
use domain::customer::PostalAddress;
use domain::pricing::{DiscountRule, PriceEntry, PriceWarning};
use domain::product::Product;
use domain::values::{CustomerNo, PriceListId, Sku};
use rust_decimal_macros::dec;

fn product(sku: &str, name: &str, list: Decimal, cost: Option<Decimal>, lead: Option<u32>) -> Product {
    Product {
        sku: Sku::parse(sku).unwrap(),
        name: name.into(),
        description: None,
        gtin: None,
        base_unit: UnitCode::parse("C62").unwrap(),
        pack_size: Decimal::ONE,
        min_order_qty: Decimal::ZERO,
        list_price: Some(list),
        currency: Some(CurrencyCode::EUR),
        cost,
        lead_time_days: lead,
        product_group: Some("Schrauben".into()),
        active: true,
        attributes: Vec::new(),
    }
}

pub(crate) fn catalog() -> Catalog {
    let customer = Customer {
        customer_no: CustomerNo::parse("10042").unwrap(),
        name: "Muster Maschinenbau GmbH".into(),
        vat_id: None,
        email_domains: vec!["muster.example".into()],
        emails: vec!["einkauf@muster.example".into()],
        language: Some("de".into()),
        currency: Some(CurrencyCode::EUR),
        price_list: Some(PriceListId::parse("HANDEL").unwrap()),
        credit_limit: None,
        open_balance: None,
        payment_terms: Some("30 Tage netto".into()),
        territory: None,
        sales_rep: None,
        billing_address: PostalAddress::default(),
    };
    let price = |sku: &str, min: Decimal, p: Decimal| PriceEntry {
        price_list: PriceListId::parse("HANDEL").unwrap(),
        sku: Sku::parse(sku).unwrap(),
        min_qty: min,
        customer_no: None,
        valid_from: None,
        valid_to: None,
        unit_price: p,
        currency: Some(CurrencyCode::EUR),
    };
    Catalog::build(matching::MasterData {
        products: vec![
            product(
                "A-100",
                "Sechskantschraube M8x40",
                dec!(0.20),
                Some(dec!(0.06)),
                Some(10),
            ),
            product("B-200", "Zylinderschraube M6x20", dec!(0.40), None, None),
        ],
        customers: vec![customer],
        prices: vec![
            price("A-100", dec!(1), dec!(0.12)),
            price("A-100", dec!(1000), dec!(0.10)),
        ],
        ..Default::default()
    })
    .unwrap()
}

fn day() -> Date {
    "2026-11-30".parse().unwrap()
}

fn rfq() -> Draft {
    let json = r#"{"schema":"orderdesk.extraction/1","kind":"rfq","customer":{"customer_no":"10042","confidence":1.0},
      "po_number":"ANF-77","order_date":"2026-11-27","requested_delivery_date":null,"currency":null,"stated_total":null,
      "ship_to":null,"lines":[
        {"line_no":1,"sku":"A-100","customer_part_no":"77-1","description":"Sechskantschraube M8x40","quantity":"2000","uom":"C62","unit_price":null,"delivery_date":null,"confidence":0.9,"alternatives":[]},
        {"line_no":2,"sku":null,"customer_part_no":null,"description":"Sonderanfertigung laut Zeichnung 4711","quantity":"5","uom":"C62","unit_price":null,"delivery_date":null,"confidence":0.2,
         "alternatives":[{"sku":"B-200","score":0.4,"name":"Zylinderschraube M6x20"}]}],
      "exceptions":[],"decision":"review","sender":"einkauf@muster.example"}"#;
    Draft::from_json(json).unwrap()
}

fn settings() -> QuoteSettings {
    QuoteSettings {
        pricing: PricingPolicy {
            discounts: vec![DiscountRule {
                product_group: Some("Schrauben".into()),
                min_qty: Some(dec!(1000)),
                ..DiscountRule::new("Schraubenaktion", dec!(10))
            }],
            margin_floor: Some(dec!(20)),
            ..PricingPolicy::default()
        },
        approval: ApprovalPolicy {
            max_discount_percent: Some(dec!(15)),
            value_limit: Some(dec!(5000)),
            unknown_cost: false,
        },
        ..QuoteSettings::default()
    }
}

fn context<'a>(catalog: &'a Catalog, settings: &'a QuoteSettings) -> PricingContext<'a> {
    PricingContext {
        catalog,
        policy: &settings.pricing,
        today: day(),
    }
}

#[test]
fn an_rfq_becomes_a_priced_quote_with_its_open_line_and_candidates() {
    let (catalog, settings) = (catalog(), settings());
    let ctx = context(&catalog, &settings);
    let quote = from_draft(&rfq(), &ctx, &settings).unwrap();
    assert_eq!(quote.rfq_number.as_deref(), Some("ANF-77"));
    assert_eq!(quote.valid_until, "2026-12-30".parse::<Date>().unwrap());
    assert_eq!(quote.language, "de");
    let first = &quote.lines[0];
    // 2000 reach the 1000 break (0.10), less 10 % for screws from 1000 = 0.09.
    assert_eq!(first.unit_price, Some(dec!(0.09)));
    assert_eq!(first.amount(), Some(dec!(180)));
    assert_eq!(first.priced.as_ref().unwrap().replay(), Some(dec!(0.09)));
    // Not in stock: today + 10 days lead time.
    assert_eq!(first.delivery_date, Some("2026-12-10".parse().unwrap()));
    assert_eq!(first.margin_percent(), Some(dec!(33.3)));
    let second = &quote.lines[1];
    assert_eq!(second.sku, None);
    assert_eq!(second.candidates[0].sku, "B-200");
    assert_eq!(open_points(&quote), [QuotePoint::NoProduct(2)]);
    assert_eq!(
        open_points(&quote)[0].to_string(),
        "line 2 has no product: choose one, or make it a free-text line with a price"
    );
}

#[test]
fn edits_reprice_and_a_price_by_hand_below_the_floor_asks_for_approval() {
    let (catalog, settings) = (catalog(), settings());
    let ctx = context(&catalog, &settings);
    let mut quote = from_draft(&rfq(), &ctx, &settings).unwrap();
    quote
        .apply(&QuoteEdit::Remove { line_no: 2 }, &catalog, day(), "anna")
        .unwrap();
    quote
        .apply(
            &QuoteEdit::Add {
                sku: None,
                description: "Sonderanfertigung laut Zeichnung 4711".into(),
                quantity: dec!(5),
                unit: "C62".into(),
                price: Some(dec!(48.50)),
            },
            &catalog,
            day(),
            "anna",
        )
        .unwrap();
    quote
        .apply(
            &QuoteEdit::Quantity {
                line_no: 1,
                quantity: dec!(500),
            },
            &catalog,
            day(),
            "anna",
        )
        .unwrap();
    reprice(&mut quote, &ctx);
    assert!(open_points(&quote).is_empty(), "{:?}", open_points(&quote));
    // 500 are below both the break and the discount: 0.12.
    assert_eq!(quote.lines[0].unit_price, Some(dec!(0.12)));
    assert_eq!(quote.lines[1].unit_price, Some(dec!(48.50)));
    assert_eq!(quote.total(), dec!(302.50));
    assert!(approval(&quote, &settings.approval).is_empty());

    quote
        .apply(
            &QuoteEdit::Price {
                line_no: 1,
                price: Some(dec!(0.07)),
            },
            &catalog,
            day(),
            "anna",
        )
        .unwrap();
    reprice(&mut quote, &ctx);
    let line = &quote.lines[0];
    assert_eq!(line.unit_price, Some(dec!(0.07)));
    assert_eq!(line.price_by_hand(), Some(("anna".into(), dec!(0.07))));
    // Floor 0.06 ÷ 0.8 = 0.075.
    assert_eq!(
        line.priced.as_ref().unwrap().warnings,
        [PriceWarning::BelowFloor { floor: dec!(0.08) }]
    );
    let codes: Vec<&str> = approval(&quote, &settings.approval)
        .iter()
        .map(ApprovalReason::code)
        .collect();
    assert_eq!(codes, ["below_floor", "discount_over"]);

    // The engine's price again: no approval needed.
    quote
        .apply(
            &QuoteEdit::Price {
                line_no: 1,
                price: None,
            },
            &catalog,
            day(),
            "anna",
        )
        .unwrap();
    reprice(&mut quote, &ctx);
    assert_eq!(quote.lines[0].unit_price, Some(dec!(0.12)));
    assert!(approval(&quote, &settings.approval).is_empty());
}

#[test]
fn bad_edits_say_what_is_wrong() {
    let (catalog, settings) = (catalog(), settings());
    let ctx = context(&catalog, &settings);
    let mut quote = from_draft(&rfq(), &ctx, &settings).unwrap();
    let before = quote.clone();
    let err = |q: &mut Quote, e: QuoteEdit| q.apply(&e, &catalog, day(), "anna").unwrap_err().to_string();
    assert_eq!(
        err(&mut quote, QuoteEdit::Remove { line_no: 9 }),
        "the quote has no line 9"
    );
    assert_eq!(
        err(
            &mut quote,
            QuoteEdit::Product {
                line_no: 2,
                sku: "NOPE".into()
            }
        ),
        "product 'NOPE' is not in the catalog"
    );
    assert_eq!(
        err(
            &mut quote,
            QuoteEdit::Quantity {
                line_no: 1,
                quantity: dec!(0)
            }
        ),
        "the quantity must be more than 0 (got 0)"
    );
    assert_eq!(
        err(
            &mut quote,
            QuoteEdit::Add {
                sku: None,
                description: "Fracht".into(),
                quantity: dec!(1),
                unit: "C62".into(),
                price: None
            }
        ),
        "a free-text line needs a description and a price"
    );
    assert_eq!(
        err(
            &mut quote,
            QuoteEdit::ValidUntil {
                date: "2026-01-01".parse().unwrap()
            }
        ),
        "the validity date 2026-01-01 is in the past"
    );
    assert_eq!(quote, before);
}

#[test]
fn a_currency_without_prices_is_a_clear_problem_not_a_zero() {
    let (catalog, settings) = (catalog(), settings());
    let ctx = context(&catalog, &settings);
    let mut draft = rfq();
    draft.currency = Some(CurrencyCode::parse("CHF").unwrap());
    let quote = from_draft(&draft, &ctx, &settings).unwrap();
    assert_eq!(quote.lines[0].unit_price, None);
    let no_price = PricingProblem::Pricing(domain::pricing::PricingError::NoPrice {
        sku: Sku::parse("A-100").unwrap(),
        currency: CurrencyCode::parse("CHF").unwrap(),
    });
    assert_eq!(quote.lines[0].pricing_problem, Some(no_price.clone()));
    assert_eq!(open_points(&quote)[0], QuotePoint::Unpriced(1, no_price));
    assert!(
        open_points(&quote)[0]
            .to_string()
            .starts_with("line 1 has no price: no price for A-100 in CHF")
    );
    // Kept with the quote, read back typed; words an earlier quote kept are read as words.
    let json = quote.to_json();
    assert_eq!(Quote::from_json(&json).unwrap(), quote);
    let said = json.replace(
        &serde_json::to_string(&quote.lines[0].pricing_problem).unwrap(),
        r#""no price for A-100 in CHF""#,
    );
    assert_eq!(
        Quote::from_json(&said).unwrap().lines[0].pricing_problem,
        Some(PricingProblem::Said("no price for A-100 in CHF".into()))
    );
}

#[test]
fn acceptance_is_read_from_the_customers_own_words() {
    for yes in [
        "Guten Tag,\n\nhiermit Auftrag erteilt gemäß Ihrem Angebot.\n\nGruß",
        "Hello, we accept your quotation AN-17. Please proceed.",
        "Wir nehmen Ihr Angebot an.",
    ] {
        assert!(reads_as_acceptance(yes), "{yes}");
    }
    for no in [
        "Leider nehmen wir Ihr Angebot nicht an, zu teuer.",
        "Können Sie die Lieferzeit verkürzen?",
        "We decline, we ordered elsewhere.",
        "Frage zur Lieferzeit.\n\n> Zur Bestellung antworten Sie einfach auf diese Mail. Auftrag erteilt",
    ] {
        assert!(!reads_as_acceptance(no), "{no}");
    }
}

#[test]
fn the_mail_names_quote_enquiry_and_validity() {
    let (catalog, settings) = (catalog(), settings());
    let ctx = context(&catalog, &settings);
    let quote = from_draft(&rfq(), &ctx, &settings).unwrap();
    let (subject, body) = mail_text(&quote, "AN-17", &settings, "Ihr Vertriebsteam");
    assert_eq!(subject, "Angebot AN-17 zu Ihrer Anfrage ANF-77");
    assert!(
        body.contains("Angebot AN-17 als PDF; es gilt bis zum 30.12.2026"),
        "{body}"
    );
    assert!(body.ends_with("Ihr Vertriebsteam\n"));
}

//! Upserts by natural key, change detection, paging and search on both backends.

use domain::customer::{Customer, PostalAddress};
use domain::pricing::PriceEntry;
use domain::product::Product;
use domain::values::PriceListId;
use domain::{CurrencyCode, CustomerNo, Sku, UnitCode};
use rust_decimal::Decimal;
use store::master::{self, MasterTable};
use tooling::testing::fresh_stores;

fn product(sku: &str, name: &str, price: &str) -> Product {
    Product {
        sku: Sku::parse(sku).unwrap(),
        name: name.into(),
        description: None,
        gtin: None,
        base_unit: UnitCode::PIECE,
        pack_size: Decimal::from(10),
        min_order_qty: Decimal::ONE,
        list_price: Some(price.parse().unwrap()),
        currency: Some(CurrencyCode::EUR),
        cost: None,
        lead_time_days: Some(5),
        product_group: None,
        active: true,
        attributes: vec![("thread".into(), "M8".into())],
    }
}

const ALL_PRODUCT_COLUMNS: &[&str] = &[
    "sku",
    "name",
    "description",
    "gtin",
    "uom",
    "pack_size",
    "min_order_qty",
    "list_price",
    "currency",
    "cost",
    "lead_time_days",
    "product_group",
    "active",
    "attributes",
];

#[tokio::test]
async fn upsert_inserts_updates_and_skips_unchanged_rows() {
    for t in fresh_stores().await {
        let s = &t.store;
        let rows = vec![
            master::product_values(&product("A-1", "Bolt", "0.10")),
            master::product_values(&product("A-2", "Nut", "0.05")),
        ];
        let mut tx = s.begin().await.unwrap();
        assert_eq!(
            tx.upsert_master(MasterTable::Products, ALL_PRODUCT_COLUMNS, &rows)
                .await
                .unwrap(),
            2,
            "{:?}",
            t.backend
        );
        tx.commit().await.unwrap();

        let mut tx = s.begin().await.unwrap();
        assert_eq!(
            tx.upsert_master(MasterTable::Products, ALL_PRODUCT_COLUMNS, &rows)
                .await
                .unwrap(),
            0,
            "unchanged rows are not touched ({:?})",
            t.backend
        );
        let changed = vec![master::product_values(&product("A-1", "Bolt", "0.11"))];
        assert_eq!(
            tx.upsert_master(MasterTable::Products, ALL_PRODUCT_COLUMNS, &changed)
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
        assert_eq!(
            s.product("A-1").await.unwrap().unwrap().list_price,
            Some("0.11".parse().unwrap())
        );
        assert_eq!(
            s.product("A-1").await.unwrap().unwrap().attributes,
            vec![("thread".to_owned(), "M8".to_owned())]
        );
    }
}

#[tokio::test]
async fn absent_columns_keep_their_stored_values() {
    for t in fresh_stores().await {
        let s = &t.store;
        let mut tx = s.begin().await.unwrap();
        tx.upsert_master(
            MasterTable::Products,
            ALL_PRODUCT_COLUMNS,
            &[master::product_values(&product("A-1", "Bolt", "0.10"))],
        )
        .await
        .unwrap();
        // A file with only sku and list_price: the name must survive.
        let mut update = product("A-1", "", "0.20");
        update.lead_time_days = None;
        tx.upsert_master(
            MasterTable::Products,
            &["sku", "list_price"],
            &[master::product_values(&update)],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let stored = s.product("A-1").await.unwrap().unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.list_price, stored.lead_time_days),
            ("Bolt", Some("0.20".parse().unwrap()), Some(5)),
            "{:?}",
            t.backend
        );
    }
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing() {
    for t in fresh_stores().await {
        let s = &t.store;
        let mut tx = s.begin().await.unwrap();
        tx.upsert_master(
            MasterTable::Products,
            ALL_PRODUCT_COLUMNS,
            &[master::product_values(&product("A-1", "Bolt", "0.10"))],
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(s.count(MasterTable::Products).await.unwrap(), 0, "{:?}", t.backend);
    }
}

#[tokio::test]
async fn price_keys_with_empty_parts_stay_unique() {
    for t in fresh_stores().await {
        let s = &t.store;
        let price = |customer: Option<&str>, amount: &str| PriceEntry {
            price_list: PriceListId::parse("STD").unwrap(),
            sku: Sku::parse("A-1").unwrap(),
            min_qty: Decimal::ONE,
            customer_no: customer.map(|c| CustomerNo::parse(c).unwrap()),
            valid_from: None,
            valid_to: None,
            unit_price: amount.parse().unwrap(),
            currency: Some(CurrencyCode::EUR),
        };
        let all = &[
            "price_list",
            "sku",
            "min_qty",
            "customer_no",
            "valid_from",
            "unit_price",
            "currency",
            "valid_to",
        ];
        let mut tx = s.begin().await.unwrap();
        tx.upsert_master(
            MasterTable::Prices,
            all,
            &[
                master::price_values(&price(None, "1.00")),
                master::price_values(&price(Some("7"), "0.80")),
            ],
        )
        .await
        .unwrap();
        // Same keys again with a new list price: an update, not a third row.
        assert_eq!(
            tx.upsert_master(MasterTable::Prices, all, &[master::price_values(&price(None, "1.10"))])
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
        assert_eq!(s.count(MasterTable::Prices).await.unwrap(), 2, "{:?}", t.backend);
        let keys = s.master_keys(MasterTable::Prices).await.unwrap();
        assert!(keys.contains(&price(None, "0").natural_key()), "{keys:?}");
        assert!(keys.contains(&price(Some("7"), "0").natural_key()));
        let stored = s.prices_of_sku("A-1").await.unwrap();
        assert!(
            stored.contains(&price(None, "1.10")) && stored.contains(&price(Some("7"), "0.80")),
            "{stored:?}"
        );
    }
}

fn customer(no: &str, name: &str, city: &str) -> Customer {
    Customer {
        customer_no: CustomerNo::parse(no).unwrap(),
        name: name.into(),
        vat_id: None,
        email_domains: vec!["muster.de".into()],
        emails: vec![],
        language: Some("de".into()),
        currency: Some(CurrencyCode::EUR),
        price_list: None,
        credit_limit: Some("5000".parse().unwrap()),
        open_balance: None,
        payment_terms: None,
        territory: None,
        sales_rep: None,
        billing_address: PostalAddress {
            street: None,
            zip: None,
            city: Some(city.into()),
            country: None,
        },
    }
}

#[tokio::test]
async fn search_is_case_insensitive_paged_and_treats_wildcards_literally() {
    for t in fresh_stores().await {
        let s = &t.store;
        let all = &[
            "customer_no",
            "name",
            "vat_id",
            "email_domains",
            "emails",
            "language",
            "currency",
            "price_list",
            "credit_limit",
            "open_balance",
            "payment_terms",
            "territory",
            "sales_rep",
            "street",
            "zip",
            "city",
            "country",
        ];
        let rows: Vec<_> = (0..120)
            .map(|i| {
                master::customer_values(&customer(
                    &format!("{}", 10000 + i),
                    &format!("Muster {i} GmbH"),
                    if i % 2 == 0 { "Stuttgart" } else { "Wien" },
                ))
            })
            .chain([master::customer_values(&customer("99999", "100% Stahl_Bau", "Ulm"))])
            .collect();
        let mut tx = s.begin().await.unwrap();
        tx.upsert_master(MasterTable::Customers, all, &rows).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(
            s.search_customers("stuttgart", None, 1000).await.unwrap().len(),
            60,
            "{:?}",
            t.backend
        );
        assert_eq!(s.search_customers("100%", None, 10).await.unwrap().len(), 1);
        assert_eq!(
            s.search_customers("l_bau", None, 10).await.unwrap().len(),
            1,
            "_ is literal ({:?})",
            t.backend
        );
        assert_eq!(s.search_customers("0_", None, 10).await.unwrap().len(), 0);

        let first = s.search_customers("", None, 50).await.unwrap();
        let second = s
            .search_customers("", Some(first.last().unwrap().customer_no.as_str()), 50)
            .await
            .unwrap();
        assert_eq!(first.len(), 50);
        assert_eq!(second.first().unwrap().customer_no.as_str(), "10050");

        let mut seen = 0;
        s.for_each_page(MasterTable::Customers, 7, master::decode_customer, |page| {
            seen += page.len();
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(seen, 121);
    }
}

#[tokio::test]
async fn migrations_are_idempotent() {
    for t in fresh_stores().await {
        t.store.migrate().await.unwrap();
        t.store.migrate().await.unwrap();
        t.store.ping().await.unwrap();
    }
}

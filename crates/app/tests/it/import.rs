//! Master data import: the contract's formats, all-or-nothing, every bad row reported.

use app::config::ImportSettings;
use app::import::{ImportError, ImportSummary, import_file};
use domain::event::Actor;
use masterdata::Entity;
use store::Store;
use store::master::MasterTable;
use tooling::testing::fresh_stores;

use crate::write;

const PRODUCTS: &str = "\
sku,name,description,gtin,uom,pack_size,min_order_qty,list_price,currency,cost,lead_time_days,product_group,active,attributes
HB-M8-40-A2,Sechskantschraube M8x40 A2,\"Hexagon head screw, DIN 933\",4006381333931,C62,100,100,0.12,EUR,0.05,10,Schrauben,true,thread=M8;length_mm=40;material=A2
HB-M8-45-A2,Sechskantschraube M8x45 A2,,,C62,100,100,0.13,EUR,,10,Schrauben,true,thread=M8;length_mm=45
OEL-5,Hydrauliköl HLP 46,,,LTR,5,5,3.40,EUR,,3,Chemie,false,
";

const CUSTOMERS: &str = "\
customer_no,name,email_domains,emails,language,currency,price_list,credit_limit,open_balance,country
10042,Muster GmbH,muster.de,einkauf@muster.de,de,EUR,STD,50000,1200.50,DE
20001,Acme Ltd,acme.co.uk,,en,GBP,STD-GBP,,,GB
";

fn settings() -> ImportSettings {
    ImportSettings {
        max_file_bytes: 1 << 30,
    }
}

async fn import(store: &Store, entity: Entity, path: &std::path::Path) -> Result<ImportSummary, ImportError> {
    import_file(store, entity, path, &settings(), None, Actor::User("test".into())).await
}

fn summary(rows: u64, created: u64, updated: u64, unchanged: u64) -> ImportSummary {
    ImportSummary {
        rows,
        created,
        updated,
        unchanged,
    }
}

/// The row errors of a rejected import, as the user reads them.
fn rejected(result: Result<ImportSummary, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Rejected { errors, count, .. }) => {
            assert_eq!(count as usize, errors.len());
            errors.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected a rejected import, got {other:?}"),
    }
}

#[tokio::test]
async fn import_counts_created_updated_unchanged_and_reimport_changes_nothing() {
    for t in fresh_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "products.csv", PRODUCTS);
        assert_eq!(
            import(&t.store, Entity::Products, &file).await.unwrap(),
            summary(3, 3, 0, 0),
            "{:?}",
            t.backend
        );
        assert_eq!(
            import(&t.store, Entity::Products, &file).await.unwrap(),
            summary(3, 0, 0, 3),
            "{:?}",
            t.backend
        );

        let changed = write(dir.path(), "changed.csv", PRODUCTS.replace("0.13,EUR", "0.14,EUR"));
        assert_eq!(
            import(&t.store, Entity::Products, &changed).await.unwrap(),
            summary(3, 0, 1, 2)
        );
        let p = t.store.product("HB-M8-45-A2").await.unwrap().unwrap();
        assert_eq!(p.list_price.unwrap().to_string(), "0.14");
        let oil = t.store.product("OEL-5").await.unwrap().unwrap();
        assert!(!oil.active);
        assert_eq!(oil.base_unit.as_str(), "LTR");
        let screw = t.store.product("HB-M8-40-A2").await.unwrap().unwrap();
        assert_eq!(screw.description.as_deref(), Some("Hexagon head screw, DIN 933"));
        assert_eq!(screw.attribute("material"), Some("A2"));

        let events = t.store.recent_events(10).await.unwrap();
        assert_eq!(events.len(), 3, "one event per applied import");
        assert_eq!(events[0].action, "imported");
        assert!(
            events[0]
                .changes
                .iter()
                .any(|c| c.field == "updated" && c.after.as_deref() == Some("1"))
        );
    }
}

#[tokio::test]
async fn columns_in_any_order_a_bom_and_a_partial_update() {
    for t in fresh_stores().await {
        let dir = tempfile::tempdir().unwrap();
        import(&t.store, Entity::Products, &write(dir.path(), "p.csv", PRODUCTS))
            .await
            .unwrap();
        // Only two columns, reversed, with a BOM: prices change, names stay.
        let partial = write(
            dir.path(),
            "prices-only.csv",
            "\u{feff}list_price,sku\n0.20,HB-M8-40-A2\n",
        );
        assert_eq!(
            import(&t.store, Entity::Products, &partial).await.unwrap(),
            summary(1, 0, 1, 0)
        );
        let p = t.store.product("HB-M8-40-A2").await.unwrap().unwrap();
        assert_eq!(
            (p.name.as_str(), p.list_price.unwrap().to_string()),
            ("Sechskantschraube M8x40 A2", "0.2".to_owned())
        );
    }
}

async fn with_products_and_customers(store: &Store, dir: &std::path::Path) {
    import(store, Entity::Products, &write(dir, "p.csv", PRODUCTS))
        .await
        .unwrap();
    import(store, Entity::Customers, &write(dir, "c.csv", CUSTOMERS))
        .await
        .unwrap();
}

#[tokio::test]
async fn all_six_entities_import_with_references_checked() {
    for t in fresh_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let s = &t.store;
        with_products_and_customers(s, dir.path()).await;
        let addresses = "customer_no,address_id,name,street,zip,city,region,country,default\n\
                         10042,10042-1,Muster GmbH,Industriestr. 1,70173,Stuttgart,BW,DE,true\n\
                         10042,10042-2,Muster GmbH Werk 2,Werkstr. 5,70565,Stuttgart,,DE,false\n";
        assert_eq!(
            import(s, Entity::Addresses, &write(dir.path(), "a.csv", addresses))
                .await
                .unwrap()
                .created,
            2
        );
        let prices = "price_list,sku,min_qty,customer_no,valid_from,unit_price,currency,valid_to\n\
                      STD,HB-M8-40-A2,1,,,0.12,EUR,\n\
                      STD,HB-M8-40-A2,1000,,,0.10,EUR,\n\
                      STD,HB-M8-40-A2,1,10042,2026-01-01,0.09,EUR,2026-12-31\n";
        assert_eq!(
            import(s, Entity::Prices, &write(dir.path(), "pr.csv", prices))
                .await
                .unwrap()
                .created,
            3
        );
        let items = "customer_no,customer_part_no,sku,customer_uom,factor\n10042,77-1034,HB-M8-40-A2,BX,100\n";
        assert_eq!(
            import(s, Entity::CustomerItems, &write(dir.path(), "ci.csv", items))
                .await
                .unwrap()
                .created,
            1
        );
        let stock = "sku,warehouse,on_hand,reserved,next_receipt_date,next_receipt_qty\nHB-M8-40-A2,MAIN,5000,200,2026-12-01,10000\n";
        assert_eq!(
            import(s, Entity::Stock, &write(dir.path(), "st.csv", stock))
                .await
                .unwrap()
                .created,
            1
        );

        assert_eq!(
            s.addresses_of("10042")
                .await
                .unwrap()
                .iter()
                .filter(|a| a.is_default)
                .count(),
            1
        );
        let item = &s.customer_items_of("10042").await.unwrap()[0];
        assert_eq!(
            item.base_quantity("5".parse().unwrap(), domain::UnitCode::parse("BX").unwrap())
                .to_string(),
            "500"
        );
        let prices = s.prices_of_sku("HB-M8-40-A2").await.unwrap();
        let customer = s.customer("10042").await.unwrap().unwrap();
        let expected = domain::pricing::expected_price(
            &prices,
            &customer.customer_no,
            customer.price_list.as_ref(),
            &"HB-M8-40-A2"
                .parse::<String>()
                .map(|s| domain::Sku::parse(&s).unwrap())
                .unwrap(),
            "2000".parse().unwrap(),
            jiff::civil::date(2026, 6, 1),
        )
        .unwrap();
        assert_eq!(expected.entry.unit_price.to_string(), "0.09");
        assert_eq!(
            s.stock_of("HB-M8-40-A2").await.unwrap()[0]
                .next_receipt_qty
                .unwrap()
                .to_string(),
            "10000"
        );
    }
}

/// Imports `content`, expects rejection, and checks the database did not change.
async fn expect_rejected(store: &Store, entity: Entity, content: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let before = (
        store.count(MasterTable::Products).await.unwrap(),
        store.count(MasterTable::Prices).await.unwrap(),
    );
    let errors = rejected(import(store, entity, &write(dir.path(), "bad.csv", content)).await);
    let after = (
        store.count(MasterTable::Products).await.unwrap(),
        store.count(MasterTable::Prices).await.unwrap(),
    );
    assert_eq!(before, after, "a rejected file must leave the database unchanged");
    errors
}

#[tokio::test]
async fn bad_rows_are_all_reported_and_nothing_is_imported() {
    for t in fresh_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let s = &t.store;
        with_products_and_customers(s, dir.path()).await;

        // Good rows around bad ones: none of them may land.
        let errors = expect_rejected(
            s,
            Entity::Products,
            b"sku,name,uom,list_price,currency\n\
              NEW-1,New one,C62,1.00,EUR\n\
              NEW-2,Decimal comma,C62,\"1,50\",EUR\n\
              NEW-3,Bad unit,kg,1.00,EUR\n\
              NEW-4,Another good,C62,2.00,EUR\n\
              NEW-1,Duplicate,C62,1.00,EUR\n",
        )
        .await;
        assert_eq!(
            errors,
            vec![
                "line 3, column list_price: '1,50' is not a decimal number (use a dot as decimal separator, e.g. 12.50)",
                "line 4, column uom: 'kg' is not a known UN/ECE Rec. 20 unit code (e.g. C62 piece, KGM, MTR, LTR, BX, PK, SET)",
                "line 6: the key NEW-1 already appears on line 2",
            ],
            "{:?}",
            t.backend
        );
        assert!(s.product("NEW-1").await.unwrap().is_none());

        let errors = expect_rejected(
            s,
            Entity::Prices,
            b"price_list,sku,min_qty,customer_no,unit_price\nSTD,HB-M8-40-A2,1,99999,0.10\nSTD,NOPE,1,,0.10\n",
        )
        .await;
        assert_eq!(
            errors,
            vec![
                "line 2, column customer_no: unknown customer '99999': import it with `orderdesk import customers` first",
                "line 3, column sku: unknown product 'NOPE': import it with `orderdesk import products` first",
            ]
        );

        let errors = expect_rejected(s, Entity::Products, b"sku,name\nOK-1,Fine\nLAT-1,Stra\xdfe\n").await;
        assert_eq!(
            errors,
            vec![
                "line 3, column name: is not valid UTF-8 (byte 0xDF at position 5 of the cell): save the file as UTF-8"
            ]
        );

        let errors = expect_rejected(s, Entity::Products, b"sku,name\nA-1,One\nA-2,Two,extra\n").await;
        assert_eq!(errors, vec!["line 3: has 3 fields, the header has 2"]);

        let errors = expect_rejected(
            s,
            Entity::Stock,
            b"sku,warehouse,on_hand,next_receipt_date\nHB-M8-40-A2,MAIN,10,01.12.2026\n",
        )
        .await;
        assert_eq!(
            errors,
            vec!["line 2, column next_receipt_date: '01.12.2026' is not an ISO date (YYYY-MM-DD)"]
        );
    }
}

#[tokio::test]
async fn file_level_errors_name_the_problem() {
    let t = tooling::testing::fresh_sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let err = import(
        &t.store,
        Entity::Products,
        &write(dir.path(), "p.csv", "sku,name,colour\nA,B,red\n"),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("p.csv: unknown column(s) colour: the products format has sku, name"),
        "{err}"
    );
    assert!(err.ends_with("nothing was imported"), "{err}");

    let err = import(
        &t.store,
        Entity::Addresses,
        &write(dir.path(), "a.csv", "customer_no,name\n1,x\n"),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("missing key column(s) address_id"), "{err}");

    let err = import(&t.store, Entity::Products, &write(dir.path(), "empty.csv", ""))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("the file is empty"), "{err}");

    let err = import(&t.store, Entity::Products, &dir.path().join("missing.csv"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.csv: cannot read the file"), "{err}");

    let big = write(dir.path(), "big.csv", PRODUCTS);
    let small = ImportSettings { max_file_bytes: 100 };
    let err = import_file(&t.store, Entity::Products, &big, &small, None, Actor::User("t".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { limit: 100, .. }), "{err}");
    assert!(err.to_string().contains("more than the import limit of 100 bytes"));
    assert_eq!(t.store.count(MasterTable::Products).await.unwrap(), 0);
}

#[tokio::test]
async fn xlsx_imports_like_csv() {
    use rust_xlsxwriter::Workbook;
    for t in fresh_stores().await {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("products.xlsx");
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (r, line) in PRODUCTS.lines().enumerate() {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            let record = reader.records().next().unwrap().unwrap();
            for (c, cell) in record.iter().enumerate() {
                // Numbers as numbers, the way spreadsheets hold them.
                match cell.parse::<f64>() {
                    Ok(n) if r > 0 && c != 0 && c != 3 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                    _ => sheet.write_string(r as u32, c as u16, cell).unwrap(),
                };
            }
        }
        workbook.save(&path).unwrap();
        assert_eq!(
            import(&t.store, Entity::Products, &path).await.unwrap(),
            summary(3, 3, 0, 0),
            "{:?}",
            t.backend
        );
        // The same data as CSV afterwards changes nothing.
        let csv = write(dir.path(), "products.csv", PRODUCTS);
        assert_eq!(
            import(&t.store, Entity::Products, &csv).await.unwrap(),
            summary(3, 0, 0, 3)
        );
        let p = t.store.product("HB-M8-40-A2").await.unwrap().unwrap();
        assert_eq!(
            (p.list_price.unwrap().to_string(), p.pack_size.to_string()),
            ("0.12".to_owned(), "100".to_owned())
        );
    }
}

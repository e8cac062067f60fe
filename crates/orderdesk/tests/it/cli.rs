//! Import, export and migrate through the command line, with exit codes and messages.

use crate::{orderdesk, text};

const PRODUCTS: &str = "sku,name,uom,pack_size,list_price,currency\n\
                        HB-M8-40-A2,Sechskantschraube M8x40 A2,C62,100,0.12,EUR\n\
                        HB-M8-45-A2,Sechskantschraube M8x45 A2,C62,100,0.13,EUR\n";

/// The database URLs to run against: SQLite in `dir`, and a fresh PostgreSQL database when available.
async fn databases(dir: &std::path::Path) -> Vec<(String, Option<tooling::testing::TestStore>)> {
    let mut urls = vec![(format!("sqlite://{}/data/orderdesk.db", dir.display()), None)];
    if let Some(admin) = tooling::testing::postgres_url() {
        let pg = tooling::testing::fresh_postgres(&admin).await;
        urls.push((pg.url.clone(), Some(pg)));
    }
    urls
}

#[tokio::test]
async fn import_then_reimport_then_export_twice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("products.csv"), PRODUCTS).unwrap();
    for (url, _keep) in databases(dir.path()).await {
        let out = orderdesk(dir.path(), &url, &["import", "products", "products.csv"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("products products.csv: 2 rows: 2 created, 0 updated, 0 unchanged"),
            "{}",
            text(&out.stdout)
        );

        let out = orderdesk(dir.path(), &url, &["import", "products", "products.csv"]);
        assert!(
            text(&out.stdout).contains("2 rows: 0 created, 0 updated, 2 unchanged"),
            "{}",
            text(&out.stdout)
        );

        let a = orderdesk(dir.path(), &url, &["export", "products", "a.csv"]);
        assert!(a.status.success(), "{}", text(&a.stderr));
        let b = orderdesk(dir.path(), &url, &["export", "products", "-"]);
        let exported = std::fs::read(dir.path().join("a.csv")).unwrap();
        assert_eq!(exported, b.stdout, "file and standard output exports are identical");
        assert!(text(&exported).starts_with("sku,name,description,gtin,uom,pack_size,"));
        assert!(
            text(&exported).contains("HB-M8-40-A2,Sechskantschraube M8x40 A2,,,C62,100,1,0.12,EUR,,,,true,\n"),
            "{}",
            text(&exported)
        );
    }
}

#[tokio::test]
async fn a_bad_file_exits_non_zero_names_every_bad_row_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.csv"), PRODUCTS).unwrap();
    std::fs::write(
        dir.path().join("bad.csv"),
        "sku,name,uom,list_price,currency\nHB-M8-40-A2,Changed,C62,0.99,EUR\nX-2,Bad,C62,\"1,5\",EUR\nX-3,Bad unit,Stk,1.00,EUR\n",
    )
    .unwrap();
    for (url, _keep) in databases(dir.path()).await {
        assert!(
            orderdesk(dir.path(), &url, &["import", "products", "good.csv"])
                .status
                .success()
        );
        let before = orderdesk(dir.path(), &url, &["export", "products", "-"]).stdout;
        let out = orderdesk(dir.path(), &url, &["import", "products", "bad.csv"]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("bad.csv: line 3, column list_price: '1,5' is not a decimal number"),
            "{stderr}"
        );
        assert!(
            stderr.contains("bad.csv: line 4, column uom: 'Stk' is not a known UN/ECE Rec. 20 unit code"),
            "{stderr}"
        );
        assert!(
            stderr.contains("error: bad.csv: 2 bad row(s); the file was not imported and the database is unchanged"),
            "{stderr}"
        );
        assert_eq!(orderdesk(dir.path(), &url, &["export", "products", "-"]).stdout, before);
    }
}

#[test]
fn usage_errors_are_plain() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/o.db", dir.path().display());
    let out = orderdesk(dir.path(), &url, &["import", "widgets", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'widgets' is not a kind of master data; use one of products, customers, addresses, prices, customer-items, stock"));

    let out = orderdesk(dir.path(), "mysql://localhost/x", &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("unsupported database URL 'mysql://localhost/x'"),
        "{}",
        text(&out.stderr)
    );

    let out = orderdesk(
        dir.path(),
        &url,
        &[
            "--database-url",
            &format!("sqlite://{}/flag.db", dir.path().display()),
            "migrate",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        dir.path().join("flag.db").exists(),
        "--database-url wins over the environment"
    );
    assert!(!dir.path().join("o.db").exists());
}

#[test]
fn the_default_database_lives_under_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir.path())
        .env_remove("ORDERDESK_DATABASE_URL")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("data/orderdesk.db").exists());
    let journal = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('pragma journal_mode').fetchone()[0])",
        ])
        .arg(dir.path().join("data/orderdesk.db"))
        .output();
    if let Ok(journal) = journal {
        assert_eq!(text(&journal.stdout).trim(), "wal");
    }
}

#[test]
fn a_two_gigabyte_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let huge = std::fs::File::create(dir.path().join("huge.csv")).unwrap();
    huge.set_len(2 << 30).unwrap(); // sparse: takes no disk space
    let url = format!("sqlite://{}/o.db", dir.path().display());
    let out = orderdesk(dir.path(), &url, &["import", "products", "huge.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("huge.csv: the file is 2147483648 bytes, more than the import limit of 1073741824 bytes (setting import.max_file_bytes); nothing was imported"),
        "{stderr}"
    );
}

#[test]
fn confirmed_orders_wait_in_the_outbox_until_a_connector_delivers_them_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/od.db", dir.path().display());
    let out = crate::orderdesk(dir.path(), &url, &["demo", "--no-serve"]);
    assert!(out.status.success(), "{}", crate::text(&out.stderr));
    let out = crate::orderdesk(dir.path(), &url, &["erp", "status", "--limit", "1"]);
    let status = crate::text(&out.stdout);
    let pending: usize = status
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("outbox: pending "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the demo's straight-through orders are queued: {status}"));
    assert!(pending > 0);
    // No connector: pushing says how to set one up and changes nothing.
    let out = crate::orderdesk(dir.path(), &url, &["erp", "push"]);
    assert!(!out.status.success());
    assert!(
        crate::text(&out.stderr).contains("[erp] connector"),
        "{}",
        crate::text(&out.stderr)
    );

    let inbox = dir.path().join("erp-in");
    let with_files = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .current_dir(dir.path())
            .env("ORDERDESK_DATABASE_URL", &url)
            .env("ORDERDESK_ERP__CONNECTOR", "file")
            .env("ORDERDESK_ERP__DIR", &inbox)
            .args(args)
            .output()
            .unwrap()
    };
    let out = with_files(&["erp", "test"]);
    assert!(out.status.success(), "{}", crate::text(&out.stderr));
    let out = with_files(&["erp", "push"]);
    assert!(out.status.success(), "{}", crate::text(&out.stderr));
    assert!(
        crate::text(&out.stdout).starts_with(&format!("sent {pending},")),
        "{}",
        crate::text(&out.stdout)
    );
    let out = with_files(&["erp", "push"]);
    assert!(
        crate::text(&out.stdout).starts_with("sent 0,"),
        "nothing twice: {}",
        crate::text(&out.stdout)
    );
    assert_eq!(std::fs::read_dir(&inbox).unwrap().count(), pending);
    let out = crate::orderdesk(dir.path(), &url, &["erp", "status"]);
    assert!(crate::text(&out.stdout).starts_with(&format!("outbox: sent {pending}")));
}

#[test]
fn erp_test_pull_and_status_against_a_real_tryton() {
    let Some(server) = erp::server::for_test() else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let t = server.connector(erp::SaleState::Confirmed);
        t.rpc(
            "model.party.party.create",
            vec![serde_json::json!([{"name": "Nordwerk AG", "code": "30017",
                "addresses": [["create", [{"street_unstructured": "Werftstr. 1", "postal_code": "24103",
                    "city": "Kiel", "invoice": true, "delivery": true}]]]}])],
        )
        .await
        .unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/od.db", dir.path().display());
    let tryton_url = server.url();
    let run = |args: &[&str], password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .current_dir(dir.path())
            .env("ORDERDESK_DATABASE_URL", &url)
            .env("ORDERDESK_ERP__CONNECTOR", "tryton")
            .env("ORDERDESK_ERP__URL", &tryton_url)
            .env("ORDERDESK_ERP__DATABASE", "erp")
            .env("ORDERDESK_ERP__USER", "admin")
            .env("ORDERDESK_ERP__PASSWORD", password)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["erp", "test"], server.password());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("ok: Tryton 8.2 at "),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["erp", "test"], "wrong");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("could not log in"), "{}", text(&out.stderr));

    let out = run(&["erp", "pull"], server.password());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("pulled: 0 products, 1 customers, 1 addresses"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["erp", "pull"], server.password());
    assert!(
        text(&out.stdout).starts_with("pulled: 0 products, 0 customers, 0 addresses, 0 stock rows changed"),
        "a second pull changes nothing: {}",
        text(&out.stdout)
    );
    let out = run(&["erp", "status"], server.password());
    let status = text(&out.stdout);
    assert!(
        status.contains("last pull: ") && status.contains(" ok: 0 products, 0 customers"),
        "{status}"
    );
    let out = run(&["export", "customers", "customers.csv"], server.password());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let customers = std::fs::read_to_string(dir.path().join("customers.csv")).unwrap();
    assert!(customers.contains("30017,Nordwerk AG"), "{customers}");
}

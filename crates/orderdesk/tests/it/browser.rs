//! The review workspace in a real headless Chromium, driven by Playwright
//! (`e2e/review.mjs`) against `orderdesk demo` as a real process.
//!
//! scripts/test installs Chromium and playwright-core when missing and sets
//! ORDERDESK_TEST_CHROMIUM; run alone without it, this test says so and does nothing.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::serve::{http, orderdesk, start};

fn password(printed: &[String], user: &str) -> String {
    printed
        .iter()
        .find(|l| l.starts_with(&format!("demo user {user} ")))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("no password printed for {user}: {printed:?}"))
        .to_owned()
}

fn json(address: &str, path: &str, token: &str) -> Value {
    let (status, body) = http(address, "GET", path, Some(token), b"");
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn a_clerks_day_in_the_browser() {
    let Ok(chromium) = std::env::var("ORDERDESK_TEST_CHROMIUM") else {
        // In CI a missing browser is a failure, never a quietly passing test.
        assert!(
            std::env::var_os("CI").is_none(),
            "ORDERDESK_TEST_CHROMIUM is not set: run the tests with scripts/test, which installs and names Chromium"
        );
        eprintln!("ORDERDESK_TEST_CHROMIUM is not set: the browser test runs through scripts/test");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let e2e = root.join("e2e");
    assert!(
        e2e.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed in e2e/"
    );
    let dir = tempfile::tempdir().unwrap();
    // Mail to customers through the test script's Postfix: quotes are sent
    // from the browser and read back from its Maildir.
    let maildir = match (
        std::env::var("ORDERDESK_TEST_SMTP_PORT"),
        std::env::var("ORDERDESK_TEST_SMTP_DIR"),
    ) {
        (Ok(port), Ok(smtp_dir)) => {
            std::fs::write(
                dir.path().join("orderdesk.toml"),
                format!(
                    "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n\
                     from = \"Vertrieb Muster <vertrieb@orderdesk.example>\"\n"
                ),
            )
            .unwrap();
            Some(Path::new(&smtp_dir).join("mail/Maildir/new"))
        }
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "ORDERDESK_TEST_SMTP_PORT is not set: run the tests with scripts/test"
            );
            None
        }
    };
    let server = start(dir.path(), &["demo"]);
    let address = server.address.clone();
    let token = orderdesk(dir.path(), &["token", "add", "browser-test", "--user", "clerk"]);
    let token = token.trim();

    // A German customer orders one known product and one code nobody knows.
    let customers = json(&address, "/api/customers?limit=200", token);
    let customer = customers
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["language"] == "de" && c["email_domains"].as_array().is_some_and(|d| !d.is_empty()))
        .expect("a German customer with a mail domain");
    let domain = customer["email_domains"][0].as_str().unwrap();
    let products = json(&address, "/api/products?q=DIN%20933%20M8&limit=5", token);
    let (known, fix) = (&products[0], &products[1]);
    let mail = format!(
        "From: einkauf@{domain}\r\nSubject: Bestellung 4500077001\r\nMessage-ID: <browser-4500077001@{domain}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nBestellnummer: 4500077001\r\n\r\n\
         Pos  Artikel-Nr.   Bezeichnung   Menge\r\n\
         1    {}   {}   100\r\n\
         2    ZZ-40411   Schraube Sonderanfertigung   20\r\n\r\nMit freundlichen Grüßen\r\n",
        known["sku"].as_str().unwrap(),
        known["name"].as_str().unwrap(),
    );
    let (status, body) = http(
        &address,
        "POST",
        "/api/messages?name=order.eml",
        Some(token),
        mail.as_bytes(),
    );
    assert_eq!(status, 201, "{body}");
    let message: Value = serde_json::from_str(&body).unwrap();
    let id = message["id"].as_i64().unwrap();
    let started = Instant::now();
    let draft_id = loop {
        let m = json(&address, &format!("/api/messages/{id}"), token);
        if let Some(d) = m["draft_id"].as_i64() {
            break d;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the worker did not draft message {id}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let draft = json(&address, &format!("/api/drafts/{draft_id}"), token);
    assert_eq!(draft["status"], "review", "{draft}");

    // A CSV order from the same customer: shown as a grid beside its draft.
    let csv = format!(
        "Pos;Artikelnummer;Bezeichnung;Menge;Einheit\n1;{};{};100;Stk\n2;ZZ-40499;Sonderteil;5;Stk\n",
        known["sku"].as_str().unwrap(),
        known["name"].as_str().unwrap(),
    );
    let (status, body) = http(
        &address,
        "POST",
        "/api/messages?name=bestellung.csv",
        Some(token),
        csv.as_bytes(),
    );
    assert_eq!(status, 201, "{body}");
    let csv_message = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
    let started = Instant::now();
    let csv_draft = loop {
        let m = json(&address, &format!("/api/messages/{csv_message}"), token);
        if let Some(d) = m["draft_id"].as_i64() {
            break d;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the worker did not draft the CSV order"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(draft["draft"]["lines"][1]["sku"].is_null(), "{draft}");

    // A draft in review whose message carries a PDF (the demo inbox has some).
    let queue = json(&address, "/api/queue?limit=200", token);
    let pdf_draft = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            let m = json(&address, &format!("/api/messages/{}", d["message_id"]), token);
            m["documents"]
                .as_array()
                .is_some_and(|docs| docs.iter().any(|doc| doc["format"] == "pdf"))
        })
        .map(|d| d["id"].to_string())
        .expect("a draft in review from a PDF");

    let shots = root.join("target/screenshots");
    let out = Command::new("node")
        .arg(e2e.join("review.mjs"))
        .env("ORDERDESK_URL", format!("http://{address}"))
        .env("CHROMIUM", chromium)
        .env("SCREENSHOT_DIR", &shots)
        .env("CLERK_PASSWORD", password(&server.printed, "clerk"))
        .env("SALES_PASSWORD", password(&server.printed, "sales"))
        .env("ADMIN_PASSWORD", password(&server.printed, "admin"))
        .env("DRAFT_ID", draft_id.to_string())
        .env("PDF_DRAFT_ID", &pdf_draft)
        .env("CSV_DRAFT_ID", csv_draft.to_string())
        .env("CUSTOMER_NAME", customer["name"].as_str().unwrap())
        .env(
            "CHANGE_MAIL",
            format!(
                "From: einkauf@{domain}\r\nSubject: Änderung zu Bestellung 4500077001\r\nMessage-ID: <change-4500077001@{domain}>\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\nGuten Tag,\r\n\r\nbitte ändern Sie unsere Bestellung 4500077001:\r\n\r\n\
                 Pos  Artikel-Nr.   Bezeichnung   Menge\r\n\
                 1    {}   {}   175\r\n\r\nMit freundlichen Grüßen\r\n",
                known["sku"].as_str().unwrap(),
                known["name"].as_str().unwrap(),
            ),
        )
        .env("SEND_QUOTES", if maildir.is_some() { "1" } else { "" })
        .env("FIX_SKU", fix["sku"].as_str().unwrap())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("browser: all checks passed"));
    for shot in [
        "login",
        "queue",
        "review",
        "order",
        "conflict",
        "inbox",
        "settings",
        "settings-letter",
        "home",
        "quotes",
        "quote",
        "quote-approval",
        "review-pdf",
        "review-lines",
        "review-sheet",
        "review-change",
        "queue-de",
        "review-de",
        "inbox-de",
        "orders-de",
        "quotes-de",
        "home-de",
    ] {
        assert!(shots.join(format!("{shot}.png")).is_file(), "no screenshot {shot}.png");
    }
    // The quote the browser sent reached the customer with its PDF.
    if let Some(new) = &maildir {
        let started = Instant::now();
        let sent = loop {
            let found: Vec<String> = std::fs::read_dir(new)
                .map(|d| {
                    d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                        .filter(|m| m.contains("Subject: Angebot AN-"))
                        .collect()
                })
                .unwrap_or_default();
            if !found.is_empty() || started.elapsed() > Duration::from_secs(30) {
                break found;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        assert!(!sent.is_empty(), "the quote sent in the browser was not delivered");
        assert!(
            sent.iter().any(|m| m.contains("application/pdf")),
            "the quote mail carries its PDF"
        );
    }

    // What the browser did is in the store: the order, confirmed by the clerk.
    let draft = json(&address, &format!("/api/drafts/{draft_id}"), token);
    assert_eq!(draft["status"], "confirmed");
    let orders = json(&address, "/api/orders?limit=500", token);
    let order = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["draft_id"] == draft_id)
        .expect("the confirmed order");
    assert_eq!(order["confirmed_by"], "user:clerk");
    assert_eq!(order["po_number"], "4500077001");
    // The freight line the clerk added is confirmed as written, beside the two ordered.
    assert_eq!(order["line_count"], 3, "{order}");
}

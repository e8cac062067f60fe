//! Taking in mail from a real IMAP server (Dovecot, started by scripts/test).

use std::time::Duration;

use app::mailbox::{MailboxPass, poll_once};
use mail::MailboxConfig;

/// A mailbox on the test server, in a folder of its own; `None` when no server runs.
fn test_mailbox(tag: &str) -> Option<MailboxConfig> {
    let address = match std::env::var("ORDERDESK_TEST_IMAP") {
        Ok(a) if !a.is_empty() => a,
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "ORDERDESK_TEST_IMAP is not set: run the tests with scripts/test"
            );
            eprintln!("note: ORDERDESK_TEST_IMAP is not set; IMAP tests are skipped (scripts/test sets it)");
            return None;
        }
    };
    let (host, port) = address.rsplit_once(':').unwrap();
    let unique = format!(
        "{tag}{}{}",
        std::process::id(),
        jiff::Timestamp::now().as_millisecond() % 100_000
    );
    Some(MailboxConfig {
        name: unique.clone(),
        host: host.into(),
        port: port.parse().unwrap(),
        tls: false,
        username: "orders".into(),
        password: "orders-secret".into(),
        folder: format!("T{unique}"),
        move_to: None,
    })
}

fn order_mail(n: u32, tag: &str) -> Vec<u8> {
    format!("From: einkauf@muster.de\r\nSubject: Bestellung {n}\r\nMessage-ID: <{tag}-{n}@muster.de>\r\n\r\nBitte liefern Sie {n}00 Stk HB-M8-40-A2.\r\n").into_bytes()
}

async fn append(config: &MailboxConfig, folder: &str, mails: &[Vec<u8>]) {
    let mut inbox = MailboxConfig {
        folder: "INBOX".into(),
        ..config.clone()
    };
    inbox.folder = "INBOX".into();
    let (mut session, _) = mail::open(&inbox).await.unwrap();
    let _ = session.create(folder).await;
    for m in mails {
        session.append(folder, None, None, m).await.unwrap();
    }
    mail::logout(session).await;
}

#[tokio::test]
async fn new_mail_is_taken_in_once_and_processed() {
    let Some(config) = test_mailbox("a") else { return };
    let t = tooling::testing::fresh_sqlite().await;
    append(
        &config,
        &config.folder,
        &[order_mail(1, &config.name), order_mail(2, &config.name)],
    )
    .await;

    let pass = poll_once(&t.store, &config).await.unwrap();
    assert_eq!(
        pass,
        MailboxPass {
            fetched: 2,
            received: 2,
            duplicates: 0
        }
    );
    assert_eq!(
        poll_once(&t.store, &config).await.unwrap(),
        MailboxPass::default(),
        "the UID high-water mark holds"
    );

    append(&config, &config.folder, &[order_mail(3, &config.name)]).await;
    assert_eq!(poll_once(&t.store, &config).await.unwrap().received, 1);

    assert_eq!(
        app::intake::drain(&t.store, &app::intake::Pipeline::default())
            .await
            .unwrap(),
        3
    );
    let messages = t.store.messages(None, 10).await.unwrap();
    assert!(
        messages.iter().all(
            |m| m.kind == Some(domain::message::MessageKind::Order) && m.channel == format!("imap:{}", config.name)
        )
    );

    // The server renumbered its UIDs: everything is read again but recognised as duplicates.
    let (validity, last) = t.store.mailbox_state(&config.name).await.unwrap().unwrap();
    t.store
        .set_mailbox_state(&config.name, validity + 1, last)
        .await
        .unwrap();
    assert_eq!(
        poll_once(&t.store, &config).await.unwrap(),
        MailboxPass {
            fetched: 3,
            received: 0,
            duplicates: 3
        }
    );
    assert_eq!(
        app::intake::drain(&t.store, &app::intake::Pipeline::default())
            .await
            .unwrap(),
        0,
        "nothing is processed twice"
    );
}

#[tokio::test]
async fn taken_in_mail_can_be_moved_away() {
    let Some(mut config) = test_mailbox("m") else { return };
    let done = format!("{}-done", config.folder);
    config.move_to = Some(done.clone());
    let t = tooling::testing::fresh_sqlite().await;
    append(
        &config,
        &config.folder,
        &[order_mail(1, &config.name), order_mail(2, &config.name)],
    )
    .await;
    assert_eq!(poll_once(&t.store, &config).await.unwrap().received, 2);
    let (mut session, _) = mail::open(&MailboxConfig {
        folder: done.clone(),
        ..config.clone()
    })
    .await
    .unwrap();
    let moved = mail::fetch_new(&mut session, &config, 0, None).await.unwrap();
    assert_eq!(moved.len(), 2, "both moved to {done}");
    mail::logout(session).await;
    let (mut session, validity) = mail::open(&config).await.unwrap();
    assert!(
        mail::fetch_new(&mut session, &config, validity, None)
            .await
            .unwrap()
            .is_empty(),
        "the folder is empty"
    );
    mail::logout(session).await;
}

#[tokio::test]
async fn idle_wakes_on_new_mail() {
    let Some(config) = test_mailbox("i") else { return };
    append(&config, &config.folder, &[]).await;
    let (session, _) = mail::open(&config).await.unwrap();
    let writer = config.clone();
    let folder = config.folder.clone();
    let delivery = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        append(&writer, &folder, &[order_mail(9, &writer.name)]).await;
    });
    let (session, woke) = mail::idle(session, &config, Duration::from_secs(60)).await.unwrap();
    assert!(woke, "IDLE ended because of new mail, not the timeout");
    delivery.await.unwrap();
    mail::logout(session).await;
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_error() {
    let Some(mut config) = test_mailbox("p") else { return };
    config.password = "wrong".into();
    let t = tooling::testing::fresh_sqlite().await;
    let err = poll_once(&t.store, &config).await.unwrap_err().to_string();
    assert!(
        err.contains(&format!("mailbox {}: login as orders refused", config.name)),
        "{err}"
    );
    assert!(!err.contains("wrong"));
}

#[tokio::test]
async fn a_mailbox_added_in_the_settings_is_watched_and_removing_it_stops_the_watch() {
    let Some(config) = test_mailbox("s") else { return };
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    append(&config, &config.folder, &[order_mail(1, &config.name)]).await;
    let supervisor = tokio::spawn(app::mailbox::supervise(
        s.clone(),
        Vec::new(),
        Duration::from_millis(200),
    ));

    // Wrong first: a bad password is saved but takes nothing in.
    let wrong = MailboxConfig {
        password: "wrong".into(),
        ..config.clone()
    };
    app::settings::save_mailbox(s, wrong, "adam").await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(s.messages(None, 10).await.unwrap().is_empty());

    // Corrected: the supervisor restarts the watch and the mail arrives.
    app::settings::save_mailbox(s, config.clone(), "adam").await.unwrap();
    let started = std::time::Instant::now();
    while s.messages(None, 10).await.unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(45),
            "the mailbox added in the settings was not watched"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let messages = s.messages(None, 10).await.unwrap();
    assert_eq!(messages[0].channel, format!("imap:{}", config.name));

    // The audit names the change but never the password.
    let events = s.events_for("settings", "mailboxes").await.unwrap();
    assert_eq!(events.len(), 2);
    let text = format!("{events:?}");
    assert!(!text.contains("orders-secret") && !text.contains("wrong\""), "{text}");

    // Removed: mail that comes later stays on the server.
    assert!(app::settings::remove_mailbox(s, &config.name, "adam").await.unwrap());
    tokio::time::sleep(Duration::from_millis(800)).await;
    append(&config, &config.folder, &[order_mail(2, &config.name)]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(s.messages(None, 10).await.unwrap().len(), 1);
    supervisor.abort();
}

#[tokio::test]
async fn mailbox_settings_are_checked_and_keep_the_password_when_left_empty() {
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    let mailbox = MailboxConfig {
        name: "orders".into(),
        host: "imap.example.com".into(),
        port: 993,
        tls: true,
        username: "orders@example.com".into(),
        password: "s3cret".into(),
        folder: "INBOX".into(),
        move_to: None,
    };
    let bad = MailboxConfig {
        name: "or ders".into(),
        ..mailbox.clone()
    };
    assert!(matches!(
        app::settings::save_mailbox(s, bad, "adam").await,
        Err(app::settings::SettingsError::MailboxName(name)) if name == "or ders"
    ));
    app::settings::save_mailbox(s, mailbox.clone(), "adam").await.unwrap();
    let renamed_folder = MailboxConfig {
        password: String::new(),
        folder: "Orders".into(),
        ..mailbox.clone()
    };
    app::settings::save_mailbox(s, renamed_folder, "adam").await.unwrap();
    let configured = vec![
        MailboxConfig {
            host: "old.example.com".into(),
            ..mailbox.clone()
        },
        MailboxConfig {
            name: "edi".into(),
            ..mailbox.clone()
        },
    ];
    let in_force = app::settings::mailboxes(s, &configured).await.unwrap();
    assert_eq!(in_force.len(), 2, "the saved 'orders' replaces the configured one");
    let orders = in_force.iter().find(|m| m.config.name == "orders").unwrap();
    assert!(orders.from_settings);
    assert_eq!(orders.config.host, "imap.example.com");
    assert_eq!(orders.config.folder, "Orders");
    assert_eq!(
        orders.config.password, "s3cret",
        "an empty password field keeps the stored one"
    );
    assert!(!in_force.iter().find(|m| m.config.name == "edi").unwrap().from_settings);
    assert!(
        !app::settings::remove_mailbox(s, "edi", "adam").await.unwrap(),
        "configured ones are not removed here"
    );
}

//! Intake through the binary: ingest, a worker killed mid-run, and a restart
//! that finishes the queue with exactly one result per message.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{orderdesk, text};

fn write_inbox(dir: &std::path::Path, count: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..count {
        let lines: String = (1..=20)
            .map(|n| format!("{n};HB-M8-{n}-A2;Sechskantschraube M8x{n};{}\r\n", n * 100))
            .collect();
        let eml = format!(
            "From: einkauf{i}@muster.de\r\nSubject: Bestellung {i}\r\nMessage-ID: <po-{i}@muster.de>\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nBitte liefern Sie:\r\n\
--b\r\nContent-Type: text/csv; name=po.csv\r\nContent-Disposition: attachment; filename=po.csv\r\n\r\nPos;Artikel;Text;Menge\r\n{lines}--b--\r\n"
        );
        std::fs::write(dir.join(format!("{i:04}.eml")), eml).unwrap();
    }
}

#[tokio::test]
async fn a_killed_worker_loses_nothing_and_each_message_is_processed_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/orderdesk.db", dir.path().display());
    let count = 400;
    write_inbox(&dir.path().join("inbox"), count);

    let out = orderdesk(dir.path(), &url, &["ingest", "inbox", "--no-process"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("inbox: {count} received, 0 duplicate(s)")),
        "{}",
        text(&out.stdout)
    );
    let again = orderdesk(dir.path(), &url, &["ingest", "inbox", "--no-process"]);
    assert!(
        text(&again.stdout).contains(&format!("inbox: 0 received, {count} duplicate(s)")),
        "{}",
        text(&again.stdout)
    );

    let store = store::Store::open(&url, None).await.unwrap();
    let processed = |messages: &[store::intake::StoredMessage]| {
        messages
            .iter()
            .filter(|m| m.status == domain::message::MessageStatus::Processed)
            .count()
    };

    let mut worker = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir.path())
        .env("ORDERDESK_DATABASE_URL", &url)
        .env("ORDERDESK_INTAKE__LEASE_SECONDS", "1")
        .arg("worker")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let at_kill = loop {
        let done = processed(&store.messages(None, 10_000).await.unwrap());
        if done >= 20 || started.elapsed() > Duration::from_secs(120) {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    worker.kill().unwrap(); // SIGKILL: no chance to clean up
    worker.wait().unwrap();
    assert!(
        at_kill < count,
        "the worker was killed while messages were waiting ({at_kill} processed)"
    );

    // Past the lease, a new worker takes over what the dead one held.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let out = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir.path())
        .env("ORDERDESK_DATABASE_URL", &url)
        .env("ORDERDESK_INTAKE__LEASE_SECONDS", "1")
        .args(["worker", "--once"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    let messages = store.messages(None, 10_000).await.unwrap();
    let originals: Vec<_> = messages.iter().filter(|m| m.duplicate_of.is_none()).collect();
    assert_eq!(originals.len(), count);
    assert!(
        originals
            .iter()
            .all(|m| m.status == domain::message::MessageStatus::Processed
                && m.kind == Some(domain::message::MessageKind::Order)),
        "every message processed"
    );
    for m in &originals {
        let events = store.events_for("message", &m.id.to_string()).await.unwrap();
        assert_eq!(
            events.iter().filter(|e| e.action == "processed").count(),
            1,
            "message {} has one result",
            m.id
        );
    }
    assert_eq!(store.open_jobs().await.unwrap(), 0);
}

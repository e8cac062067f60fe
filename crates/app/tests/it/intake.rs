//! Intake: raw first, duplicates recognised, bad input kept with a clear error,
//! and a job taken over after a crash yields exactly one result.

use app::config::IntakeSettings;
use app::intake::Pipeline;
use app::intake::{JobOutcome, drain, process_next, receive};
use store::Store;
use tooling::testing::fresh_stores;

fn mail(message_id: &str, subject: &str, body: &str) -> Vec<u8> {
    format!("From: Anna Schmidt <einkauf@muster.de>\r\nTo: orders@example.com\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\nDate: Fri, 20 Nov 2026 09:30:00 +0100\r\n\r\n{body}\r\n").into_bytes()
}

fn settings() -> Pipeline {
    Pipeline::default()
}

async fn processed_events(store: &Store, id: i64) -> usize {
    store
        .events_for("message", &id.to_string())
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "processed")
        .count()
}

#[tokio::test]
async fn a_message_is_stored_raw_then_processed_once() {
    for t in fresh_stores().await {
        let s = &t.store;
        let bytes = mail(
            "po-1@muster.de",
            "Bestellung 4500012345",
            "Bitte liefern Sie 500 Stk HB-M8-40-A2.",
        );
        let received = receive(s, "upload", Some("po.eml"), &bytes).await.unwrap();
        assert_eq!(received.duplicate_of, None);
        let stored = s.message(received.id).await.unwrap().unwrap();
        assert_eq!(stored.status, domain::message::MessageStatus::Received);
        assert_eq!(
            s.blobs().get(&stored.sha256).unwrap(),
            bytes,
            "the raw bytes are kept exactly"
        );
        assert_eq!(
            (stored.sender.as_deref(), stored.message_id_header.as_deref()),
            (Some("einkauf@muster.de"), Some("po-1@muster.de"))
        );

        let outcome = process_next(s, &settings()).await.unwrap().unwrap();
        assert_eq!(
            outcome,
            JobOutcome::Processed {
                message: received.id,
                kind: domain::message::MessageKind::Order,
                error: None
            },
            "{:?}",
            t.backend
        );
        assert!(process_next(s, &settings()).await.unwrap().is_none(), "nothing left");
        let done = s.message(received.id).await.unwrap().unwrap();
        assert_eq!(
            (done.status, done.kind),
            (
                domain::message::MessageStatus::Processed,
                Some(domain::message::MessageKind::Order)
            )
        );
        assert!(done.kind_reason.unwrap().contains("bestellung"));
        let documents: serde_json::Value = serde_json::from_str(&done.documents_json.unwrap()).unwrap();
        assert_eq!(documents[0]["key_values"][0]["key"], "from");
        assert_eq!(processed_events(s, received.id).await, 1);
    }
}

#[tokio::test]
async fn duplicates_by_bytes_or_message_id_are_linked_not_processed() {
    for t in fresh_stores().await {
        let s = &t.store;
        let first = receive(s, "upload", None, &mail("dup@muster.de", "Bestellung 1", "x"))
            .await
            .unwrap();
        let same_bytes = receive(s, "imap:INBOX", None, &mail("dup@muster.de", "Bestellung 1", "x"))
            .await
            .unwrap();
        let same_id = receive(
            s,
            "upload",
            None,
            &mail("dup@muster.de", "Bestellung 1 (resent)", "x y"),
        )
        .await
        .unwrap();
        let other = receive(s, "upload", None, &mail("other@muster.de", "Bestellung 2", "x"))
            .await
            .unwrap();
        assert_eq!(same_bytes.duplicate_of, Some(first.id), "{:?}", t.backend);
        assert_eq!(same_id.duplicate_of, Some(first.id));
        assert_eq!(other.duplicate_of, None);
        assert_eq!(drain(s, &settings()).await.unwrap(), 2, "only originals are processed");
        assert_eq!(
            s.message(same_id.id).await.unwrap().unwrap().status,
            domain::message::MessageStatus::Duplicate
        );
        // Files without a Message-ID are duplicates by content only.
        let a = receive(
            s,
            "folder",
            Some("a.edi"),
            b"UNH+1+ORDERS:D:96A:UN'BGM+220+A+9'UNT+2+1'",
        )
        .await
        .unwrap();
        let b = receive(
            s,
            "folder",
            Some("b.edi"),
            b"UNH+1+ORDERS:D:96A:UN'BGM+220+B+9'UNT+2+1'",
        )
        .await
        .unwrap();
        assert_eq!((a.duplicate_of, b.duplicate_of), (None, None));
    }
}

#[tokio::test]
async fn bad_input_is_kept_with_a_specific_error_and_the_rest_is_read() {
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<<".to_vec(), "pdf_unreadable"),
        (
            "encrypted.pdf",
            b"%PDF-1.6\ntrailer << /Encrypt 5 0 R >>".to_vec(),
            "pdf_encrypted",
        ),
        (
            "order.xml",
            b"<?xml version=\"1.0\"?><Order><ID>1</ID>".to_vec(),
            "xml_invalid",
        ),
        ("broken.x12", b"ISA*00*short~ST*850*1~".to_vec(), "edi_envelope"),
        (
            "broken.xlsx",
            b"PK\x03\x04this is no workbook".to_vec(),
            "spreadsheet_unreadable",
        ),
    ];
    for (name, bytes, code) in &cases {
        let r = receive(s, "upload", Some(name), bytes).await.unwrap();
        drain(s, &settings()).await.unwrap();
        let m = s.message(r.id).await.unwrap().unwrap();
        assert_eq!(m.status, domain::message::MessageStatus::Error, "{name}");
        let error = m.error.unwrap();
        assert!(error.contains(code) && error.contains(name), "{name}: {error}");
    }

    // A mail with a broken attachment and a good one: the good one is read, the error names the part.
    let eml = "From: a@muster.de\r\nSubject: Bestellung\r\nMessage-ID: <mix@x>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n\r\nBitte liefern Sie die Positionen im Anhang.\r\n\
--b\r\nContent-Type: application/pdf; name=scan.pdf\r\nContent-Disposition: attachment; filename=scan.pdf\r\n\r\n%PDF-1.4 broken\r\n\
--b\r\nContent-Type: text/csv; name=lines.csv\r\nContent-Disposition: attachment; filename=lines.csv\r\n\r\nArtikel;Menge\r\nHB-M8-40-A2;500\r\n--b--\r\n";
    let r = receive(s, "upload", None, eml.as_bytes()).await.unwrap();
    drain(s, &settings()).await.unwrap();
    let m = s.message(r.id).await.unwrap().unwrap();
    assert_eq!(m.status, domain::message::MessageStatus::Error);
    assert!(
        m.error.as_deref().unwrap().starts_with("part 1 (scan.pdf): "),
        "{:?}",
        m.error
    );
    // What could not be read is a reason for a person to look at the draft.
    let d = s.draft_of_message(r.id).await.unwrap().unwrap();
    let draft = app::draft::Draft::from_json(&d.extraction).unwrap();
    assert_eq!(d.decision, domain::validation::Decision::Review);
    assert!(
        draft
            .review_reasons
            .iter()
            .any(|r| matches!(r, domain::review::ReviewReason::ReadErrors(e) if e.contains("scan.pdf"))),
        "{:?}",
        draft.review_reasons
    );
    let documents: serde_json::Value = serde_json::from_str(m.documents_json.as_deref().unwrap()).unwrap();
    let csv = documents
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "lines.csv")
        .expect("the CSV part is read");
    assert_eq!(csv["tables"][0]["rows"][1]["cells"][0]["text"], "HB-M8-40-A2");
    assert!(
        documents[0]["text_blocks"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Bitte liefern Sie"),
        "unknown charset still read"
    );
}

#[tokio::test]
async fn an_oversized_message_is_kept_but_not_parsed() {
    let t = tooling::testing::fresh_sqlite().await;
    let small = Pipeline {
        intake: IntakeSettings {
            max_parse_bytes: 1000,
            ..IntakeSettings::default()
        },
        ..settings()
    };
    let bytes = mail("big@x", "Bestellung", &"0123456789".repeat(200));
    let r = receive(&t.store, "upload", None, &bytes).await.unwrap();
    drain(&t.store, &small).await.unwrap();
    let m = t.store.message(r.id).await.unwrap().unwrap();
    assert_eq!(m.status, domain::message::MessageStatus::Error);
    assert!(m.error.unwrap().contains("more than the parse limit of 1000 bytes"));
    assert_eq!(t.store.blobs().get(&m.sha256).unwrap(), bytes);
}

#[tokio::test]
async fn a_job_left_by_a_dead_worker_is_taken_over_and_yields_one_result() {
    for t in fresh_stores().await {
        let s = &t.store;
        let r = receive(
            s,
            "upload",
            None,
            &mail("crash@x", "Bestellung 7", "Bitte liefern Sie 5 Stk"),
        )
        .await
        .unwrap();
        let now = jiff::Timestamp::now();
        // Worker A claims the job with a lease that has already run out, then "dies".
        let stale = s
            .claim_job(now, now - jiff::SignedDuration::from_secs(1))
            .await
            .unwrap()
            .unwrap();
        // Worker B takes it over and finishes.
        let outcome = process_next(s, &settings()).await.unwrap().unwrap();
        assert!(matches!(outcome, JobOutcome::Processed { .. }), "{outcome:?}");
        // Worker A wakes up and tries to store its result: refused.
        let result = app::intake::understand(
            &s.blobs().get(&s.message(r.id).await.unwrap().unwrap().sha256).unwrap(),
            None,
            &IntakeSettings::default(),
        )
        .processed;
        assert!(
            !s.complete_job(stale, &result, jiff::Timestamp::now()).await.unwrap(),
            "{:?}",
            t.backend
        );
        assert_eq!(processed_events(s, r.id).await, 1);
        assert_eq!(s.open_jobs().await.unwrap(), 0);
    }
}

#[tokio::test]
async fn a_watched_folder_takes_in_finished_files_and_moves_them() {
    let t = tooling::testing::fresh_sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("order.edi"),
        b"UNH+1+ORDERS:D:96A:UN'BGM+220+PO-9+9'UNT+2+1'",
    )
    .unwrap();
    std::fs::write(dir.path().join(".partial.edi"), b"UNH+1").unwrap();
    let pass = app::intake::watch_pass(&t.store, dir.path(), std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!((pass.received, pass.duplicates), (1, 0));
    assert!(!dir.path().join("order.edi").exists());
    assert!(dir.path().join(".partial.edi").exists(), "hidden files are left alone");
    let moved: Vec<_> = std::fs::read_dir(dir.path().join("processed"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(moved.len(), 1);
    assert!(moved[0].to_string_lossy().ends_with("-order.edi"));
    // The same drop again is a duplicate, and a file still being written waits.
    std::fs::write(
        dir.path().join("again.edi"),
        b"UNH+1+ORDERS:D:96A:UN'BGM+220+PO-9+9'UNT+2+1'",
    )
    .unwrap();
    let pass = app::intake::watch_pass(&t.store, dir.path(), std::time::Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(
        pass,
        app::intake::WatchPass::default(),
        "a fresh file waits until it has settled"
    );
    let pass = app::intake::watch_pass(&t.store, dir.path(), std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!((pass.received, pass.duplicates), (0, 1));
    assert_eq!(drain(&t.store, &settings()).await.unwrap(), 1);
    let m = t.store.messages(None, 10).await.unwrap();
    assert_eq!(m.last().unwrap().kind, Some(domain::message::MessageKind::Order));
    assert_eq!(m.last().unwrap().channel, "folder");
}

/// An Outlook message as Outlook saves it: one compound-file stream per property.
fn outlook_mail(subject: &str, body: &str) -> Vec<u8> {
    use std::io::Write;
    let utf16 = |s: &str| s.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    let mut comp = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    for (path, bytes) in [
        ("/__properties_version1.0", vec![0u8; 32]),
        ("/__substg1.0_0037001F", utf16(subject)),
        ("/__substg1.0_1000001F", utf16(body)),
        ("/__substg1.0_5D01001F", utf16("einkauf@muster.de")),
        ("/__substg1.0_1035001F", utf16("<outlook-1@muster.de>")),
    ] {
        comp.create_stream(path).unwrap().write_all(&bytes).unwrap();
    }
    comp.flush().unwrap();
    comp.into_inner().into_inner()
}

#[tokio::test]
async fn outlook_messages_are_taken_in_like_mails() {
    for t in fresh_stores().await {
        let s = &t.store;
        let bytes = outlook_mail(
            "Bestellung 4711",
            "Bitte liefern Sie 500 Stk DIN933-M8x40-A2.\r\nBestellnummer: 4711",
        );
        let r = receive(s, "upload", Some("Bestellung.msg"), &bytes).await.unwrap();
        let again = receive(
            s,
            "upload",
            Some("copy.msg"),
            &outlook_mail("Bestellung 4711", "changed body"),
        )
        .await
        .unwrap();
        assert_eq!(again.duplicate_of, Some(r.id), "the same Message-ID is the same mail");
        drain(s, &settings()).await.unwrap();
        let m = s.message(r.id).await.unwrap().unwrap();
        assert_eq!(m.sender.as_deref(), Some("einkauf@muster.de"));
        assert_eq!(m.subject.as_deref(), Some("Bestellung 4711"));
        assert_eq!(m.message_id_header.as_deref(), Some("outlook-1@muster.de"));
        assert_eq!(m.kind, Some(domain::message::MessageKind::Order), "{:?}", m.kind_reason);
        assert_eq!(m.error, None);
    }
}

#[tokio::test]
async fn a_message_whose_processing_never_finishes_is_stopped_after_its_attempts() {
    for t in fresh_stores().await {
        let s = &t.store;
        let r = receive(
            s,
            "upload",
            None,
            &mail("poison@x", "Bestellung 9", "Bitte liefern Sie 5 Stk"),
        )
        .await
        .unwrap();
        let pipeline = settings();
        let max = pipeline.intake.max_attempts;
        // Each attempt "ends the process": claimed, never completed, its lease runs out.
        for _ in 0..max {
            let now = jiff::Timestamp::now();
            s.claim_job(now, now - jiff::SignedDuration::from_secs(1))
                .await
                .unwrap()
                .expect("the job is claimed again");
        }
        // The next look at the queue stops it instead of starting it a fourth time.
        assert_eq!(process_next(s, &pipeline).await.unwrap(), None, "{:?}", t.backend);
        let m = s.message(r.id).await.unwrap().unwrap();
        assert_eq!(m.status, domain::message::MessageStatus::Error);
        let error = m.error.unwrap_or_default();
        assert!(error.contains(&format!("stopped after {max} attempts")), "{error}");
        assert_eq!(s.open_jobs().await.unwrap(), 0);
        let failed = s.events_for("message", &r.id.to_string()).await.unwrap();
        assert!(failed.iter().any(|e| e.action == "failed"));
        // And it is not taken up again.
        assert_eq!(process_next(s, &pipeline).await.unwrap(), None);
    }
}

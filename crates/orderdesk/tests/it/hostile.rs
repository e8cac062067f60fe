//! A hostile inbox against a running server: files made to exhaust a reader's
//! stack, memory or time, sent through the API while the server keeps
//! answering. Each message must end with a specific error, the other parts of
//! a mail must be kept, the server must stay under 1 GB and nothing else may be
//! lost — on SQLite and on PostgreSQL.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::serve::http;

/// A file an attacker might send, and what its message's error must say.
struct Hostile {
    name: &'static str,
    bytes: Vec<u8>,
    error: &'static str,
}

/// A small XLSX that uses cells A1 and XFD1048576: a grid of 17 billion cells if built.
fn huge_dimension_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Artikel").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

/// A one-page PDF whose page content is `content`.
fn pdf_with_content(content: &[u8]) -> Vec<u8> {
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
            content.to_vec(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn long_x12(segments: usize) -> Vec<u8> {
    let mut out = String::from(
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261101*1200*U*00401*000000001*0*P*>~\n\
         GS*PO*SENDER*RECEIVER*20261101*1200*1*X*004010~\nST*850*0001~\nBEG*00*SA*PO-HOSTILE**20261101~\n",
    );
    for i in 0..segments {
        out.push_str(&format!("PO1*{i}*1*EA*1.00**BP*ITEM{i}~\n"));
    }
    out.push_str("SE*1*0001~\nGE*1*1~\nIEA*1*000000001~\n");
    out.into_bytes()
}

fn mail(subject: &str, extra_headers: &str, parts: &[(&str, &str, Vec<u8>)]) -> Vec<u8> {
    let mut out = format!(
        "From: einkauf@hostile.example\r\nTo: orders@example.com\r\nSubject: {subject}\r\n{extra_headers}\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nAnbei.\r\n"
    )
    .into_bytes();
    for (name, content_type, bytes) in parts {
        out.extend_from_slice(
            format!(
                "--XX\r\nContent-Type: {content_type}; name={name}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--XX--\r\n");
    out
}

fn deep_mime(levels: usize) -> Vec<u8> {
    let mut out = String::from("From: a@hostile.example\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
    for i in 0..levels {
        out.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"
        ));
    }
    out.push_str("Content-Type: text/plain\r\n\r\nhello\r\n");
    for i in (0..levels).rev() {
        out.push_str(&format!("--b{i}--\r\n"));
    }
    out.into_bytes()
}

fn corpus() -> Vec<Hostile> {
    let deep_arrays = [
        b"%PDF-1.4\n1 0 obj\n".to_vec(),
        b"[".repeat(100_000),
        b"]".repeat(100_000),
    ]
    .concat();
    let deep_dicts = [
        b"%PDF-1.4\n1 0 obj\n".to_vec(),
        b"<</A ".repeat(60_000),
        b">>".repeat(60_000),
    ]
    .concat();
    let deep_xml = format!(
        "<?xml version=\"1.0\"?>{}{}",
        "<a>x".repeat(20_000),
        "</a>".repeat(20_000)
    )
    .into_bytes();
    let wide_csv = (0..1_000_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(";") + "\n";
    let csv_order = b"Artikel;Menge\nHB-M8-40;5\n".to_vec();
    let deep_content = pdf_with_content(
        &[
            b"BT /F1 12 Tf 72 712 Td ".to_vec(),
            b"[".repeat(100_000),
            b"(x)".to_vec(),
            b"]".repeat(100_000),
            b" TJ ET".to_vec(),
        ]
        .concat(),
    );
    vec![
        Hostile {
            name: "deep-arrays.pdf",
            bytes: deep_arrays.clone(),
            error: "nested more than 64 levels deep",
        },
        // Nesting inside the page's content stream, which the check before reading
        // does not look into: the reader overflows its stack and its process ends.
        Hostile {
            name: "deep-content.pdf",
            bytes: deep_content.clone(),
            error: "nested too deep for the reader",
        },
        Hostile {
            name: "deep-dictionaries.pdf",
            bytes: deep_dicts,
            error: "nested more than 64 levels deep",
        },
        Hostile {
            name: "huge-dimension.xlsx",
            bytes: huge_dimension_xlsx(),
            error: "beyond the first 256 columns",
        },
        Hostile {
            name: "deep.xml",
            bytes: deep_xml,
            error: "nested more than 64 levels deep",
        },
        // 1,000,000 segments: more than a reader with 128 MiB may hold, so the
        // reading process ends on its memory limit and the message says so.
        Hostile {
            name: "long.x12",
            bytes: long_x12(1_000_000),
            error: "needs more than the memory limit of 128 MiB",
        },
        Hostile {
            name: "wide.csv",
            bytes: wide_csv.into_bytes(),
            error: "more than 256 columns",
        },
        Hostile {
            name: "deep-mime.eml",
            // The mail reader flattens nested multiparts: read, not refused.
            bytes: deep_mime(200),
            error: "",
        },
        Hostile {
            name: "huge-header.eml",
            bytes: mail(
                &"Bestellung ".repeat(400_000),
                &format!("X-Padding: {}\r\n", "p".repeat(4 << 20)),
                &[("order.csv", "text/csv", csv_order.clone())],
            ),
            error: "",
        },
        // A mail whose PDF ends the reading process, beside an order that must be kept.
        Hostile {
            name: "mixed.eml",
            bytes: mail(
                "Bestellung 4711",
                "",
                &[
                    ("deep.pdf", "application/pdf", deep_content),
                    ("order.csv", "text/csv", csv_order),
                ],
            ),
            error: "part 1 (deep.pdf): the PDF could not be read: its structure is nested too deep",
        },
    ]
}

struct Running {
    child: Child,
    address: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// The server's peak resident memory so far, in KiB.
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

fn orderdesk_with(dir: &std::path::Path, url: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir)
        .env("ORDERDESK_DATABASE_URL", url)
        .env("ORDERDESK_BLOB_DIR", dir.join("blobs"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn serve(dir: &std::path::Path, url: &str) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir)
        .env("ORDERDESK_DATABASE_URL", url)
        .env("ORDERDESK_BLOB_DIR", dir.join("blobs"))
        .env("ORDERDESK_INTAKE__PARSE_MEMORY_MB", "128")
        .env("ORDERDESK_INTAKE__IDLE_POLL_MS", "50")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Orderdesk is running at http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    Running { child, address }
}

fn healthy(address: &str) -> bool {
    http(address, "GET", "/healthz", None, b"").0 == 200
}

#[tokio::test]
async fn a_hostile_inbox_never_takes_the_server_down() {
    for t in tooling::testing::fresh_stores().await {
        let dir = tempfile::tempdir().unwrap();
        orderdesk_with(dir.path(), &t.url, &["user", "add", "admin", "--role", "admin"]);
        let token = orderdesk_with(dir.path(), &t.url, &["token", "add", "hostile-test", "--user", "admin"])
            .trim()
            .to_owned();
        let server = serve(dir.path(), &t.url);
        assert!(healthy(&server.address));

        let corpus = corpus();
        let mut sent = Vec::new();
        for h in &corpus {
            let started = Instant::now();
            let (status, body) = http(
                &server.address,
                "POST",
                &format!("/api/messages?name={}", h.name),
                Some(&token),
                &h.bytes,
            );
            assert_eq!(status, 201, "{} ({:?}): {body}", h.name, t.backend);
            let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
                .as_i64()
                .unwrap();
            sent.push((id, h, started));
            assert!(healthy(&server.address), "{} took the server down", h.name);
        }
        // Ten logins with 50 MB user names: refused unread, nothing kept.
        let before_logins = server.peak_kib();
        for _ in 0..10 {
            let body = format!("{{\"username\":\"{}\",\"password\":\"x\"}}", "u".repeat(50 << 20));
            assert_eq!(post_unread(&server.address, "/api/login", body.as_bytes()), 413);
        }
        assert!(
            server.peak_kib() < before_logins + (64 << 10),
            "huge logins were not kept ({} → {} KiB)",
            before_logins,
            server.peak_kib()
        );

        // Every message ends, each with its specific error, while the server answers throughout.
        let deadline = Instant::now() + Duration::from_secs(240);
        let mut finished = std::collections::BTreeMap::new();
        while finished.len() < sent.len() {
            assert!(Instant::now() < deadline, "not every message ended: {finished:?}");
            assert!(
                healthy(&server.address),
                "the server stopped answering ({:?})",
                t.backend
            );
            for (id, h, started) in &sent {
                if finished.contains_key(id) {
                    continue;
                }
                let (_, body) = http(
                    &server.address,
                    "GET",
                    &format!("/api/messages/{id}"),
                    Some(&token),
                    b"",
                );
                let m: serde_json::Value = serde_json::from_str(&body).unwrap();
                if m["status"] != "new" {
                    finished.insert(*id, (h.name, m, started.elapsed()));
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let mut report = String::new();
        for (id, (name, m, took)) in &finished {
            let h = sent.iter().find(|(i, _, _)| i == id).unwrap().1;
            let error = m["error"].as_str().unwrap_or("");
            writeln!(
                report,
                "{name}: {} in {:.1} s — {error}",
                m["status"],
                took.as_secs_f64()
            )
            .unwrap();
            assert!(error.contains(h.error), "{name} ({:?}): {m}", t.backend);
            if !h.error.is_empty() {
                assert_eq!(m["status"], "error", "{name}: {m}");
            }
        }
        eprintln!(
            "{:?}:\n{report}server peak memory {} MiB",
            t.backend,
            server.peak_kib() / 1024
        );

        // The mail's order is kept beside the PDF that could not be read.
        let mixed = finished.values().find(|(n, _, _)| *n == "mixed.eml").unwrap();
        let (_, body) = http(
            &server.address,
            "GET",
            &format!("/api/messages/{}", mixed.1["id"]),
            Some(&token),
            b"",
        );
        assert!(body.contains("HB-M8-40"), "the CSV beside the PDF was read: {body}");

        // The queue and the inbox stay small pages whatever the drafts hold.
        for page in ["/api/queue?limit=500", "/api/messages?limit=500", "/queue", "/inbox"] {
            let (status, body) = http(&server.address, "GET", page, Some(&token), b"");
            assert_eq!(status, 200, "{page}");
            assert!(body.len() < 512 << 10, "{page} is {} bytes", body.len());
        }
        for (id, _, _) in &sent {
            let (status, body) = http(&server.address, "GET", &format!("/messages/{id}"), Some(&token), b"");
            assert_eq!(status, 200);
            assert!(body.len() < 4 << 20, "message {id} page is {} bytes", body.len());
        }

        // Nothing lost: every message is stored with its raw bytes.
        for (id, h, _) in &sent {
            let raw = http_raw(&server.address, &format!("/messages/{id}/raw"), &token);
            assert_eq!(raw.len(), h.bytes.len(), "{} kept byte for byte", h.name);
        }
        assert!(
            server.peak_kib() < 1 << 20,
            "the server stayed under 1 GB ({} MiB)",
            server.peak_kib() / 1024
        );
        assert!(healthy(&server.address));
    }
}

/// A POST whose body the server may refuse before reading it; returns the status.
fn post_unread(address: &str, path: &str, body: &[u8]) -> u16 {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    // The server answers and closes once it has seen enough; the rest of the body may not go out.
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The body of a GET as bytes.
fn http_raw(address: &str, path: &str, token: &str) -> Vec<u8> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    response.split_off(split)
}

use std::fmt::Write as _;

#[tokio::test]
async fn uploads_while_the_worker_drafts_are_never_a_server_error() {
    for t in tooling::testing::fresh_stores().await {
        let dir = tempfile::tempdir().unwrap();
        orderdesk_with(dir.path(), &t.url, &["user", "add", "admin", "--role", "admin"]);
        let token = orderdesk_with(dir.path(), &t.url, &["token", "add", "load", "--user", "admin"])
            .trim()
            .to_owned();
        let server = serve(dir.path(), &t.url);
        let address = server.address.clone();
        let threads: Vec<_> = (0..6)
            .map(|thread| {
                let (address, token) = (address.clone(), token.clone());
                std::thread::spawn(move || {
                    (0..50)
                        .map(|i| {
                            let mail = format!(
                                "From: einkauf@muster.example\r\nSubject: Bestellung {thread}-{i}\r\n\
                                 Message-ID: <load-{thread}-{i}@muster.example>\r\n\r\n\
                                 Bitte liefern Sie 500 Stk DIN933-M8x40-A2.\r\n"
                            );
                            http(&address, "POST", "/api/messages", Some(&token), mail.as_bytes()).0
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        let statuses: Vec<u16> = threads.into_iter().flat_map(|h| h.join().unwrap()).collect();
        let created = statuses.iter().filter(|s| **s == 201).count();
        assert!(
            statuses.iter().all(|s| matches!(s, 201 | 503)),
            "{:?}: only 201 or 503 (busy, try again): {statuses:?}",
            t.backend
        );
        // Every answered upload is stored, and no blob is left without its message.
        let messages = t.store.messages(None, 10_000).await.unwrap();
        assert_eq!(messages.len(), created, "{:?}", t.backend);
        let blobs = walk(&dir.path().join("blobs"));
        let shas: std::collections::BTreeSet<_> = messages.iter().map(|m| m.sha256.clone()).collect();
        assert_eq!(blobs, shas.len(), "{:?}: one blob per stored message", t.backend);
        assert!(healthy(&server.address));
    }
}

/// How many files lie below `dir`.
fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 })
                .sum()
        })
        .unwrap_or(0)
}

/// Runs `orderdesk page-worker` on `pdf`: its exit status, stdout and stderr.
fn draw_page(pdf: &[u8], page: &str) -> (std::process::ExitStatus, Vec<u8>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .args(["page-worker", "--page", page, "--memory-mb", "512", "--seconds", "10"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = pdf.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status,
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn pages_are_drawn_in_a_limited_child_that_refuses_what_is_no_page() {
    let invoice = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../document/tests/fixtures/invoice2data/AzureInterior.pdf"),
    )
    .unwrap();
    // Every time: the limits are in force from the worker's start, before
    // its allocator reserves memory (set after it, some draws failed at random).
    for _ in 0..20 {
        let (status, png, said) = draw_page(&invoice, "1");
        assert!(status.success(), "{status}: {said}");
        assert!(png.starts_with(b"\x89PNG"), "a PNG comes back");
    }
    let (status, png, said) = draw_page(&invoice, "3");
    assert!(!status.success() && png.is_empty());
    assert!(said.contains("page 3 does not exist"), "{said}");
    let (status, _, said) = draw_page(b"%PDF-1.7 nothing but garbage \x00\xff", "1");
    assert!(!status.success());
    assert!(said.contains("not a PDF that can be drawn"), "{said}");
    // Page content made to exhaust the renderer ends the child, not a server.
    let (status, _, _) = draw_page(&pdf_with_content(&b"q ".repeat(200_000)), "1");
    let _ = status;
}

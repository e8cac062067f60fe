//! `orderdesk serve` and `orderdesk demo` as real processes answering HTTP on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `orderdesk ARGS --listen 127.0.0.1:0` and waits for its address.
fn start(dir: &std::path::Path, args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir)
        .env_remove("ORDERDESK_DATABASE_URL")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Orderdesk is running at http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    Server { child, address }
}

fn http_get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response)
}

#[test]
fn serve_answers_health_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["serve"]);
    let (status, body) = http_get(&server.address, "/healthz");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#"{"status":"ok","database":"ok"}"#));
    let (status, body) = http_get(&server.address, "/metrics");
    assert_eq!(status, 200);
    assert!(body.contains("orderdesk_http_requests_total"), "{body}");
}

#[test]
fn demo_creates_the_company_once_and_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["demo"]);
    let (status, page) = http_get(&server.address, "/customers?q=GmbH");
    assert_eq!(status, 200);
    assert!(page.contains("GmbH"), "{page}");
    let (_, page) = http_get(&server.address, "/products?q=DIN%20933%20M8x40");
    assert!(page.contains("4 matching"), "{page}");
    drop(server);

    let again = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir.path())
        .env_remove("ORDERDESK_DATABASE_URL")
        .args(["demo", "--no-serve"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("already holds data"));
}

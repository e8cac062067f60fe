//! `orderdesk serve` and `orderdesk demo` as real processes answering HTTP on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    child: Child,
    pub address: String,
    /// What it printed before it was ready.
    pub printed: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `orderdesk ARGS --listen 127.0.0.1:0` and waits for its address.
pub fn start(dir: &std::path::Path, args: &[&str]) -> Server {
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
    let mut printed = Vec::new();
    let address = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Orderdesk is running at http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
        printed.push(line);
    };
    Server {
        child,
        address,
        printed,
    }
}

pub fn orderdesk(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir)
        .env_remove("ORDERDESK_DATABASE_URL")
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

/// A request with an optional body and API token; returns the status and the body.
pub fn http(address: &str, method: &str, path: &str, token: Option<&str>, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {address}\r\n{auth}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    (status, body)
}

fn http_get(address: &str, path: &str) -> (u16, String) {
    http_get_as(address, path, None)
}

pub fn http_get_as(address: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n{auth}\r\n").unwrap();
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
    let health: serde_json::Value = serde_json::from_str(body.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["database"], "ok", "{health}");
    assert_eq!(health["worker"]["state"], "running", "{health}");
    assert_eq!(health["worker"]["restarts"], 0, "{health}");
    assert_eq!(health["queue"]["waiting"], 0, "{health}");
    let (status, _) = http_get(&server.address, "/metrics");
    assert_eq!(status, 303, "pages send the anonymous to the login");
    let (status, _) = http_get(&server.address, "/api/messages");
    assert_eq!(status, 401);
    // A manager's API token may read the metrics.
    let added = orderdesk(
        dir.path(),
        &["user", "add", "mia", "--role", "manager", "--name", "Mia M"],
    );
    assert!(
        added.contains("user mia (manager) created") && added.contains("password "),
        "{added}"
    );
    let token = orderdesk(dir.path(), &["token", "add", "prometheus", "--user", "mia"]);
    let token = token.trim();
    assert!(token.starts_with("od_"), "{token}");
    let (status, body) = http_get_as(&server.address, "/metrics", Some(token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("orderdesk_http_requests_total"), "{body}");
    let listed = orderdesk(dir.path(), &["user", "list"]);
    assert!(listed.contains("mia") && listed.contains("manager"), "{listed}");
    orderdesk(dir.path(), &["user", "disable", "mia"]);
    assert_eq!(http_get_as(&server.address, "/api/me", Some(token)).0, 401);
}

#[test]
fn demo_creates_the_company_once_and_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["demo"]);
    let printed = server.printed.join("\n");
    for role in ["clerk", "sales", "manager", "admin"] {
        assert!(printed.contains(&format!("demo user {role}")), "{printed}");
    }
    assert!(
        printed.contains("demo inbox: 65 messages received and processed"),
        "{printed}"
    );
    let token = orderdesk(dir.path(), &["token", "add", "test", "--user", "clerk"]);
    let token = Some(token.trim());
    let (status, page) = http_get_as(&server.address, "/customers?q=GmbH", token);
    assert_eq!(status, 200);
    assert!(page.contains("GmbH"), "{page}");
    let (_, page) = http_get_as(&server.address, "/products?q=DIN%20933%20M8x40", token);
    assert!(page.contains("4 matching"), "{page}");
    // The demo inbox: straight-through orders and a queue to work on.
    let (_, queue) = http_get_as(&server.address, "/api/queue?limit=500", token);
    assert!(queue.matches("\"status\":\"review\"").count() >= 5, "{queue}");
    let (_, orders) = http_get_as(&server.address, "/api/orders?limit=500", token);
    assert!(orders.matches("\"status\":\"confirmed\"").count() >= 10, "{orders}");
    let (_, inbox) = http_get_as(&server.address, "/api/messages?limit=500", token);
    for kind in ["order", "rfq", "inquiry", "order_change", "cancellation"] {
        assert!(
            inbox.contains(&format!("\"kind\":\"{kind}\"")),
            "no {kind} in the demo inbox"
        );
    }
    drop(server);

    let again = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .current_dir(dir.path())
        .env_remove("ORDERDESK_DATABASE_URL")
        .args(["demo", "--no-serve"])
        .output()
        .unwrap();
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(again.contains("already holds data"));
    assert!(again.contains("demo users exist already"), "{again}");
    assert!(!again.contains("demo inbox:"), "the inbox is taken in once: {again}");
}

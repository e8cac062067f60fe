//! A throwaway Tryton server for tests and benchmarks: a copy of a prepared
//! database (`scripts/tryton/template`) in a temporary folder, `trytond`
//! on a free loopback port, stopped when dropped.
//!
//! `scripts/test` prepares the database once per run and names it and the
//! Tryton installation in `ORDERDESK_TEST_TRYTON_TEMPLATE` (a folder with
//! `db/erp.sqlite` and `adminpass`) and `ORDERDESK_TEST_TRYTON_BIN` (the
//! virtualenv's `bin`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{SaleState, Tryton};

/// A running `trytond` on its own copy of the database.
#[derive(Debug)]
pub struct TrytonServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    password: String,
    /// More than one: `gunicorn` with that many worker processes instead of `trytond`.
    workers: usize,
    child: Option<Child>,
}

/// Where the prepared database and the Tryton programs are, if `scripts/test` said.
pub fn from_env() -> Option<(PathBuf, PathBuf)> {
    let template = std::env::var_os("ORDERDESK_TEST_TRYTON_TEMPLATE")?;
    let bin = std::env::var_os("ORDERDESK_TEST_TRYTON_BIN")?;
    Some((PathBuf::from(template), PathBuf::from(bin)))
}

/// A server for a test, or `None` (the test is skipped, with a note) when
/// `scripts/test` did not prepare Tryton; under `CI=true` a missing Tryton
/// fails the test instead of skipping it.
pub fn for_test() -> Option<TrytonServer> {
    match from_env() {
        Some((template, bin)) => Some(TrytonServer::start(&template, &bin).expect("a Tryton server starts")),
        None => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "ORDERDESK_TEST_TRYTON_TEMPLATE is not set: run the tests with scripts/test"
            );
            eprintln!(
                "note: ORDERDESK_TEST_TRYTON_TEMPLATE is not set; Tryton tests are skipped (scripts/test sets it)"
            );
            None
        }
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl TrytonServer {
    /// Copies the template's database and starts a server on it.
    pub fn start(template: &Path, bin: &Path) -> Result<TrytonServer, String> {
        Self::start_with_workers(template, bin, 1)
    }

    /// The same with `workers` processes behind gunicorn (installed into
    /// Tryton's virtualenv when missing): Tryton runs Python, one core a process.
    pub fn start_with_workers(template: &Path, bin: &Path, workers: usize) -> Result<TrytonServer, String> {
        if workers > 1 && !bin.join("gunicorn").exists() {
            let status = Command::new(bin.join("pip"))
                .args(["install", "-q", "--disable-pip-version-check", "gunicorn==23.0.0"])
                .status()
                .map_err(|e| format!("installing gunicorn: {e}"))?;
            if !status.success() {
                return Err(format!("installing gunicorn failed ({status})"));
            }
        }
        let dir = tempfile::Builder::new()
            .prefix("orderdesk-tryton.")
            .tempdir()
            .map_err(|e| format!("a folder for Tryton: {e}"))?;
        std::fs::create_dir_all(dir.path().join("db")).map_err(|e| e.to_string())?;
        std::fs::copy(template.join("db/erp.sqlite"), dir.path().join("db/erp.sqlite"))
            .map_err(|e| format!("copying {}/db/erp.sqlite: {e}", template.display()))?;
        let password = std::fs::read_to_string(template.join("adminpass"))
            .map_err(|e| format!("reading {}/adminpass: {e}", template.display()))?
            .trim()
            .to_owned();
        std::fs::write(
            dir.path().join("trytond.conf"),
            format!("[database]\nuri = sqlite://\npath = {}/db\n", dir.path().display()),
        )
        .map_err(|e| e.to_string())?;
        let mut server = TrytonServer {
            dir,
            bin: bin.to_owned(),
            port: free_port().map_err(|e| e.to_string())?,
            password,
            workers: workers.max(1),
            child: None,
        };
        server.run()?;
        Ok(server)
    }

    /// Starts `trytond` (again) on the same database and port, and waits until it answers.
    pub fn run(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .map_err(|e| e.to_string())?;
        let conf = self.dir.path().join("trytond.conf");
        let mut command = if self.workers > 1 {
            let mut c = Command::new(self.bin.join("gunicorn"));
            c.args(["-w", &self.workers.to_string(), "--timeout", "300", "-b"])
                .arg(format!("127.0.0.1:{}", self.port))
                .arg("trytond.application:app")
                .env("TRYTOND_CONFIG", &conf)
                .env("TRYTOND_DATABASE_NAMES", "erp");
            c
        } else {
            let mut c = Command::new(self.bin.join("trytond"));
            c.arg("-c")
                .arg(&conf)
                .args(["-d", "erp"])
                .env("TRYTOND_WEB__LISTEN", format!("127.0.0.1:{}", self.port));
            c
        };
        // Its own process group, so that a kill reaches gunicorn's workers too.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("starting Tryton from {}: {e}", self.bin.display()))?;
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!("trytond stopped ({status}): {}", self.log_tail()));
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("trytond did not answer within 60 s: {}", self.log_tail()))
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    /// A connection as the administrator.
    pub fn connector(&self, sale_state: SaleState) -> Tryton {
        self.connector_at(&self.url(), sale_state)
    }

    /// A connection through another address (a proxy in front of the server).
    pub fn connector_at(&self, url: &str, sale_state: SaleState) -> Tryton {
        Tryton::new(url, "erp", "admin", &self.password, sale_state, Duration::from_secs(30))
    }
}

impl Drop for TrytonServer {
    fn drop(&mut self) {
        self.kill();
    }
}

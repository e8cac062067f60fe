//! Reading untrusted files in a child process, so that no file can take the order desk down.
//!
//! An inbox is open to anyone. The readers are bounded ([`document::limits`]),
//! but a reader can still overflow its stack, run out of memory or loop on a
//! file nobody foresaw, and a stack overflow aborts the whole process — no
//! `catch_unwind` helps. So the worker hands each message to a short-lived
//! child (`orderdesk parse-worker`) that limits its own address space, CPU
//! time and stack before it reads, and writes the Documents back as JSON.
//!
//! When the child dies, the part it was reading (it reports each part on
//! stderr before reading it) is left out with a specific error — "the PDF
//! could not be read: nesting too deep" — and the message is read again, so
//! the rest of its parts are kept.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use document::{Diagnostic, Document, Format, Severity};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Limits the child sets on itself before reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Address space, in MiB.
    pub memory_mb: u64,
    /// CPU time, in seconds; the parent also waits at most twice this long.
    pub cpu_seconds: u64,
    /// Stack of the reading thread, in MiB.
    pub stack_mb: u64,
}

impl ParseLimits {
    fn args(&self) -> [String; 6] {
        [
            "--memory-mb".into(),
            self.memory_mb.to_string(),
            "--seconds".into(),
            self.cpu_seconds.to_string(),
            "--stack-mb".into(),
            self.stack_mb.to_string(),
        ]
    }
}

/// Where the worker reads messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Parser {
    /// In the worker's own process (tests, tools): a panic is caught, an abort is not.
    #[default]
    InProcess,
    /// In a child process of this program (`PROGRAM parse-worker`), with limits.
    Child { program: PathBuf },
}

/// The largest JSON a child may write back (the Documents of one message).
const MAX_CHILD_OUTPUT: usize = 128 << 20;
/// Attempts per message: each one after a crash leaves one more part out.
const MAX_ATTEMPTS: usize = 6;

/// The first line the child reads; the file's bytes follow it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Request {
    name: Option<String>,
    /// The length of the file's bytes that follow.
    #[serde(default)]
    size: usize,
    /// Parts not to read, with the reason each becomes an error.
    skip: BTreeMap<String, String>,
}

/// The child's side: sets the limits, reads the request from stdin, writes the Documents to stdout.
/// Returns the process exit code.
pub fn child_main(limits: ParseLimits) -> i32 {
    if let Err(e) = set_own_limits(limits) {
        eprintln!("parse-worker: cannot set limits: {e}");
        return 3;
    }
    let mut input = std::io::BufReader::new(std::io::stdin().lock());
    let mut head = Vec::new();
    let request: Request = match std::io::BufRead::read_until(&mut (&mut input).take(1 << 20), b'\n', &mut head)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_slice(&head).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("parse-worker: bad request: {e}");
            return 3;
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = bytes
        .try_reserve_exact(request.size)
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))
        .and_then(|()| input.read_to_end(&mut bytes))
    {
        eprintln!("parse-worker: cannot read the message: {e} (out of memory)");
        return 3;
    }
    let reader = std::thread::Builder::new()
        .name("parse".into())
        .stack_size(usize::try_from(limits.stack_mb << 20).unwrap_or(8 << 20))
        .spawn(move || {
            let skip = request.skip;
            let hook: document::PartHook = Box::new(move |part, format| {
                // Written before the part is read, so a crash names the part that caused it.
                eprintln!("part\t{part}\t{}", format_key(format));
                skip.get(part).cloned()
            });
            document::parse_file_with_hook(&bytes, request.name.as_deref(), hook)
        });
    let documents = match reader.map(|h| h.join()) {
        Ok(Ok(docs)) => docs,
        Ok(Err(_)) => {
            eprintln!("parse-worker: the reader panicked");
            return 4;
        }
        Err(e) => {
            eprintln!("parse-worker: cannot start the reader: {e} (out of memory)");
            return 3;
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if serde_json::to_writer(&mut out, &documents).is_err() || out.flush().is_err() {
        return 5;
    }
    0
}

#[cfg(unix)]
fn set_own_limits(limits: ParseLimits) -> std::io::Result<()> {
    let set = |resource, soft: u64, hard: u64| -> std::io::Result<()> {
        let limit = libc::rlimit {
            rlim_cur: soft as libc::rlim_t,
            rlim_max: hard as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
        if unsafe { libc::setrlimit(resource, &limit) } == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    };
    // The data limit counts what reading allocates (heap, anonymous mappings,
    // stacks) and not the program's own mapped code; the address-space limit
    // is a looser second fence against mappings the data limit does not count.
    let memory = limits.memory_mb << 20;
    set(libc::RLIMIT_DATA, memory, memory)?;
    let address_space = memory.saturating_add(1 << 30);
    set(libc::RLIMIT_AS, address_space, address_space)?;
    set(libc::RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1)?;
    set(libc::RLIMIT_CORE, 0, 0)?;
    Ok(())
}

#[cfg(not(unix))]
fn set_own_limits(_limits: ParseLimits) -> std::io::Result<()> {
    Ok(())
}

fn format_key(format: Format) -> &'static str {
    match format {
        Format::EmailText | Format::EmailHtml => "mail",
        Format::Text => "text",
        Format::Csv => "csv",
        Format::Xlsx | Format::Xls | Format::Ods => "sheet",
        Format::Pdf => "pdf",
        Format::X12 | Format::Edifact => "edi",
        Format::Ubl | Format::Opentrans | Format::Xml => "xml",
        Format::Unknown => "file",
    }
}

/// "the PDF", "the spreadsheet" … as a clerk would say it.
fn format_words(key: &str) -> &'static str {
    match key {
        "mail" => "the mail",
        "text" => "the text",
        "csv" => "the CSV file",
        "sheet" => "the spreadsheet",
        "pdf" => "the PDF",
        "edi" => "the EDI interchange",
        "xml" => "the XML file",
        _ => "the file",
    }
}

/// How one run of the child ended.
#[derive(Debug)]
struct ChildRun {
    /// The Documents, when the child finished.
    documents: Option<Vec<Document>>,
    /// Why it did not, in words.
    cause: String,
    /// The last part it began to read, and that part's format.
    last_part: Option<(String, String)>,
}

/// Reads a message in child processes of `program`, leaving out each part
/// that ends a child until the rest reads. Never fails: what cannot be read
/// comes back as Documents with error diagnostics.
pub async fn parse_in_child(program: &Path, bytes: &[u8], name: Option<&str>, limits: ParseLimits) -> Vec<Document> {
    let mut request = Request {
        name: name.map(str::to_owned),
        size: bytes.len(),
        skip: BTreeMap::new(),
    };
    for _ in 0..MAX_ATTEMPTS {
        let run = run_child(program, bytes, &request, limits).await;
        if let Some(documents) = run.documents {
            return documents;
        }
        tracing::warn!(cause = %run.cause, part = ?run.last_part, "a message ended its reader");
        match run.last_part {
            Some((part, format)) if !request.skip.contains_key(&part) => {
                let reason = format!("{} could not be read: {}", format_words(&format), run.cause);
                request.skip.insert(part, reason);
            }
            _ => {
                return vec![unreadable(
                    name,
                    format!("the message could not be read: {}", run.cause),
                )];
            }
        }
    }
    vec![unreadable(
        name,
        format!("the message could not be read: more than {MAX_ATTEMPTS} of its parts ended the reader"),
    )]
}

fn unreadable(name: Option<&str>, message: String) -> Document {
    let mut doc = Document::new("", name.map(str::to_owned), Format::Unknown);
    doc.diagnostics.push(Diagnostic {
        severity: Severity::Error,
        code: "message_unreadable".into(),
        message,
    });
    doc
}

async fn run_child(program: &Path, bytes: &[u8], request: &Request, limits: ParseLimits) -> ChildRun {
    let failed = |cause: String| ChildRun {
        documents: None,
        cause,
        last_part: None,
    };
    let mut child = match tokio::process::Command::new(program)
        .arg("parse-worker")
        .args(limits.args())
        // The allocator would otherwise reserve a large arena up front: inside
        // it, growth needs no new mappings and the address-space limit would
        // not see it. Without the reserve every growth is a mapping the limit counts.
        .env("MIMALLOC_ARENA_RESERVE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            return failed(format!(
                "the reader process cannot be started ({}: {e})",
                program.display()
            ));
        }
    };
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return failed("the reader process has no pipes".into());
    };
    let mut head = serde_json::to_vec(request).unwrap_or_default();
    head.push(b'\n');
    let body = bytes.to_vec();
    // A child that dies stops reading; the broken pipe that follows is expected.
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(&head).await;
        let _ = stdin.write_all(&body).await;
    });
    let out_task = tokio::spawn(async move {
        let (mut out, mut too_big) = (Vec::new(), false);
        let mut chunk = vec![0u8; 64 << 10];
        loop {
            match stdout.read(&mut chunk).await {
                Ok(0) | Err(_) => return (out, too_big),
                // Past the limit the rest is drained, so the child can finish and be reported.
                Ok(n) if too_big || out.len() + n > MAX_CHILD_OUTPUT => {
                    let _ = n;
                    too_big = true;
                    out = Vec::new();
                }
                Ok(n) => out.extend_from_slice(&chunk[..n]),
            }
        }
    });
    let err_task = tokio::spawn(async move {
        // Only the tail matters: the last part begun and the runtime's last words.
        let mut tail = Vec::new();
        let mut chunk = vec![0u8; 8 << 10];
        while let Ok(n) = stderr.read(&mut chunk).await {
            if n == 0 {
                break;
            }
            tail.extend_from_slice(&chunk[..n]);
            if tail.len() > 64 << 10 {
                tail.drain(..tail.len() - (32 << 10));
            }
        }
        tail
    });
    let wall = Duration::from_secs(limits.cpu_seconds.saturating_mul(2).saturating_add(2));
    let (status, timed_out) = match tokio::time::timeout(wall, child.wait()).await {
        Ok(status) => (status.ok(), false),
        Err(_) => {
            let _ = child.kill().await;
            (None, true)
        }
    };
    writer.abort();
    let (out, too_big) = out_task.await.unwrap_or_default();
    let err = err_task.await.unwrap_or_default();
    let err_text = String::from_utf8_lossy(&err);
    let last_part = err_text.lines().rev().find_map(|l| {
        let mut fields = l.strip_prefix("part\t")?.splitn(2, '\t');
        Some((fields.next()?.to_owned(), fields.next()?.to_owned()))
    });
    if timed_out {
        return ChildRun {
            documents: None,
            cause: format!(
                "reading it takes more than the time limit of {} seconds (setting intake.parse_seconds)",
                limits.cpu_seconds
            ),
            last_part,
        };
    }
    if too_big {
        return ChildRun {
            documents: None,
            cause: format!("what it holds is larger than {} MiB", MAX_CHILD_OUTPUT >> 20),
            last_part,
        };
    }
    if status.is_some_and(|s| s.success()) {
        return match serde_json::from_slice::<Vec<Document>>(&out) {
            Ok(documents) => ChildRun {
                documents: Some(documents),
                cause: String::new(),
                last_part,
            },
            Err(e) => ChildRun {
                documents: None,
                cause: format!("the reader's answer is damaged ({e})"),
                last_part: None,
            },
        };
    }
    ChildRun {
        documents: None,
        cause: cause_of_death(status, &err_text, limits),
        last_part,
    }
}

/// Why a child ended, in words a clerk and an administrator both understand.
fn cause_of_death(status: Option<std::process::ExitStatus>, stderr: &str, limits: ParseLimits) -> String {
    if stderr.contains("has overflowed its stack") {
        return "its structure is nested too deep for the reader (a damaged or hostile file)".into();
    }
    if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
        return format!(
            "reading it needs more than the memory limit of {} MiB (setting intake.parse_memory_mb)",
            limits.memory_mb
        );
    }
    if stderr.contains("the reader panicked") {
        return "the reader failed on it".into();
    }
    #[cfg(unix)]
    if let Some(signal) = status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s)) {
        if signal == libc::SIGXCPU || signal == libc::SIGKILL {
            return format!(
                "reading it takes more than the time limit of {} seconds (setting intake.parse_seconds)",
                limits.cpu_seconds
            );
        }
        return format!("the reader ended on signal {signal}");
    }
    match status.and_then(|s| s.code()) {
        Some(code) => format!("the reader ended with exit code {code}"),
        None => "the reader ended unexpectedly".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_named() {
        let limits = ParseLimits {
            memory_mb: 512,
            cpu_seconds: 20,
            stack_mb: 8,
        };
        assert!(
            cause_of_death(
                None,
                "thread 'parse' has overflowed its stack\nfatal runtime error",
                limits
            )
            .contains("nested too deep")
        );
        assert!(cause_of_death(None, "memory allocation of 549755813888 bytes failed", limits).contains("512 MiB"));
    }

    #[test]
    fn requests_round_trip() {
        let mut skip = BTreeMap::new();
        skip.insert("2".to_owned(), "the PDF could not be read".to_owned());
        let r = Request {
            name: Some("a\nb.pdf".into()),
            size: 3,
            skip,
        };
        let line = serde_json::to_string(&r).unwrap();
        assert!(!line.contains('\n'), "one line: {line}");
        let back: Request = serde_json::from_str(&line).unwrap();
        assert_eq!(back.skip.len(), 1);
    }
}

//! Reading untrusted files in a child process, so that no file can take the order desk down.
//!
//! An inbox is open to anyone. The readers are bounded ([`document::limits`]),
//! but a reader can still overflow its stack, run out of memory or loop on a
//! file nobody foresaw, and a stack overflow aborts the whole process — no
//! `catch_unwind` helps. So the worker hands each message to a child
//! (`orderdesk parse-worker`) that limits its own memory, CPU time and stack
//! before it reads, and answers with the Documents as JSON. One child serves
//! many messages in turn (starting a process per message would cost more
//! than reading most messages) and is replaced after [`RECYCLE_AFTER`] of them
//! or whenever it dies.
//!
//! When the child dies or runs out of time, the part it was reading (it names
//! each part on stderr before reading it) is left out with a specific error —
//! "the PDF could not be read: its structure is nested too deep for the
//! reader" — and the message is read again in a fresh child, so the rest of
//! its parts are kept. A child that had served other messages first gets one
//! retry in a fresh child before the message is blamed.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use document::{Diagnostic, Document, Format, Severity};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// Limits the child sets on itself before reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Memory the reading may allocate, in MiB.
    pub memory_mb: u64,
    /// Time per message, in seconds: the parent waits at most twice this long.
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
#[derive(Debug, Clone, Default)]
pub enum Parser {
    /// In the worker's own process (tests, tools): a panic is caught, an abort is not.
    #[default]
    InProcess,
    /// In a child process of this program (`PROGRAM parse-worker`), with limits.
    Child(Arc<ChildReader>),
}

impl Parser {
    /// Reading in children of `program`.
    pub fn child(program: PathBuf) -> Parser {
        Parser::Child(Arc::new(ChildReader {
            program,
            slot: tokio::sync::Mutex::new(None),
        }))
    }
}

/// The child that reads messages for one worker, started when first needed.
#[derive(Debug)]
pub struct ChildReader {
    program: PathBuf,
    slot: tokio::sync::Mutex<Option<Running>>,
}

/// The largest JSON a child may write back (the Documents of one message).
const MAX_CHILD_OUTPUT: usize = 128 << 20;
/// Attempts per message: each one after a crash leaves one more part out.
const MAX_ATTEMPTS: usize = 6;
/// Messages one child reads before it is replaced by a fresh one.
pub const RECYCLE_AFTER: u32 = 500;

/// The line the child reads before each file's bytes.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Request {
    /// Numbers the request, so progress on stderr names the message it belongs to.
    seq: u64,
    name: Option<String>,
    /// The length of the file's bytes that follow.
    size: usize,
    /// Parts not to read, with the reason each becomes an error.
    skip: BTreeMap<String, String>,
}

/// The child's side: sets the limits, then reads requests from stdin until it
/// closes, answering each with its Documents (a little-endian u64 length, then JSON).
/// Returns the process exit code.
pub fn child_main(limits: ParseLimits) -> i32 {
    if let Err(e) = limit_from_start(limits) {
        eprintln!("parse-worker: cannot set limits: {e}");
        return 3;
    }
    let mut input = std::io::BufReader::new(std::io::stdin().lock());
    let mut output = std::io::BufWriter::new(std::io::stdout().lock());
    loop {
        let mut head = Vec::new();
        match (&mut input).take(1 << 20).read_until(b'\n', &mut head) {
            Ok(0) => return 0,
            Ok(_) => {}
            Err(e) => {
                eprintln!("parse-worker: cannot read the request: {e}");
                return 3;
            }
        }
        let request: Request = match serde_json::from_slice(&head) {
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
            .and_then(|()| (&mut input).take(request.size as u64).read_to_end(&mut bytes))
        {
            eprintln!("parse-worker: cannot read the message: {e} (out of memory)");
            return 3;
        }
        let name = request.name.clone();
        let documents = match read_in_thread(request, bytes, limits) {
            Ok(docs) => docs,
            Err(ReaderFailure::Panicked) => vec![unreadable(
                name.as_deref(),
                "the message could not be read: the reader failed on it".into(),
            )],
            Err(ReaderFailure::NoThread(e)) => {
                eprintln!("parse-worker: cannot start the reader: {e} (out of memory)");
                return 3;
            }
        };
        let json = match serde_json::to_vec(&documents) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("parse-worker: cannot write the answer: {e}");
                return 5;
            }
        };
        let sent = output
            .write_all(&(json.len() as u64).to_le_bytes())
            .and_then(|()| output.write_all(&json))
            .and_then(|()| output.flush());
        if sent.is_err() {
            return 5;
        }
    }
}

enum ReaderFailure {
    Panicked,
    NoThread(std::io::Error),
}

/// Reads one file on a thread with the stack the limits allow.
fn read_in_thread(request: Request, bytes: Vec<u8>, limits: ParseLimits) -> Result<Vec<Document>, ReaderFailure> {
    let handle = std::thread::Builder::new()
        .name("parse".into())
        .stack_size(usize::try_from(limits.stack_mb << 20).unwrap_or(8 << 20))
        .spawn(move || {
            let (seq, skip) = (request.seq, request.skip);
            let hook: document::PartHook = Box::new(move |part, format| {
                // Written before the part is read, so a crash names the part that caused it.
                eprintln!("part\t{seq}\t{part}\t{}", format_key(format));
                skip.get(part).cloned()
            });
            document::parse_file_with_hook(&bytes, request.name.as_deref(), hook)
        })
        .map_err(ReaderFailure::NoThread)?;
    handle.join().map_err(|_| ReaderFailure::Panicked)
}

#[cfg(unix)]
pub(crate) fn set_own_limits(limits: ParseLimits) -> std::io::Result<()> {
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
    // Each message's time is watched by the parent; this is the fence for a child's whole life.
    let lifetime = limits.cpu_seconds.saturating_mul(u64::from(RECYCLE_AFTER));
    set(libc::RLIMIT_CPU, lifetime, lifetime.saturating_add(1))?;
    set(libc::RLIMIT_CORE, 0, 0)?;
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn set_own_limits(_limits: ParseLimits) -> std::io::Result<()> {
    Ok(())
}

/// Marks a worker that has been started again under its limits.
const UNDER_LIMITS: &str = "ORDERDESK_UNDER_LIMITS";

/// Sets the limits, then starts this program again under them, once. The
/// allocator reserves a large arena when the program starts, before `main`:
/// limits set after it would find the data limit already spent, so that any
/// later mapping is refused at random, while the arena itself still grows
/// past the limit. Started again, the program reserves within its limits.
#[cfg(unix)]
pub(crate) fn limit_from_start(limits: ParseLimits) -> std::io::Result<()> {
    use std::os::unix::process::CommandExt;
    set_own_limits(limits)?;
    if std::env::var_os(UNDER_LIMITS).is_some() {
        return Ok(());
    }
    let program = std::env::current_exe()?;
    // `exec` returns only when it failed.
    Err(std::process::Command::new(program)
        .args(std::env::args_os().skip(1))
        .env(UNDER_LIMITS, "1")
        .exec())
}

#[cfg(not(unix))]
pub(crate) fn limit_from_start(limits: ParseLimits) -> std::io::Result<()> {
    set_own_limits(limits)
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

/// The reader's note on a message that could not be read at all (one of
/// [`document::model::DIAGNOSTIC_CODES`]).
const MESSAGE_UNREADABLE: &str = "message_unreadable";

/// A Document standing for a message that could not be read, with the reason as its error.
pub(crate) fn unreadable(name: Option<&str>, message: String) -> Document {
    let mut doc = Document::new("", name.map(str::to_owned), Format::Unknown);
    doc.diagnostics.push(Diagnostic {
        severity: Severity::Error,
        code: MESSAGE_UNREADABLE.into(),
        message,
    });
    doc
}

/// Reads a message in the pool's child, leaving out each part that ends a
/// child until the rest reads. Never fails: what cannot be read comes back
/// as Documents with error diagnostics.
pub async fn parse_in_child(
    reader: &ChildReader,
    bytes: &[u8],
    name: Option<&str>,
    limits: ParseLimits,
) -> Vec<Document> {
    let mut skip = BTreeMap::new();
    let mut slot = reader.slot.lock().await;
    for _ in 0..MAX_ATTEMPTS {
        if slot.is_none() {
            match Running::start(&reader.program, limits) {
                Ok(r) => *slot = Some(r),
                Err(e) => {
                    return vec![unreadable(
                        name,
                        format!(
                            "the message could not be read: the reader process cannot be started ({}: {e})",
                            reader.program.display()
                        ),
                    )];
                }
            }
        }
        let Some(running) = slot.as_mut() else { continue };
        let fresh = running.served == 0;
        match running.read(bytes, name, &skip, limits).await {
            Ok(documents) => {
                running.served += 1;
                if running.served >= RECYCLE_AFTER
                    && let Some(done) = slot.take()
                {
                    done.stop().await;
                }
                return documents;
            }
            Err(failure) => {
                let Some(dead) = slot.take() else { continue };
                let (cause, last_part) = dead.post_mortem(failure, limits).await;
                tracing::warn!(%cause, part = ?last_part, fresh, "a message ended its reader");
                if !fresh {
                    // It may have been worn by earlier messages: try once more in a fresh child.
                    continue;
                }
                match last_part {
                    Some((part, format)) if !skip.contains_key(&part) => {
                        let reason = format!("{} could not be read: {cause}", format_words(&format));
                        skip.insert(part, reason);
                    }
                    _ => return vec![unreadable(name, format!("the message could not be read: {cause}"))],
                }
            }
        }
    }
    vec![unreadable(
        name,
        format!("the message could not be read: more than {MAX_ATTEMPTS} of its parts ended the reader"),
    )]
}

/// Why one request to a child got no answer.
#[derive(Debug)]
enum Failure {
    /// The pipe broke or closed: the child died.
    Gone,
    TimedOut,
    TooBig(usize),
    Damaged(String),
}

/// What the child said on stderr: the last part each request began, and its last words.
#[derive(Debug, Default)]
struct Stderr {
    last_part: Option<(u64, String, String)>,
    tail: String,
}

/// A running child with its pipes.
#[derive(Debug)]
struct Running {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::BufReader<tokio::process::ChildStdout>,
    stderr: Arc<std::sync::Mutex<Stderr>>,
    stderr_task: tokio::task::JoinHandle<()>,
    seq: u64,
    served: u32,
}

impl Running {
    fn start(program: &std::path::Path, limits: ParseLimits) -> std::io::Result<Running> {
        let mut child = tokio::process::Command::new(program)
            .arg("parse-worker")
            .args(limits.args())
            // The allocator would otherwise reserve a large arena up front: inside
            // it, growth needs no new mappings and the address-space limit would
            // not see it. Without the reserve every growth is a mapping the limits count.
            .env("MIMALLOC_ARENA_RESERVE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(std::io::Error::other("the reader process has no pipes"));
        };
        let state = Arc::new(std::sync::Mutex::new(Stderr::default()));
        let shared = state.clone();
        let stderr_task = tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let mut s = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut fields = line.splitn(4, '\t');
                if fields.next() == Some("part")
                    && let (Some(seq), Some(part), Some(format)) = (fields.next(), fields.next(), fields.next())
                    && let Ok(seq) = seq.parse()
                {
                    s.last_part = Some((seq, part.to_owned(), format.to_owned()));
                } else if !line.trim().is_empty() {
                    s.tail.push_str(&line);
                    s.tail.push('\n');
                    if s.tail.len() > 16 << 10 {
                        let cut = s.tail.len() - (8 << 10);
                        let cut = (cut..s.tail.len()).find(|i| s.tail.is_char_boundary(*i)).unwrap_or(0);
                        s.tail.drain(..cut);
                    }
                }
            }
        });
        Ok(Running {
            child,
            stdin,
            stdout: tokio::io::BufReader::new(stdout),
            stderr: state,
            stderr_task,
            seq: 0,
            served: 0,
        })
    }

    /// Sends one file and waits for its Documents, at most the wall-clock limit.
    async fn read(
        &mut self,
        bytes: &[u8],
        name: Option<&str>,
        skip: &BTreeMap<String, String>,
        limits: ParseLimits,
    ) -> Result<Vec<Document>, Failure> {
        self.seq += 1;
        let request = Request {
            seq: self.seq,
            name: name.map(str::to_owned),
            size: bytes.len(),
            skip: skip.clone(),
        };
        let mut head = serde_json::to_vec(&request).map_err(|e| Failure::Damaged(e.to_string()))?;
        head.push(b'\n');
        let wall = Duration::from_secs(limits.cpu_seconds.saturating_mul(2).saturating_add(2));
        let exchange = async {
            self.stdin.write_all(&head).await.map_err(|_| Failure::Gone)?;
            self.stdin.write_all(bytes).await.map_err(|_| Failure::Gone)?;
            self.stdin.flush().await.map_err(|_| Failure::Gone)?;
            let mut len = [0u8; 8];
            self.stdout.read_exact(&mut len).await.map_err(|_| Failure::Gone)?;
            let len = usize::try_from(u64::from_le_bytes(len)).unwrap_or(usize::MAX);
            if len > MAX_CHILD_OUTPUT {
                return Err(Failure::TooBig(len));
            }
            let mut json = vec![0u8; len];
            self.stdout.read_exact(&mut json).await.map_err(|_| Failure::Gone)?;
            serde_json::from_slice::<Vec<Document>>(&json).map_err(|e| Failure::Damaged(e.to_string()))
        };
        match tokio::time::timeout(wall, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Failure::TimedOut),
        }
    }

    /// Ends the child, then says why the request failed and which part it was reading.
    async fn post_mortem(mut self, failure: Failure, limits: ParseLimits) -> (String, Option<(String, String)>) {
        let _ = self.child.start_kill();
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .ok()
            .and_then(Result::ok);
        // The stderr pipe closes with the child; what it said last is then all read.
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.stderr_task).await;
        let said = self.stderr.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let last_part = said
            .last_part
            .as_ref()
            .filter(|(seq, _, _)| *seq == self.seq)
            .map(|(_, part, format)| (part.clone(), format.clone()));
        let cause = match failure {
            Failure::TimedOut => format!(
                "reading it takes more than the time limit of {} seconds (setting intake.parse_seconds)",
                limits.cpu_seconds
            ),
            Failure::TooBig(len) => format!(
                "what it holds is larger than {} MiB ({} MiB)",
                MAX_CHILD_OUTPUT >> 20,
                len >> 20
            ),
            Failure::Damaged(e) => format!("the reader's answer is damaged ({e})"),
            Failure::Gone => cause_of_death(status, &said.tail, limits),
        };
        (cause, last_part)
    }

    /// Lets the child finish: closing its input ends its loop.
    async fn stop(mut self) {
        let _ = self.stdin.shutdown().await;
        drop(self.stdin);
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.start_kill();
        }
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
    #[cfg(unix)]
    if let Some(signal) = status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s)) {
        if signal == libc::SIGXCPU {
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
    fn the_note_on_an_unreadable_message_is_a_listed_code() {
        assert!(document::model::DIAGNOSTIC_CODES.contains(&MESSAGE_UNREADABLE));
    }

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
    fn requests_are_one_line() {
        let mut skip = BTreeMap::new();
        skip.insert("2".to_owned(), "the PDF could not be read".to_owned());
        let r = Request {
            seq: 7,
            name: Some("a\nb.pdf".into()),
            size: 3,
            skip,
        };
        let line = serde_json::to_string(&r).unwrap();
        assert!(!line.contains('\n'), "one line: {line}");
        let back: Request = serde_json::from_str(&line).unwrap();
        assert_eq!((back.seq, back.skip.len()), (7, 1));
    }
}

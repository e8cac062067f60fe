//! Pages of a message's PDF as images for the review screen: read from the
//! raw message (the attachment a Document's part names), drawn by `pages`
//! in a child process with limits (`orderdesk page-worker`: a hostile PDF
//! ends the child, never the server), and kept beside the blob store by the
//! message's hash, part and page, so each page is drawn once.

use std::path::PathBuf;
use std::time::Duration;

use store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::parsing::ParseLimits;

/// Pixels per PDF point: an A4 page is 892 pixels wide.
pub const SCALE: f32 = 1.5;
/// The largest PDF a page is drawn from.
const MAX_PDF_BYTES: usize = 64 << 20;
/// The largest page image a child may answer with.
const MAX_PNG_BYTES: usize = 32 << 20;

/// Pages drawn at once, in this process or in children.
static DRAWING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Where pages are drawn.
#[derive(Debug, Clone, Default)]
pub enum PageRenderer {
    /// In this process (tests, tools): a panic is caught, an abort is not.
    #[default]
    InProcess,
    /// In a child of this program (`PROGRAM page-worker`), with limits.
    Child(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum PageImageError {
    #[error("message {0} does not exist")]
    NoMessage(i64),
    #[error("the message has no file '{0}'")]
    NoPart(String),
    #[error("part '{0}' is not a PDF")]
    NotPdf(String),
    #[error("page {page} of part '{part}' cannot be drawn: {why}")]
    Render { part: String, page: usize, why: String },
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Page `page` (1-based) of the PDF that is part `part` of message
/// `message_id` (`""`: the message is the PDF), as PNG.
pub async fn page_image(
    store: &Store,
    renderer: &PageRenderer,
    limits: ParseLimits,
    message_id: i64,
    part: &str,
    page: usize,
) -> Result<Vec<u8>, PageImageError> {
    if !part.chars().all(|c| c.is_ascii_digit() || c == '.') || part.len() > 32 {
        return Err(PageImageError::NoPart(part.to_owned()));
    }
    let message = store
        .message(message_id)
        .await?
        .ok_or(PageImageError::NoMessage(message_id))?;
    let dir = store.blobs().root().join("page-images");
    let cached = dir.join(format!(
        "{}-{}-{page}.png",
        message.sha256,
        if part.is_empty() { "0" } else { part }
    ));
    if let Ok(png) = tokio::fs::read(&cached).await {
        return Ok(png);
    }
    // One page drawn at a time per core: a burst of looks waits its turn
    // rather than starting a child (and its memory) each.
    let _turn = DRAWING.acquire().await.map_err(|e| PageImageError::Render {
        part: part.to_owned(),
        page,
        why: e.to_string(),
    })?;
    // Drawn meanwhile by the look it waited for.
    if let Ok(png) = tokio::fs::read(&cached).await {
        return Ok(png);
    }
    let blobs = store.blobs().clone();
    let sha = message.sha256.clone();
    let owned_part = part.to_owned();
    let pdf = tokio::task::spawn_blocking(move || -> Result<Option<Vec<u8>>, store::StoreError> {
        let raw = blobs.get(&sha)?;
        Ok(if owned_part.is_empty() {
            Some(raw)
        } else {
            document::part_bytes(&raw, &owned_part)
        })
    })
    .await
    .map_err(|e| PageImageError::Render {
        part: part.to_owned(),
        page,
        why: e.to_string(),
    })??
    .ok_or_else(|| PageImageError::NoPart(part.to_owned()))?;
    let head = &pdf[..pdf.len().min(1024)];
    if pdf.len() > MAX_PDF_BYTES || !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PageImageError::NotPdf(part.to_owned()));
    }
    let drawn = match renderer {
        PageRenderer::InProcess => tokio::task::spawn_blocking(move || pages::render(&pdf, page, SCALE))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map(|p| p.png).map_err(|e| e.to_string())),
        PageRenderer::Child(program) => draw_in_child(program, &pdf, page, limits).await,
    };
    let png = drawn.map_err(|why| PageImageError::Render {
        part: part.to_owned(),
        page,
        why,
    })?;
    // Kept for the next look: written beside, then renamed, so a reader never sees half a file.
    if tokio::fs::create_dir_all(&dir).await.is_ok() {
        let partial = cached.with_extension(format!("{:x}.part", fastrand::u64(..)));
        if tokio::fs::write(&partial, &png).await.is_ok() {
            let _ = tokio::fs::rename(&partial, &cached).await;
        }
    }
    Ok(png)
}

/// Draws one page in a fresh child, killed when it takes longer than twice its time.
pub async fn draw_in_child(
    program: &std::path::Path,
    pdf: &[u8],
    page: usize,
    limits: ParseLimits,
) -> Result<Vec<u8>, String> {
    let mut child = tokio::process::Command::new(program)
        .arg("page-worker")
        .args(["--page", &page.to_string()])
        .args(["--memory-mb", &limits.memory_mb.to_string()])
        .args(["--seconds", &limits.cpu_seconds.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("the page renderer cannot be started ({}: {e})", program.display()))?;
    let mut stdin = child.stdin.take().ok_or("no pipe to the page renderer")?;
    let mut stdout = child.stdout.take().ok_or("no pipe from the page renderer")?;
    let mut stderr = child.stderr.take().ok_or("no pipe from the page renderer")?;
    let input = pdf.to_vec();
    let work = async move {
        let writing = async move {
            let _ = stdin.write_all(&input).await;
            drop(stdin);
        };
        let mut png = Vec::new();
        let mut said = String::new();
        let reading = async { (&mut stdout).take(MAX_PNG_BYTES as u64 + 1).read_to_end(&mut png).await };
        let (_, read, _) = tokio::join!(writing, reading, stderr.read_to_string(&mut said));
        read.map_err(|e| e.to_string())?;
        let status = child.wait().await.map_err(|e| e.to_string())?;
        if !status.success() || png.len() > MAX_PNG_BYTES {
            let why = said.lines().last().unwrap_or("").trim().to_owned();
            return Err(if why.is_empty() {
                format!("the page renderer ended ({status})")
            } else {
                why
            });
        }
        Ok(png)
    };
    let wait = Duration::from_secs(limits.cpu_seconds.saturating_mul(2).max(2));
    tokio::time::timeout(wait, work)
        .await
        .map_err(|_| format!("drawing took longer than {} s", wait.as_secs()))?
}

/// The child's side (`orderdesk page-worker`): sets its limits, reads the PDF
/// from stdin, writes the page's PNG to stdout. Returns the exit code.
pub fn child_main(page: usize, limits: ParseLimits) -> i32 {
    use std::io::{Read, Write};
    if let Err(e) = crate::parsing::limit_from_start(limits) {
        eprintln!("page-worker: cannot set limits: {e}");
        return 3;
    }
    let mut pdf = Vec::new();
    if let Err(e) = std::io::stdin().lock().take(MAX_PDF_BYTES as u64).read_to_end(&mut pdf) {
        eprintln!("page-worker: cannot read the PDF: {e}");
        return 2;
    }
    match pages::render(&pdf, page, SCALE) {
        Ok(rendered) => match std::io::stdout().lock().write_all(&rendered.png) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("page-worker: cannot write the image: {e}");
                2
            }
        },
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

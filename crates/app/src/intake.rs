//! Intake: every inbound message stored raw first, then parsed and classified by a worker.
//!
//! [`receive`] puts the bytes into the blob store (content-addressed, synced)
//! and then records the message and its job in one transaction, so nothing
//! received is ever lost. [`process_next`] claims a job, parses the message
//! into Documents (on a blocking thread, a parser panic caught and reported as
//! the message's error), classifies it and stores the result; a worker killed
//! at any point leaves its job to be taken over when the lease runs out, and
//! completion is conditional on the lease, so each message gets one result.

/// Why a message is of its kind, as the message page says it.
pub use extract::KindReason;
use std::path::{Path, PathBuf};
use std::time::Duration;

use document::{Document, Severity};
use store::intake::{Job, NewMessage, ProcessedMessage, Received};
use store::{Store, StoreError};

use domain::message::MessageKind;
use domain::validation::Decision;

use crate::config::{Config, ExtractionSettings, IntakeSettings};
use crate::draft::{CatalogCache, Draft, Outcome, PartDraft};
use crate::parsing::Parser;
use store::drafts::NewDraft;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntakeError {
    /// The store was busy: the same call may succeed a moment later.
    pub fn is_busy(&self) -> bool {
        matches!(self, IntakeError::Store(e) if e.is_busy())
    }
}

/// Stores one inbound message: raw bytes first, then the message row and its job.
pub async fn receive(
    store: &Store,
    channel: &str,
    source_name: Option<&str>,
    bytes: &[u8],
) -> Result<Received, IntakeError> {
    let blobs = store.blobs().clone();
    let owned = bytes.to_vec();
    let sha256 = tokio::task::spawn_blocking(move || blobs.put(&owned))
        .await
        .map_err(|e| StoreError::Blob {
            path: "blob store".into(),
            source: std::io::Error::other(e.to_string()),
        })??;
    let headers = document::mail_headers(bytes).filter(|h| h.message_id.is_some() || h.from.is_some());
    let new = NewMessage {
        received_at: jiff::Timestamp::now(),
        channel: channel.to_owned(),
        source_name: source_name.map(str::to_owned),
        sha256,
        size_bytes: bytes.len() as u64,
        message_id_header: headers.as_ref().and_then(|h| h.message_id.clone()),
        sender: headers.as_ref().and_then(|h| h.from.clone()),
        subject: headers.as_ref().and_then(|h| h.subject.clone()),
    };
    let received = match store.receive_message(&new).await {
        Ok(r) => r,
        Err(e) => {
            // No row refers to the blob just written: remove it rather than leave an orphan.
            if let Ok(false) = store.blob_in_use(&new.sha256).await {
                let _ = store.blobs().remove(&new.sha256);
            }
            return Err(e.into());
        }
    };
    tracing::info!(message = received.id, channel, duplicate_of = ?received.duplicate_of, "message received");
    Ok(received)
}

/// What one `ingest` call took in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestSummary {
    pub received: u64,
    pub duplicates: u64,
    pub failed: Vec<String>,
}

/// Receives a file, or every file below a directory (sorted, hidden files skipped).
pub async fn ingest_path(store: &Store, path: &Path, channel: &str) -> Result<IngestSummary, IntakeError> {
    let mut files = Vec::new();
    collect_files(path, &mut files).map_err(|source| IntakeError::Read {
        path: path.to_owned(),
        source,
    })?;
    files.sort();
    let mut summary = IngestSummary::default();
    for file in files {
        let bytes = match tokio::fs::read(&file).await {
            Ok(b) => b,
            Err(e) => {
                summary.failed.push(format!("{}: cannot read: {e}", file.display()));
                continue;
            }
        };
        let name = file.file_name().and_then(|n| n.to_str());
        let received = receive(store, channel, name, &bytes).await?;
        if received.duplicate_of.is_some() {
            summary.duplicates += 1;
        } else {
            summary.received += 1;
        }
    }
    Ok(summary)
}

fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            let p = entry?.path();
            if p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
            {
                continue;
            }
            collect_files(&p, out)?;
        }
    } else {
        std::fs::metadata(path)?;
        out.push(path.to_owned());
    }
    Ok(())
}

/// What drafting needs besides the store: settings, the catalog and where files are read.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    pub intake: IntakeSettings,
    pub extraction: ExtractionSettings,
    pub catalog: CatalogCache,
    pub parser: Parser,
    /// The SMTP server, letterhead and confirmation rules: a drafted
    /// message's acknowledgement, and a straight-through order's
    /// confirmation, are queued with it.
    pub outbox: crate::outbound::Outbox,
    /// Business hours for due times, in the order desk's time zone (UTC when none).
    pub sla: crate::sla::SlaSettings,
    pub zone: Option<jiff::tz::TimeZone>,
    pub acknowledgements: crate::outbound::AcknowledgementSettings,
    /// Quotes drafted with RFQs: validity, pricing rules (`[quotes]`).
    pub quotes: crate::quote::QuoteSettings,
}

impl Pipeline {
    /// Files read in this process (tools and tests).
    pub fn new(config: &Config) -> Pipeline {
        Pipeline {
            intake: config.intake.clone(),
            extraction: config.extraction.clone(),
            catalog: CatalogCache::default(),
            parser: Parser::InProcess,
            outbox: config.outbox(),
            sla: config.sla.clone(),
            zone: Some(config.zone()),
            acknowledgements: config.acknowledgements.clone(),
            quotes: config.quotes.clone(),
        }
    }

    /// Files read in child processes of `program` (`PROGRAM parse-worker`), with the intake's limits.
    pub fn isolated(config: &Config, program: PathBuf) -> Pipeline {
        Pipeline {
            parser: Parser::child(program),
            ..Pipeline::new(config)
        }
    }
}

/// The Documents of a message's bytes, read where the pipeline says.
pub async fn read_documents(
    parser: &Parser,
    bytes: Vec<u8>,
    name: Option<String>,
    settings: &IntakeSettings,
) -> Vec<Document> {
    match parser {
        Parser::Child(reader) => {
            crate::parsing::parse_in_child(reader, &bytes, name.as_deref(), settings.parse_limits()).await
        }
        Parser::InProcess => tokio::task::spawn_blocking(move || document::parse_file(&bytes, name.as_deref()))
            .await
            .unwrap_or_else(|join_error| {
                vec![crate::parsing::unreadable(
                    None,
                    format!("the message could not be read: the reader failed on it ({join_error})"),
                )]
            }),
    }
}

/// The documents and the kind of one message, or why they could not be read.
pub struct Understood {
    pub documents: Vec<Document>,
    pub classification: extract::Classification,
    pub processed: ProcessedMessage,
}

/// Parses and classifies raw bytes into the result stored for a message.
pub fn understand(bytes: &[u8], name: Option<&str>, settings: &IntakeSettings) -> Understood {
    if let Some(refused) = too_large_to_read(bytes.len(), settings) {
        return refused;
    }
    understood_from(document::parse_file(bytes, name))
}

/// The result for a message over the parse limit: kept, not read.
pub fn too_large_to_read(size: usize, settings: &IntakeSettings) -> Option<Understood> {
    if size as u64 > settings.max_parse_bytes {
        return Some(Understood {
            documents: Vec::new(),
            classification: extract::Classification {
                kind: MessageKind::Other,
                reason: extract::KindReason::NotRead,
            },
            processed: ProcessedMessage {
                sender: None,
                subject: None,
                kind: MessageKind::Other,
                kind_reason: extract::KindReason::NotRead.to_string(),
                documents_json: "[]".into(),
                error: Some(format!(
                    "the message is {size} bytes, more than the parse limit of {} bytes (setting intake.max_parse_bytes); it is kept as received",
                    settings.max_parse_bytes
                )),
                drafts: Vec::new(),
                mails: Vec::new(),
                thread_root: None,
                format: None,
            },
        });
    }
    None
}

/// Classifies read Documents into the result stored for a message.
pub fn understood_from(documents: Vec<Document>) -> Understood {
    let classification = extract::classify(&documents);
    let errors: Vec<String> = documents
        .iter()
        .flat_map(|d| {
            let part = if d.part.is_empty() {
                "message".to_owned()
            } else {
                format!("part {}", d.part)
            };
            let label = match &d.name {
                Some(n) => format!("{part} ({n})"),
                None => part,
            };
            d.diagnostics
                .iter()
                .filter(|x| x.severity == Severity::Error)
                .map(move |x| format!("{label}: {} ({})", x.message, x.code))
        })
        .collect();
    let processed = ProcessedMessage {
        sender: documents
            .iter()
            .find_map(|d| d.value(document::keys::FROM))
            .map(str::to_owned),
        subject: documents
            .iter()
            .find_map(|d| d.value(document::keys::SUBJECT))
            .map(str::to_owned),
        kind: classification.kind,
        kind_reason: classification.reason.to_string(),
        documents_json: serde_json::to_string(&documents).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
        error: (!errors.is_empty()).then(|| errors.join("; ")),
        drafts: Vec::new(),
        mails: Vec::new(),
        thread_root: None,
        format: documents
            .iter()
            .find(|d| !matches!(d.format, document::Format::EmailText | document::Format::EmailHtml))
            .or(documents.first())
            .map(|d| d.format.as_str().to_owned()),
    };
    Understood {
        documents,
        classification,
        processed,
    }
}

/// The acknowledgement a drafted message gets, if it gets one.
async fn acknowledgement_of(
    store: &Store,
    pipeline: &Pipeline,
    message: &store::intake::StoredMessage,
    processed: &ProcessedMessage,
    thread: &crate::outbound::Thread,
) -> Result<Option<store::outbound::NewMail>, IntakeError> {
    // Administrators may have set the SMTP server and the rules in the web UI.
    let (smtp, _) = crate::settings::smtp(store, &pipeline.outbox.smtp).await?;
    let rules = crate::settings::acknowledgements(store, &pipeline.acknowledgements).await?;
    if smtp.host.trim().is_empty() || !rules.enabled {
        return Ok(None);
    }
    let draft = processed.drafts.first();
    let customer_no = draft.and_then(|d| d.customer_no.clone());
    let language = match &customer_no {
        Some(no) => store.customer(no).await?.and_then(|c| c.language),
        None => None,
    };
    let addressee = crate::outbound::Addressee {
        customer_no,
        language,
        po_number: draft.and_then(|d| d.po_number.clone()),
    };
    let received = crate::outbound::Received {
        message_id: message.id,
        kind: processed.kind,
        subject: processed.subject.as_deref().or(message.subject.as_deref()),
        thread,
    };
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    match crate::outbound::acknowledgement(&rules, &smtp, received, &addressee, today) {
        Ok(mail) => Ok(Some(mail)),
        Err(why) => {
            tracing::debug!(message = message.id, why, "no acknowledgement");
            Ok(None)
        }
    }
}

/// What happened to one claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Processed {
        message: i64,
        kind: MessageKind,
        error: Option<String>,
    },
    /// Another worker took the job over meanwhile; its result stands.
    Superseded {
        message: i64,
    },
    Failed {
        message: i64,
        error: String,
    },
}

/// Claims and processes the next job, if there is one.
pub async fn process_next(store: &Store, pipeline: &Pipeline) -> Result<Option<JobOutcome>, IntakeError> {
    let now = jiff::Timestamp::now();
    for message in store.stop_abandoned_jobs(now, pipeline.intake.max_attempts).await? {
        tracing::error!(message, "message stopped: its processing never finished");
    }
    let lease = now + jiff::SignedDuration::from_secs(pipeline.intake.lease_seconds as i64);
    let Some(job) = store.claim_job(now, lease).await? else {
        return Ok(None);
    };
    Ok(Some(process_job(store, job, pipeline).await?))
}

async fn process_job(store: &Store, job: Job, pipeline: &Pipeline) -> Result<JobOutcome, IntakeError> {
    let settings = &pipeline.intake;
    let message = store.message(job.message_id).await?;
    let Some(message) = message else {
        return fail(store, job, "the message row is missing".to_owned(), 1).await;
    };
    // Administrators may have changed the drafting settings in the web UI since the last message.
    let settings_in_force = crate::settings::extraction(store, &pipeline.extraction).await?;
    let catalog = match pipeline
        .catalog
        .get(store, Duration::from_secs(settings_in_force.catalog_refresh_seconds))
        .await
    {
        Ok(c) => c,
        Err(e) => {
            let error = format!("master data cannot be loaded for drafting: {e}");
            return fail(store, job, error, settings.max_attempts).await;
        }
    };
    let hints = crate::draft::hints_for(store, message.sender.as_deref()).await?;
    let blobs = store.blobs().clone();
    let sha = message.sha256.clone();
    let read = tokio::task::spawn_blocking(move || blobs.get(&sha).map_err(|e| e.to_string())).await;
    let bytes = match read.map_err(|e| e.to_string()).and_then(|r| r) {
        Ok(bytes) => bytes,
        Err(e) => {
            let error = format!("the raw message cannot be read from the blob store: {e}");
            return fail(store, job, error, settings.max_attempts).await;
        }
    };
    let name = message.source_name.clone();
    let thread = crate::outbound::thread_of(&bytes);
    let mut understood = match too_large_to_read(bytes.len(), settings) {
        Some(refused) => refused,
        None => understood_from(read_documents(&pipeline.parser, bytes, name, settings).await),
    };
    // A person said what the message is: it is drafted as that.
    if let Some(kind) = message.kind_set {
        let who = message
            .kind_set_by
            .as_deref()
            .and_then(domain::event::Actor::from_storage)
            .map_or_else(
                || "a person".to_owned(),
                |a| match a {
                    domain::event::Actor::User(u) => u,
                    domain::event::Actor::System(s) => s,
                },
            );
        let reason = extract::KindReason::SetBy(who);
        understood.processed.kind = kind;
        understood.processed.kind_reason = reason.to_string();
        understood.classification = extract::Classification { kind, reason };
    }
    let settings = settings_in_force.clone();
    let quote_catalog = catalog.clone();
    let drafted = tokio::task::spawn_blocking(move || {
        let catalog = catalog.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let ctx = crate::draft::Context {
            catalog: &catalog,
            hints: &hints,
            settings: &settings,
            today: jiff::Zoned::now().date(),
        };
        crate::draft::draft_documents(understood, &ctx)
    })
    .await;
    let Ok(Outcome { mut processed, drafts }) = drafted else {
        // A panic while drafting is a bug; the message keeps it as its error and is not retried.
        let error = format!(
            "drafting the message failed unexpectedly ({}); it is kept as received",
            drafted.err().map(|e| e.to_string()).unwrap_or_default()
        );
        return fail(store, job, error, 1).await;
    };
    let now = jiff::Timestamp::now();
    let quotes = crate::settings::quotes(store, &pipeline.quotes).await?;
    let answered_quote = quote_answered(store, &thread).await?;
    let text = message_text(&processed);
    for PartDraft { part, mut draft } in drafts {
        crate::draft::check_duplicate_po(store, &mut draft, job.message_id, &settings_in_force).await?;
        crate::draft::check_sender_history(store, &mut draft, &settings_in_force).await?;
        // A status inquiry is answered at once when its order is certain,
        // else it waits with the order linked and the answer drafted.
        let mut answered = None;
        if draft.kind == MessageKind::Inquiry {
            match crate::inquiry::handle(store, &pipeline.outbox, message.id, &draft, &thread, &text).await? {
                Some(crate::inquiry::Handling::Answered {
                    mail,
                    note,
                    order_id,
                    po_number,
                }) => {
                    processed.mails.push(*mail);
                    answered = Some(note);
                    draft.order_id = Some(order_id);
                    draft.po_number = draft.po_number.take().or(po_number);
                }
                Some(crate::inquiry::Handling::Drafted {
                    reply,
                    order_id,
                    po_number,
                }) => {
                    draft.reply = Some(reply);
                    draft.order_id = order_id;
                    draft.po_number = draft.po_number.take().or(po_number);
                }
                None => {}
            }
        }
        // A reply to one of our quotes that reads as taking it is the
        // quote's acceptance for a person to confirm, never an order of its own.
        let accepted = acceptance_of(store, answered_quote.as_ref(), &text, message.id, &draft, &quotes).await?;
        let mut stored = new_draft(part, &draft, message.received_at, &settings_in_force, pipeline);
        if let Some(note) = accepted {
            answered = Some(note);
            stored.order = None;
        }
        stored.answered = answered;
        // An RFQ in the thread of one of our quotes (a question about it) waits for a person.
        if draft.kind == MessageKind::Rfq && quotes.auto_draft && answered_quote.is_none() && stored.answered.is_none()
        {
            let catalog = quote_catalog.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            let ctx = crate::quote::PricingContext {
                catalog: &catalog,
                policy: &quotes.pricing,
                today: now
                    .to_zoned(pipeline.zone.clone().unwrap_or(jiff::tz::TimeZone::UTC))
                    .date(),
            };
            stored.quote = crate::quote::from_draft(&draft, &ctx, &quotes)
                .map(|q| crate::quote::new_quote(&q, message.received_at, stored.due_at));
        }
        if let Some(order) = &mut stored.order {
            let ordered = crate::confirmation::Ordered {
                customer_no: order.customer_no.as_deref(),
                message_id: message.id,
                part: &stored.part,
                thread: Some(&thread),
                documents_json: Some(&processed.documents_json),
            };
            order.mails = crate::confirmation::confirmation_for(store, &pipeline.outbox, &ordered).await?;
        }
        processed.drafts.push(stored);
    }
    // An order confirmed straight through is answered by its confirmation
    // seconds later; an acknowledgement before it would only say less.
    let confirmed_at_once = !processed.drafts.is_empty()
        && processed
            .drafts
            .iter()
            .all(|d| d.order.as_ref().is_some_and(|o| !o.mails.is_empty()));
    if confirmed_at_once {
        tracing::debug!(message = message.id, "no acknowledgement: the confirmation answers");
    } else if let Some(ack) = acknowledgement_of(store, pipeline, &message, &processed, &thread).await? {
        processed.mails.push(ack);
    }
    processed.thread_root = thread.root().map(str::to_owned);
    let kind = processed.kind;
    let error = processed.error.clone();
    let decision = processed.drafts.first().map(|d| d.decision.as_str());
    let confirmed_here = processed.drafts.iter().filter(|d| d.order.is_some()).count();
    if store.complete_job(job, &processed, now).await? {
        let waited = crate::metrics::seconds_since(message.received_at);
        let latencies = crate::metrics::latencies();
        latencies.drafting.observe(waited);
        for _ in 0..confirmed_here {
            latencies.confirmation.observe(waited);
        }
        tracing::info!(
            message = job.message_id,
            kind = kind.as_str(),
            decision,
            error = error.as_deref(),
            "message processed"
        );
        Ok(JobOutcome::Processed {
            message: job.message_id,
            kind,
            error,
        })
    } else {
        Ok(JobOutcome::Superseded {
            message: job.message_id,
        })
    }
}

/// The quote a message answers in its thread (a reply to our quote mail).
async fn quote_answered(
    store: &Store,
    thread: &crate::outbound::Thread,
) -> Result<Option<store::quotes::StoredQuote>, store::StoreError> {
    if thread.automatic.is_some() {
        return Ok(None);
    }
    let mut refs = thread.references.clone();
    refs.extend(thread.in_reply_to.clone());
    store.quote_answered_by(&refs).await
}

/// When a message answering a sent quote reads as taking it: the
/// acceptance is proposed on the quote (a person confirms it), and the note
/// the message's draft is done with, so the reply does not become an order of its own.
async fn acceptance_of(
    store: &Store,
    quote: Option<&store::quotes::StoredQuote>,
    text: &str,
    message_id: i64,
    draft: &crate::draft::Draft,
    settings: &crate::quote::QuoteSettings,
) -> Result<Option<String>, store::StoreError> {
    let Some(quote) = quote else {
        return Ok(None);
    };
    if draft.kind == MessageKind::Inquiry || !crate::quote::reads_as_acceptance(text) {
        return Ok(None);
    }
    if !store
        .propose_acceptance(quote.id, message_id, jiff::Timestamp::now())
        .await?
    {
        return Ok(None);
    }
    Ok(Some(format!(
        "read as the acceptance of quote {}; confirm it on the quote",
        settings.number(quote.id)
    )))
}

/// The words of a message: its subject and the text of its mail body.
fn message_text(processed: &ProcessedMessage) -> String {
    let documents: Vec<Document> = serde_json::from_str(&processed.documents_json).unwrap_or_default();
    crate::draft::prose(&documents, processed.subject.as_deref())
}

/// A draft as it is stored: due by the review (or quote) SLA after the message
/// was received (in business hours when the site has them); a
/// straight-through order is confirmed with it.
fn new_draft(
    part: String,
    draft: &Draft,
    received: jiff::Timestamp,
    settings: &ExtractionSettings,
    pipeline: &Pipeline,
) -> NewDraft {
    let sla = if draft.kind == MessageKind::Rfq {
        settings.quote_sla_minutes
    } else {
        settings.review_sla_minutes
    };
    NewDraft {
        part,
        due_at: pipeline.sla.due(
            received,
            sla,
            pipeline.zone.as_ref().unwrap_or(&jiff::tz::TimeZone::UTC),
        ),
        order: (draft.decision == Decision::StraightThrough && draft.kind == MessageKind::Order)
            .then(|| crate::review::new_order(draft)),
        answered: None,
        quote: None,
        kind: draft.kind,
        customer_no: draft.customer.as_ref().map(|c| c.customer_no.clone()),
        po_number: draft.po_number.clone(),
        decision: draft.decision,
        extraction: draft.to_json(),
        summary: crate::draft::summary(draft),
    }
}

/// The one way a job fails: recorded on the job (and, once attempts run out, on the message).
async fn fail(store: &Store, job: Job, error: String, max_attempts: i64) -> Result<JobOutcome, IntakeError> {
    store
        .fail_job(job, &error, max_attempts, jiff::Timestamp::now())
        .await?;
    tracing::error!(message = job.message_id, %error, "processing failed");
    Ok(JobOutcome::Failed {
        message: job.message_id,
        error,
    })
}

/// Processes jobs until the queue is empty; returns how many were handled.
pub async fn drain(store: &Store, pipeline: &Pipeline) -> Result<u64, IntakeError> {
    let mut n = 0;
    while process_next(store, pipeline).await?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// How the worker is doing, for `/healthz`: shared between the worker loop and the web server.
#[derive(Debug, Clone, Default)]
pub struct WorkerHealth(std::sync::Arc<WorkerHealthInner>);

#[derive(Debug, Default)]
pub struct WorkerHealthInner {
    /// Unix seconds of the last turn of the worker loop; 0 before the first.
    last_beat: std::sync::atomic::AtomicI64,
    /// How often the worker task died and was started again.
    restarts: std::sync::atomic::AtomicU64,
}

/// The worker as `/healthz` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerReport {
    /// Seconds since the worker loop last turned (`None` before it first did).
    pub seconds_since_beat: Option<i64>,
    pub restarts: u64,
}

impl WorkerHealth {
    fn beat(&self) {
        self.0
            .last_beat
            .store(jiff::Timestamp::now().as_second(), std::sync::atomic::Ordering::Relaxed);
    }

    pub fn report(&self) -> WorkerReport {
        let last = self.0.last_beat.load(std::sync::atomic::Ordering::Relaxed);
        WorkerReport {
            seconds_since_beat: (last > 0).then(|| jiff::Timestamp::now().as_second() - last),
            restarts: self.0.restarts.load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}

/// Runs the worker and starts it again whenever its task dies (a bug in
/// drafting must not leave new mail waiting forever while the server looks healthy).
pub async fn supervise_worker(store: Store, pipeline: Pipeline, health: WorkerHealth) {
    loop {
        let task = tokio::spawn(run_worker_with(store.clone(), pipeline.clone(), health.clone()));
        match task.await {
            Ok(()) => return,
            Err(e) => {
                health.0.restarts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::error!(error = %e, "worker died; starting it again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Processes jobs forever, resting briefly whenever the queue is empty.
pub async fn run_worker(store: Store, pipeline: Pipeline) {
    run_worker_with(store, pipeline, WorkerHealth::default()).await
}

async fn run_worker_with(store: Store, pipeline: Pipeline, health: WorkerHealth) {
    loop {
        health.beat();
        match process_next(&store, &pipeline).await {
            Ok(Some(_)) => continue,
            Ok(None) => tokio::time::sleep(Duration::from_millis(pipeline.intake.idle_poll_ms)).await,
            Err(e) => {
                tracing::error!(error = %e, "worker: cannot process the queue");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// What one look at a watched folder did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WatchPass {
    pub received: u64,
    pub duplicates: u64,
}

/// Takes in every finished file in `dir` (not hidden, unchanged for `settle`)
/// and moves it to `dir/processed` once it is safely stored. A crash between
/// storing and moving only means the file is seen again: it is recognised as a
/// duplicate and moved then.
pub async fn watch_pass(store: &Store, dir: &Path, settle: Duration) -> Result<WatchPass, IntakeError> {
    let read_err = |source| IntakeError::Read {
        path: dir.to_owned(),
        source,
    };
    let done_dir = dir.join("processed");
    tokio::fs::create_dir_all(&done_dir).await.map_err(read_err)?;
    let mut pass = WatchPass::default();
    let mut entries = tokio::fs::read_dir(dir).await.map_err(read_err)?;
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(read_err)? {
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        let Ok(meta) = entry.metadata().await else { continue };
        // A file still being written (modified within `settle`) waits for the next pass.
        let settled = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= settle);
        if meta.is_file() && !hidden && settled {
            files.push(path);
        }
    }
    files.sort();
    for path in files {
        let bytes = tokio::fs::read(&path).await.map_err(|source| IntakeError::Read {
            path: path.clone(),
            source,
        })?;
        let name = path.file_name().and_then(|n| n.to_str()).map(str::to_owned);
        let received = receive(store, "folder", name.as_deref(), &bytes).await?;
        if received.duplicate_of.is_some() {
            pass.duplicates += 1;
        } else {
            pass.received += 1;
        }
        let target = done_dir.join(format!("{}-{}", received.id, name.unwrap_or_default()));
        tokio::fs::rename(&path, &target)
            .await
            .map_err(|source| IntakeError::Read {
                path: path.clone(),
                source,
            })?;
    }
    Ok(pass)
}

/// Watches `dir` forever, a pass every `interval`.
pub async fn watch(store: Store, dir: PathBuf, interval: Duration) {
    loop {
        if let Err(e) = watch_pass(&store, &dir, Duration::from_secs(1)).await {
            tracing::error!(error = %e, dir = %dir.display(), "watched folder");
        }
        tokio::time::sleep(interval).await;
    }
}

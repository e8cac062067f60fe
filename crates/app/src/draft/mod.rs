//! From Documents to a draft order, and the draft as the review desk works on it.
//!
//! - [`model`]: the typed [`Draft`] and its lines, exceptions and reasons;
//!   its serde form is the extraction JSON of the contract
//!   (`orderdesk.extraction/1`), printed by `orderdesk extract` and stored
//!   for every inbound message.
//! - [`make`]: [`make_draft`], the pure core: read the header and lines,
//!   resolve customer and ship-to, check, decide.
//! - [`lines`]: each line resolved to product, unit, price and stock, and the
//!   checks run again after a correction ([`recheck`]).
//! - [`correct`]: a reviewer's [`Correction`] applied to a draft
//!   ([`Draft::apply`]), giving the change to record and the lesson to learn.
//! - [`catalog`]: the master data drafting reads, cached for the worker.
//! - [`mod@summary`]: what lists show of a draft.
//!
//! [`draft_documents`] is the whole pipeline after reading (classify, draft
//! each order, decide) as one pure function; [`draft_message`] adds the
//! reading, for files read in this process.

pub mod catalog;
pub mod correct;
mod evidence;
pub mod lines;
pub mod make;
pub mod model;
pub mod pick;
pub mod snapshot;
pub mod summary;
mod trust;

use domain::review::ReviewReason;
use extract::LayoutHint;
use jiff::civil::Date;
use matching::Catalog;
use store::intake::ProcessedMessage;
use store::{Store, StoreError};

pub use catalog::{CatalogCache, CatalogError, hints_for, load_catalog, load_master_data};
pub use correct::{Change, Correction, CorrectionError, HeaderField, Lesson, LineField, NewLine};
pub use lines::recheck;
pub use make::{make_draft, order_groups};
pub use model::{
    Alternative, Draft, DraftCustomer, DraftException, DraftLine, DraftShipTo, FieldInfo, SCHEMA, UnreadableDraft,
};
pub use summary::{DraftSummary, summary};
pub use trust::authenticated;

use crate::config::{ExtractionSettings, IntakeSettings};
use crate::intake::Understood;

/// What drafting reads besides the message: master data, what was learned
/// about the sender's layout, the settings, and the day it is.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub hints: &'a [LayoutHint],
    pub settings: &'a ExtractionSettings,
    pub today: Date,
}

/// One draft of a message, with the part it reads (`""` unless the message
/// carries several orders).
#[derive(Debug, Clone, PartialEq)]
pub struct PartDraft {
    pub part: String,
    pub draft: Draft,
}

/// What drafting made of one message: the result stored on the message and its drafts.
#[derive(Debug)]
pub struct Outcome {
    pub processed: ProcessedMessage,
    pub drafts: Vec<PartDraft>,
}

/// Drafts a message's read Documents: one draft over everything, or one per
/// structured order when the message carries several. Parts that could not
/// be read are a reason for review on each draft. Pure: no IO.
pub fn draft_documents(understood: Understood, ctx: &Context<'_>) -> Outcome {
    let Understood {
        documents,
        classification,
        processed,
    } = understood;
    let drafts: Vec<PartDraft> = if documents.is_empty() {
        Vec::new()
    } else {
        match order_groups(&documents) {
            None => vec![PartDraft {
                part: String::new(),
                draft: make_draft(
                    &documents,
                    &classification,
                    ctx.hints,
                    ctx.catalog,
                    ctx.settings,
                    ctx.today,
                ),
            }],
            Some(groups) => groups
                .into_iter()
                .map(|(part, docs)| {
                    let classification = extract::classify(&docs);
                    let draft = make_draft(&docs, &classification, ctx.hints, ctx.catalog, ctx.settings, ctx.today);
                    PartDraft { part, draft }
                })
                .collect(),
        }
    };
    let drafts = drafts
        .into_iter()
        .map(|mut d| {
            // A question, change or cancellation names its order in prose
            // ("Wo bleibt unsere Bestellung 4500012345?"), not under a label.
            if d.draft.po_number.is_none()
                && matches!(
                    d.draft.kind,
                    domain::message::MessageKind::Inquiry
                        | domain::message::MessageKind::Cancellation
                        | domain::message::MessageKind::OrderChange
                )
            {
                d.draft.po_number = crate::inquiry::asked_po(&prose(&documents, processed.subject.as_deref()));
            }
            if let Some(error) = &processed.error {
                d.draft.review_reasons.push(ReviewReason::ReadErrors(error.clone()));
                d.draft.decide();
            }
            d
        })
        .collect();
    Outcome { processed, drafts }
}

/// The subject and the mail text of a message's documents.
pub fn prose(documents: &[document::Document], subject: Option<&str>) -> String {
    let mut text = subject.unwrap_or("").to_owned();
    for d in documents.iter().filter(|d| {
        matches!(
            d.format,
            document::Format::EmailText | document::Format::EmailHtml | document::Format::Text
        )
    }) {
        for block in &d.text_blocks {
            text.push('\n');
            text.push_str(&block.text);
        }
    }
    text
}

/// Reads a message's bytes in this process and drafts it.
pub fn draft_message(bytes: &[u8], name: Option<&str>, intake: &IntakeSettings, ctx: &Context<'_>) -> Outcome {
    draft_documents(crate::intake::understand(bytes, name, intake), ctx)
}

/// The draft for one file's bytes against the current master data, without
/// storing anything: what `orderdesk extract` prints. `sender` stands in for
/// the `From:` of files that are not mails.
pub async fn extract_bytes(
    store: &Store,
    catalog: &Catalog,
    bytes: &[u8],
    name: Option<&str>,
    sender: Option<&str>,
    config: &crate::Config,
) -> Result<Draft, StoreError> {
    let mut understood = crate::intake::understand(bytes, name, &config.intake);
    if let (Some(sender), Some(first)) = (sender, understood.documents.first_mut())
        && first.value(document::keys::FROM).is_none()
    {
        first.key_value(document::keys::FROM, sender, "--sender");
    }
    let from = understood
        .documents
        .iter()
        .find_map(|d| d.value(document::keys::FROM))
        .map(str::to_owned);
    let hints = hints_for(store, from.as_deref()).await?;
    // One draft over every document of the file, also when it carries several orders.
    let mut draft = make_draft(
        &understood.documents,
        &understood.classification,
        &hints,
        catalog,
        &config.extraction,
        jiff::Zoned::now().date(),
    );
    if let Some(error) = understood.processed.error {
        draft.review_reasons.push(ReviewReason::ReadErrors(error));
        draft.decide();
    }
    check_duplicate_po(store, &mut draft, -1, &config.extraction).await?;
    check_sender_history(store, &mut draft, &config.extraction).await?;
    Ok(draft)
}

/// Under the setting `stp_after_reviewed`, keeps a straight-through order
/// for a person while fewer of the sender's orders were confirmed unchanged.
pub async fn check_sender_history(
    store: &Store,
    draft: &mut Draft,
    settings: &ExtractionSettings,
) -> Result<(), StoreError> {
    let needed = settings.stp_after_reviewed;
    if needed == 0 || draft.decision != domain::validation::Decision::StraightThrough {
        return Ok(());
    }
    let reviewed = match &draft.sender {
        Some(sender) => store.reviewed_unchanged(sender).await?,
        None => 0,
    };
    let reviewed = u32::try_from(reviewed).unwrap_or(u32::MAX);
    if reviewed < needed {
        draft.review_reasons.push(ReviewReason::NewSender { reviewed, needed });
        draft.decide();
    }
    Ok(())
}

/// Adds `duplicate_po` when another stored order of the customer has the PO number.
pub async fn check_duplicate_po(
    store: &Store,
    draft: &mut Draft,
    message_id: i64,
    settings: &ExtractionSettings,
) -> Result<(), StoreError> {
    if let (Some(c), Some(po)) = (&draft.customer, &draft.po_number)
        && draft.kind == domain::message::MessageKind::Order
        && store.po_number_taken(&c.customer_no, po, message_id).await?
    {
        draft.mark_duplicate_po(settings);
    }
    Ok(())
}

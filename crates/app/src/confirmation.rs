//! Order confirmations to customers. When an order is confirmed (by a clerk
//! or straight through) its confirmation mail is queued in the same
//! transaction, addressed to whoever sent the order and threaded to it;
//! the worker makes the text and the PDF when it first sends the mail, with
//! our order number, the letterhead and master data in force. An amended
//! order gets an amended confirmation in the same thread.
//!
//! What the PDF marks as changed against the order: a quantity, product or
//! price a clerk corrected in review (the draft's `corrected` events keep
//! what the customer asked for), and a delivery date later than requested
//! (stock and lead time decide the date we confirm).

use std::collections::HashMap;

use domain::customer::Customer;
use domain::event::Event;
use domain::product::Product;
use domain::stock::StockLevel;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use store::Store;
use store::orders::StoredOrder;
use store::outbound::{MailAttachment, MailKind, NewMail, StoredMail};

use crate::draft::Draft;
use crate::outbound::{SmtpConfig, Thread};

/// The company as its letters show it (`[company]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompanySettings {
    pub name: String,
    pub street: String,
    pub zip: String,
    pub city: String,
    pub country: String,
    pub phone: String,
    pub email: String,
    pub web: String,
    pub vat_id: String,
    /// `Amtsgericht Stuttgart HRB 12345`.
    pub register: String,
    pub managing_directors: String,
    pub bank: String,
    pub iban: String,
    pub bic: String,
    /// A PNG or JPEG logo on disk (orderdesk.toml).
    pub logo_file: Option<std::path::PathBuf>,
    /// A logo uploaded in the web UI, in the blob store.
    pub logo_sha256: Option<String>,
}

impl CompanySettings {
    /// The letterhead, with the logo's bytes when there is one.
    pub fn letterhead(&self, logo: Option<Vec<u8>>) -> printout::Letterhead {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let town = format!("{} {}", self.zip.trim(), self.city.trim());
        printout::Letterhead {
            name: self.name.trim().to_owned(),
            address: [self.street.trim(), town.trim(), self.country.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            phone: some(&self.phone),
            email: some(&self.email),
            web: some(&self.web),
            vat_id: some(&self.vat_id),
            register: some(&self.register),
            managing_directors: some(&self.managing_directors),
            bank: some(&self.bank),
            iban: some(&self.iban),
            bic: some(&self.bic),
            logo,
        }
    }
}

/// When and how confirmations go out (`[confirmations]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfirmationSettings {
    pub enabled: bool,
    /// Our order number is this prefix and the order's id (`AB-1042`).
    pub number_prefix: String,
    /// Customers (numbers) who want no confirmation mail.
    pub opt_out: Vec<String>,
    /// Signs mail and PDF; the sender's name when empty.
    pub signature: String,
    /// The German mail text, with `{order}`, `{po}`, `{changes}` and
    /// `{signature}`; [`DEFAULT_TEXT_DE`] when empty.
    pub text_de: String,
    /// The English text; [`DEFAULT_TEXT_EN`] when empty.
    pub text_en: String,
    /// Partners who ordered by EDI or UBL get an order response in their
    /// standard; these get it written to their folder instead of by mail.
    pub edi_folders: Vec<EdiFolder>,
    /// Whether an EDI or UBL partner also gets the PDF confirmation by mail.
    pub edi_pdf: bool,
}

/// Where a partner's order responses are written (`customer_no`, `folder`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdiFolder {
    pub customer_no: String,
    pub folder: std::path::PathBuf,
}

impl Default for ConfirmationSettings {
    fn default() -> Self {
        ConfirmationSettings {
            enabled: true,
            number_prefix: "AB-".into(),
            opt_out: Vec::new(),
            signature: String::new(),
            text_de: String::new(),
            text_en: String::new(),
            edi_folders: Vec::new(),
            edi_pdf: true,
        }
    }
}

/// The German confirmation mail as shipped.
pub const DEFAULT_TEXT_DE: &str = "Guten Tag,\n\nvielen Dank für Ihre Bestellung {po}. Anbei erhalten Sie unsere Auftragsbestätigung {order} als PDF.\n{changes}\nBei Fragen antworten Sie einfach auf diese Mail.\n\nMit freundlichen Grüßen\n{signature}\n";
/// The English confirmation mail as shipped.
pub const DEFAULT_TEXT_EN: &str = "Hello,\n\nthank you for your order {po}. Please find our order confirmation {order} attached as PDF.\n{changes}\nIf you have any questions, simply reply to this mail.\n\nKind regards\n{signature}\n";

/// Who gets an order's confirmation and in which thread: decided when the
/// order is confirmed. Subject, text and PDF follow when it is sent.
pub fn addressing(
    settings: &ConfirmationSettings,
    smtp: &SmtpConfig,
    customer: &Customer,
    thread: &Thread,
    message_id: i64,
) -> Result<NewMail, &'static str> {
    if !settings.enabled || smtp.host.trim().is_empty() {
        return Err("confirmations are off or no SMTP server is set");
    }
    let customer_no = customer.customer_no.to_string();
    if settings.opt_out.iter().any(|o| o.trim() == customer_no) {
        return Err("the customer wants no confirmation mail");
    }
    // The sender of the order, unless it came from a robot; else the
    // customer's first known address.
    let to = thread
        .reply_to
        .clone()
        .filter(|_| thread.automatic.is_none())
        .or_else(|| customer.emails.first().cloned())
        .ok_or("neither the order's sender nor the customer has a mail address")?;
    let language = crate::outbound::language_for(customer.language.as_deref(), &to);
    let mut references = thread.references.clone();
    if let Some(id) = &thread.message_id
        && !references.contains(id)
    {
        references.push(id.clone());
    }
    Ok(NewMail {
        kind: MailKind::Confirmation,
        message_id: Some(message_id),
        order_id: None,
        dedupe_key: String::new(),
        language: language.into(),
        to,
        subject: String::new(),
        body: String::new(),
        mail_message_id: format!(
            "<confirmation-{message_id}-{:016x}@{}>",
            fastrand::u64(..),
            crate::outbound::sender_domain(smtp)
        ),
        in_reply_to: thread.message_id.clone(),
        references,
        attachment: None,
    })
}

/// What an order confirmed now sends, under the settings in force: the
/// confirmation mail, and for an order that came by EDI or UBL the order
/// response (to the partner's folder or by mail), with or without the PDF
/// beside it. Empty (the reason logged) when nothing goes.
pub async fn confirmation_for(
    store: &Store,
    configured: &crate::outbound::Outbox,
    order: &Ordered<'_>,
) -> Result<Vec<NewMail>, store::StoreError> {
    let outbox = crate::settings::outbox(store, configured).await?;
    if outbox.smtp.host.trim().is_empty() || !outbox.letter.confirmations.enabled {
        return Ok(Vec::new());
    }
    let Some(customer) = (match order.customer_no {
        Some(no) => store.customer(no).await?,
        None => None,
    }) else {
        return Ok(Vec::new());
    };
    let message = store.message(order.message_id).await?;
    let read;
    let thread = match order.thread {
        Some(t) => t,
        None => {
            read = match &message {
                Some(m) => {
                    let blobs = store.blobs().clone();
                    let sha = m.sha256.clone();
                    match tokio::task::spawn_blocking(move || blobs.get(&sha)).await {
                        Ok(Ok(bytes)) => crate::outbound::thread_of(&bytes),
                        _ => Thread::default(),
                    }
                }
                None => Thread::default(),
            };
            &read
        }
    };
    let documents_json = order
        .documents_json
        .or_else(|| message.as_ref().and_then(|m| m.documents_json.as_deref()));
    let documents: Vec<document::Document> = documents_json
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    let edi = crate::order_response::source_of(&documents, order.part).is_some();
    let rules = &outbox.letter.confirmations;
    let mut mails = Vec::new();
    match addressing(rules, &outbox.smtp, &customer, thread, order.message_id) {
        Ok(mail) => {
            if edi {
                let mut response = NewMail {
                    kind: MailKind::OrderResponse,
                    mail_message_id: mail.mail_message_id.replace("<confirmation-", "<order-response-"),
                    ..mail.clone()
                };
                let customer_no = customer.customer_no.to_string();
                if let Some(f) = rules.edi_folders.iter().find(|f| f.customer_no.trim() == customer_no) {
                    response.to = crate::order_response::Channel::Folder(f.folder.clone()).to_text();
                }
                mails.push(response);
            }
            if !edi || rules.edi_pdf {
                mails.push(mail);
            }
        }
        Err(why) => tracing::info!(message = order.message_id, why, "no confirmation mail"),
    }
    Ok(mails)
}

/// The order being confirmed, as `confirmation_for` needs it.
pub struct Ordered<'a> {
    pub customer_no: Option<&'a str>,
    pub message_id: i64,
    /// The document part its draft read (`""` for the whole message).
    pub part: &'a str,
    /// The message's threading, when the caller has read it.
    pub thread: Option<&'a Thread>,
    /// The message's documents as JSON, when not yet stored.
    pub documents_json: Option<&'a str>,
}

/// The confirmation date we can promise for a line: the requested date when
/// stock covers it by then or the lead time allows it, else today plus the
/// lead time; `None` when nothing tells.
pub fn confirmed_delivery(
    requested: Option<Date>,
    today: Date,
    lead_time_days: Option<u32>,
    in_stock_by_requested: bool,
) -> Option<Date> {
    let earliest = if in_stock_by_requested {
        None
    } else {
        lead_time_days.and_then(|d| today.checked_add(jiff::Span::new().days(i64::from(d))).ok())
    };
    match (requested, earliest) {
        (Some(r), Some(e)) => Some(r.max(e)),
        (Some(r), None) => Some(r),
        (None, e) => e,
    }
}

/// What the customer asked for on each line, as the review's corrections
/// recorded it before the first change (`lines[N].field` → value).
pub fn ordered_values(corrections: &[Event]) -> HashMap<(u32, String), Option<String>> {
    let mut out = HashMap::new();
    for event in corrections.iter().filter(|e| e.action == "corrected") {
        for change in &event.changes {
            let Some(rest) = change.field.strip_prefix("lines[") else {
                continue;
            };
            let Some((no, field)) = rest.split_once("].") else {
                continue;
            };
            let Ok(no) = no.parse::<u32>() else { continue };
            out.entry((no, field.to_owned()))
                .or_insert_with(|| change.before.clone());
        }
    }
    out
}

/// What the confirmation document is made from.
pub struct Facts<'a> {
    pub order: &'a StoredOrder,
    pub draft: &'a Draft,
    pub customer: Option<&'a Customer>,
    pub products: &'a HashMap<String, Product>,
    pub stock: &'a HashMap<String, Vec<StockLevel>>,
    pub corrections: &'a [Event],
    /// 1 for the first confirmation of the order, then one more per amendment.
    pub revision: u32,
    pub today: Date,
    pub language: printout::Language,
    pub number: String,
    pub signature: String,
    /// The company's own country (domestic addresses name none).
    pub home_country: String,
}

fn address_lines(
    name: Option<&str>,
    street: Option<&str>,
    zip: Option<&str>,
    city: Option<&str>,
    country: Option<&str>,
) -> Vec<String> {
    let town = format!("{} {}", zip.unwrap_or("").trim(), city.unwrap_or("").trim());
    [name, street, Some(town.trim()), country]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A country's name on an address; none for the company's own country
/// (a domestic letter names none).
pub fn country_line(code: &str, language: printout::Language, home: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    let (de, en) = match code.as_str() {
        "DE" => ("Deutschland", "Germany"),
        "AT" => ("Österreich", "Austria"),
        "CH" => ("Schweiz", "Switzerland"),
        "LI" => ("Liechtenstein", "Liechtenstein"),
        "FR" => ("Frankreich", "France"),
        "IT" => ("Italien", "Italy"),
        "NL" => ("Niederlande", "Netherlands"),
        "BE" => ("Belgien", "Belgium"),
        "LU" => ("Luxemburg", "Luxembourg"),
        "PL" => ("Polen", "Poland"),
        "CZ" => ("Tschechien", "Czechia"),
        "DK" => ("Dänemark", "Denmark"),
        "SE" => ("Schweden", "Sweden"),
        "ES" => ("Spanien", "Spain"),
        "GB" => ("Vereinigtes Königreich", "United Kingdom"),
        "US" => ("USA", "USA"),
        _ => (code.as_str(), code.as_str()),
    };
    let home = home.trim();
    if code.is_empty() || [code.as_str(), de, en].iter().any(|n| n.eq_ignore_ascii_case(home)) {
        return None;
    }
    Some(match language {
        printout::Language::German => de.to_owned(),
        printout::Language::English => en.to_owned(),
    })
}

/// The confirmation document of an order (pure).
pub fn document(f: &Facts<'_>) -> printout::Confirmation {
    let draft = f.draft;
    let ordered = ordered_values(f.corrections);
    let bill_to = match f.customer {
        Some(c) => {
            let country = c
                .billing_address
                .country
                .and_then(|c| country_line(c.as_str(), f.language, &f.home_country));
            address_lines(
                Some(&c.name),
                c.billing_address.street.as_deref(),
                c.billing_address.zip.as_deref(),
                c.billing_address.city.as_deref(),
                country.as_deref(),
            )
        }
        None => vec![
            draft
                .customer
                .as_ref()
                .map(|c| c.customer_no.clone())
                .unwrap_or_default(),
        ],
    };
    let ship_to = draft.ship_to.as_ref().map(|s| {
        address_lines(
            s.name.as_deref(),
            s.street.as_deref(),
            s.zip.as_deref(),
            s.city.as_deref(),
            s.country
                .as_deref()
                .and_then(|c| country_line(c, f.language, &f.home_country))
                .as_deref(),
        )
    });
    // A delivery address that is the billing address is not printed twice.
    let ship_to = ship_to
        .filter(|s| !s.is_empty() && s[s.len().saturating_sub(2)..] != bill_to[bill_to.len().saturating_sub(2)..]);
    let lines = draft
        .lines
        .iter()
        .map(|line| {
            let sku = line.sku.clone();
            let product = sku.as_deref().and_then(|s| f.products.get(s));
            let quantity = line.quantity.unwrap_or_default();
            let requested = line.delivery_date.or(draft.requested_delivery_date);
            let base = line.base_quantity.unwrap_or(quantity);
            let in_stock = match (sku.as_deref().and_then(|s| f.stock.get(s)), requested) {
                (Some(levels), by) => domain::stock::available_by(levels, by.unwrap_or(f.today)) >= base,
                // No stock kept for it: made or bought to order.
                (None, _) => product.is_none_or(|p| p.lead_time_days.is_none()),
            };
            let delivery = confirmed_delivery(requested, f.today, product.and_then(|p| p.lead_time_days), in_stock);
            let mut changes = Vec::new();
            let was = |field: &str| ordered.get(&(line.line_no, field.to_owned())).cloned().flatten();
            if let Some(before) = was("quantity").and_then(|q| q.parse::<Decimal>().ok())
                && before != quantity
            {
                let unit = was("uom").or_else(|| line.uom.clone()).unwrap_or_default();
                changes.push(printout::LineChange::Quantity { ordered: before, unit });
            }
            if let Some(before) = was("sku").filter(|b| Some(b) != sku.as_ref()) {
                changes.push(printout::LineChange::Product { ordered: before });
            }
            if let Some(before) = was("unit_price").and_then(|p| p.parse::<Decimal>().ok())
                && Some(before) != line.unit_price
            {
                changes.push(printout::LineChange::Price { stated: before });
            }
            if let (Some(r), Some(d)) = (requested, delivery)
                && d > r
            {
                changes.push(printout::LineChange::DeliveryDate { requested: r });
            }
            printout::ConfirmedLine {
                line_no: line.line_no,
                sku,
                customer_part_no: line.customer_part_no.clone(),
                description: product
                    .map(|p| p.name.clone())
                    .or_else(|| line.description.clone())
                    .unwrap_or_default(),
                quantity,
                unit: line
                    .uom
                    .clone()
                    .or_else(|| product.map(|p| p.base_unit.to_string()))
                    .unwrap_or_default(),
                unit_price: line.effective_price().unwrap_or_default(),
                delivery_date: delivery,
                changes,
            }
        })
        .collect();
    printout::Confirmation {
        purpose: printout::Purpose::Confirmation,
        language: f.language,
        number: f.number.clone(),
        date: f.today,
        revision: f.revision,
        customer_no: f.order.customer_no.clone(),
        customer_po: f.order.po_number.clone(),
        po_date: draft.order_date,
        requested_delivery: draft.requested_delivery_date,
        contact: None,
        bill_to,
        ship_to,
        currency: f
            .order
            .currency
            .map(|c| c.to_string())
            .or_else(|| draft.currency.map(|c| c.to_string()))
            .unwrap_or_default(),
        lines,
        payment_terms: draft
            .payment_terms
            .clone()
            .or_else(|| f.customer.and_then(|c| c.payment_terms.clone())),
        incoterms: draft.incoterms.clone(),
        signature: f.signature.clone(),
    }
}

/// The mail's subject and text for a confirmation document.
pub fn mail_text(doc: &printout::Confirmation, settings: &ConfirmationSettings) -> (String, String) {
    let german = doc.language == printout::Language::German;
    let po = doc.customer_po.as_deref().unwrap_or("");
    let subject = match (german, po.is_empty()) {
        (true, false) => format!("{} zu Ihrer Bestellung {po}", doc.title()),
        (false, false) => format!("{} for your order {po}", doc.title()),
        _ => doc.title(),
    };
    let changed = doc.lines.iter().any(|l| !l.changes.is_empty());
    let changes = match (changed, german) {
        (false, _) => String::new(),
        (true, true) => "\nBitte beachten Sie: Einzelne Positionen weichen von Ihrer Bestellung ab; sie sind in der Bestätigung mit * markiert.\n".to_owned(),
        (true, false) => "\nPlease note: some lines differ from your order; they are marked with * in the confirmation.\n".to_owned(),
    };
    let template = match (german, if german { &settings.text_de } else { &settings.text_en }) {
        (true, t) if t.trim().is_empty() => DEFAULT_TEXT_DE,
        (false, t) if t.trim().is_empty() => DEFAULT_TEXT_EN,
        (_, t) => t.as_str(),
    };
    let body = crate::outbound::fill(
        template,
        &[
            ("{order}", doc.number.as_str()),
            ("{po}", po),
            ("{changes}", changes.as_str()),
            ("{signature}", doc.signature.as_str()),
        ],
    );
    (subject, body)
}

/// Why a confirmation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmationError {
    #[error("order {0} of confirmation mail {1} does not exist")]
    NoOrder(i64, i64),
    #[error("the confirmed order {0} cannot be read: {1}")]
    Unreadable(i64, String),
    #[error("the confirmation of order {0} cannot be printed: {1}")]
    Print(i64, printout::PrintError),
    #[error("the confirmation PDF could not be stored: {0}")]
    Blob(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// What the worker needs to make confirmations.
#[derive(Debug, Clone, Default)]
pub struct Letter {
    pub company: CompanySettings,
    pub confirmations: ConfirmationSettings,
    pub time_zone: Option<jiff::tz::TimeZone>,
}

/// Makes a claimed confirmation mail's text and PDF, stores the PDF and
/// returns the mail as it now goes out.
pub async fn prepare(
    store: &Store,
    mail: &StoredMail,
    letter: &Letter,
    smtp: &SmtpConfig,
) -> Result<StoredMail, ConfirmationError> {
    let order_id = mail.mail.order_id.ok_or(ConfirmationError::NoOrder(0, mail.id))?;
    let order = store
        .order(order_id)
        .await?
        .ok_or(ConfirmationError::NoOrder(order_id, mail.id))?;
    let draft = Draft::from_json(&order.content).map_err(|e| ConfirmationError::Unreadable(order_id, e.to_string()))?;
    let customer = match &order.customer_no {
        Some(no) => store.customer(no).await?,
        None => None,
    };
    let mut products = HashMap::new();
    let mut stock = HashMap::new();
    for sku in draft.lines.iter().filter_map(|l| l.sku.clone()) {
        if products.contains_key(&sku) {
            continue;
        }
        if let Some(p) = store.product(&sku).await? {
            products.insert(sku.clone(), p);
        }
        let levels = store.stock_of(&sku).await?;
        if !levels.is_empty() {
            stock.insert(sku, levels);
        }
    }
    let corrections = store.events_for("draft", &order.draft_id.to_string()).await?;
    let earlier = store
        .mails_of_order(order_id)
        .await?
        .iter()
        .filter(|m| m.mail.kind == mail.mail.kind && m.id < mail.id)
        .count();
    let zone = letter.time_zone.clone().unwrap_or(jiff::tz::TimeZone::UTC);
    let now = jiff::Timestamp::now().to_zoned(zone);
    let signature = if letter.confirmations.signature.trim().is_empty() {
        crate::outbound::sender_name(smtp)
    } else {
        letter.confirmations.signature.trim().to_owned()
    };
    let doc = document(&Facts {
        order: &order,
        draft: &draft,
        customer: customer.as_ref(),
        products: &products,
        stock: &stock,
        corrections: &corrections,
        revision: earlier as u32 + 1,
        today: now.date(),
        language: printout::Language::from_code(&mail.mail.language),
        number: format!("{}{order_id}", letter.confirmations.number_prefix),
        signature,
        home_country: if letter.company.country.trim().is_empty() {
            "DE".into()
        } else {
            letter.company.country.clone()
        },
    });
    let (subject, body, file, name, content_type) = match mail.mail.kind {
        MailKind::OrderResponse => {
            let stored_draft = store.draft(order.draft_id).await?;
            let message = store.message(order.message_id).await?;
            let documents: Vec<document::Document> = message
                .and_then(|m| m.documents_json)
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default();
            let part = stored_draft.map(|d| d.part).unwrap_or_default();
            let source = crate::order_response::source_of(&documents, &part).ok_or_else(|| {
                ConfirmationError::Unreadable(order_id, "the order came in no EDI or UBL standard".into())
            })?;
            let response = order_response(&doc, &draft, customer.as_ref(), letter, mail.id, now.time());
            let file = response.write(source.format, &source);
            let mut name = source.format.file_name(&doc.number);
            if doc.revision > 1 {
                name = name.replacen('.', &format!("_v{}.", doc.revision), 1);
            }
            let (subject, body) = response_text(&doc, source.format);
            (subject, body, file, name, source.format.content_type())
        }
        _ => {
            let logo = logo_of(store, &letter.company).await;
            let head = letter.company.letterhead(logo);
            let rendered = {
                let doc = doc.clone();
                tokio::task::spawn_blocking(move || printout::render_confirmation(&doc, &head)).await
            };
            let pdf = rendered
                .map_err(|e| ConfirmationError::Blob(format!("printing stopped: {e}")))?
                .map_err(|e| ConfirmationError::Print(order_id, e))?;
            let (subject, body) = mail_text(&doc, &letter.confirmations);
            (subject, body, pdf, format!("{}.pdf", doc.title()), "application/pdf")
        }
    };
    let blobs = store.blobs().clone();
    let sha256 = tokio::task::spawn_blocking(move || blobs.put(&file))
        .await
        .map_err(|e| ConfirmationError::Blob(e.to_string()))?
        .map_err(|e| ConfirmationError::Blob(e.to_string()))?;
    let attachment = MailAttachment {
        name,
        content_type: content_type.into(),
        sha256,
    };
    store.prepare_mail(mail.id, &subject, &body, &attachment).await?;
    let mut prepared = mail.clone();
    prepared.mail.subject = subject;
    prepared.mail.body = body;
    prepared.mail.attachment = Some(attachment);
    Ok(prepared)
}

/// The order response saying what the confirmation document says, line by line.
pub fn order_response(
    doc: &printout::Confirmation,
    draft: &Draft,
    customer: Option<&Customer>,
    letter: &Letter,
    control: i64,
    time: jiff::civil::Time,
) -> crate::order_response::OrderResponse {
    use crate::order_response::{LineStatus, OrderResponse, ResponseLine};
    let lines = doc
        .lines
        .iter()
        .zip(&draft.lines)
        .map(|(confirmed, drafted)| {
            let ordered = confirmed
                .changes
                .iter()
                .find_map(|c| match c {
                    printout::LineChange::Quantity { ordered, .. } => Some(*ordered),
                    _ => None,
                })
                .unwrap_or(confirmed.quantity);
            let status = if confirmed.quantity.is_zero() {
                LineStatus::Rejected
            } else if confirmed.changes.is_empty() {
                LineStatus::Accepted
            } else {
                LineStatus::Changed
            };
            ResponseLine {
                line_no: confirmed.line_no,
                their_line_no: drafted.customer_line_no.clone(),
                sku: confirmed.sku.clone(),
                gtin: drafted.gtin.clone(),
                customer_part_no: confirmed.customer_part_no.clone(),
                description: confirmed.description.clone(),
                ordered,
                confirmed: confirmed.quantity,
                unit: confirmed.unit.clone(),
                price: confirmed.unit_price,
                delivery: confirmed.delivery_date,
                status,
            }
        })
        .collect();
    OrderResponse {
        number: doc.number.clone(),
        date: doc.date,
        po: doc.customer_po.clone().unwrap_or_default(),
        po_date: doc.po_date,
        currency: doc.currency.clone(),
        buyer_name: customer.map(|c| c.name.clone()).unwrap_or_default(),
        seller_name: letter.company.name.clone(),
        lines,
        // The outbox row's id: unique per response, as interchange control numbers must be.
        control: u32::try_from(control.rem_euclid(100_000_000)).unwrap_or(0),
        time,
    }
}

/// Subject and text of the mail an order response travels in.
fn response_text(doc: &printout::Confirmation, format: crate::order_response::ResponseFormat) -> (String, String) {
    use crate::order_response::ResponseFormat;
    let standard = match format {
        ResponseFormat::Edifact => "EDIFACT ORDRSP",
        ResponseFormat::X12 => "X12 855",
        ResponseFormat::Ubl => "UBL OrderResponse",
    };
    let po = doc.customer_po.as_deref().unwrap_or("");
    match doc.language {
        printout::Language::German => (
            format!("{standard} {} zu Ihrer Bestellung {po}", doc.number),
            format!(
                "Guten Tag,\n\nanbei unsere Auftragsbestätigung {} zu Ihrer Bestellung {po} als {standard}.\n\n{}\n",
                doc.number, doc.signature
            ),
        ),
        printout::Language::English => (
            format!("{standard} {} for your order {po}", doc.number),
            format!(
                "Hello,\n\nplease find our order response {} to your order {po} attached as {standard}.\n\n{}\n",
                doc.number, doc.signature
            ),
        ),
    }
}

/// The logo's bytes: the uploaded one, else the file; none when neither reads.
pub(crate) async fn logo_of(store: &Store, company: &CompanySettings) -> Option<Vec<u8>> {
    if let Some(sha) = company.logo_sha256.clone() {
        let blobs = store.blobs().clone();
        if let Ok(Ok(bytes)) = tokio::task::spawn_blocking(move || blobs.get(&sha)).await {
            return Some(bytes);
        }
    }
    let path = company.logo_file.as_ref()?;
    match tokio::fs::read(path).await {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, "the logo cannot be read; confirmations go without it");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_promised_date_is_the_requested_one_unless_stock_and_lead_time_say_later() {
        let today = jiff::civil::date(2026, 11, 30);
        let asked = Some(jiff::civil::date(2026, 12, 2));
        assert_eq!(confirmed_delivery(asked, today, Some(10), true), asked);
        assert_eq!(
            confirmed_delivery(asked, today, Some(10), false),
            Some(jiff::civil::date(2026, 12, 10))
        );
        assert_eq!(
            confirmed_delivery(Some(jiff::civil::date(2027, 1, 15)), today, Some(10), false),
            Some(jiff::civil::date(2027, 1, 15))
        );
        assert_eq!(confirmed_delivery(None, today, None, false), None);
        assert_eq!(
            confirmed_delivery(None, today, Some(3), false),
            Some(jiff::civil::date(2026, 12, 3))
        );
    }

    #[test]
    fn what_was_ordered_is_the_value_before_the_first_correction() {
        let corrected = |field: &str, before: &str, after: &str| Event {
            occurred_at: jiff::Timestamp::UNIX_EPOCH,
            actor: domain::event::Actor::User("anna".into()),
            entity_type: "draft".into(),
            entity_id: "1".into(),
            action: "corrected".into(),
            changes: vec![domain::event::FieldChange {
                field: field.into(),
                before: Some(before.into()),
                after: Some(after.into()),
            }],
        };
        let events = vec![
            corrected("lines[2].quantity", "480", "500"),
            corrected("lines[2].quantity", "500", "400"),
            corrected("customer_no", "1", "2"),
        ];
        let ordered = ordered_values(&events);
        assert_eq!(ordered.get(&(2, "quantity".into())), Some(&Some("480".into())));
        assert_eq!(ordered.len(), 1);
    }
}

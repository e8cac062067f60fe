//! Status inquiries: "Wo bleibt unsere Bestellung 4500012345?", "status of
//! PO 88213". The inquiry is matched to the customer's order by its PO
//! number; when exactly one order of that customer carries it, the answer
//! (where the order stands, the delivery dates we confirmed, what is still
//! open) goes out at once and the inquiry is done. Otherwise it waits for a
//! person with the order linked and the answer drafted, to edit and send.

use domain::order::{ErpSaleStatus, OrderStatus};
use jiff::civil::Date;
use store::Store;
use store::orders::StoredOrder;
use store::outbound::{MailKind, NewMail};

use crate::draft::Draft;
use crate::outbound::{Outbox, Thread};

/// How an inquiry's PO number finds orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found<'a> {
    One(&'a StoredOrder),
    None,
    /// More than one order carries the number: a person picks.
    Several(usize),
}

/// A PO number as compared: letters and digits only, upper case.
fn normalized(po: &str) -> String {
    po.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The customer's orders that carry `po`.
pub fn find<'a>(orders: &'a [StoredOrder], po: &str) -> Found<'a> {
    let wanted = normalized(po);
    if wanted.is_empty() {
        return Found::None;
    }
    let hits: Vec<&StoredOrder> = orders
        .iter()
        .filter(|o| o.po_number.as_deref().is_some_and(|p| normalized(p) == wanted))
        .collect();
    match hits.as_slice() {
        [one] => Found::One(one),
        [] => Found::None,
        many => Found::Several(many.len()),
    }
}

/// Tokens of a message that could be an order number: letters, digits and
/// `-` `/` `.` with at least three digits (`4500012345`, `PO-88213`).
pub fn po_candidates(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '?' | '!' | ':' | '"' | '„' | '“'))
        .map(|t| t.trim_matches(|c: char| matches!(c, '.' | '-' | '/' | '#')))
        .filter(|t| t.chars().filter(char::is_ascii_digit).count() >= 3)
        .filter(|t| {
            t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.'))
        })
        .filter(|t| !looks_like_date(t))
        .collect()
}

/// `27.11.2026`, `2026-11-27`, `11/27/26`: three groups of digits.
fn looks_like_date(token: &str) -> bool {
    let groups: Vec<&str> = token.split(['.', '/', '-']).collect();
    groups.len() == 3
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.len() <= 4 && g.chars().all(|c| c.is_ascii_digit()))
}

/// The customer's orders whose PO number the text names anywhere: wording
/// does not matter, only that the number is one of theirs.
pub fn find_in_text<'a>(orders: &'a [StoredOrder], text: &str) -> Found<'a> {
    let mut hits: Vec<&StoredOrder> = Vec::new();
    for token in po_candidates(text) {
        if let Found::One(o) = find(orders, token)
            && !hits.iter().any(|h| h.id == o.id)
        {
            hits.push(o);
        }
    }
    match hits.as_slice() {
        [one] => Found::One(one),
        [] => Found::None,
        many => Found::Several(many.len()),
    }
}

/// The number the text most likely asks about when none is ours: the first
/// candidate after an order word (`Bestellung`, `PO`, `order` …).
pub fn asked_po(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let is_label = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        [
            "bestellung",
            "bestellnr",
            "bestellnummer",
            "po",
            "order",
            "auftrag",
            "auftragsnr",
            "purchase",
        ]
        .iter()
        .any(|l| w == *l || (w.starts_with(l) && w.len() <= l.len() + 3))
    };
    words.iter().enumerate().find_map(|(i, w)| {
        if !is_label(w) {
            return None;
        }
        words[i + 1..words.len().min(i + 6)]
            .iter()
            .find_map(|next| po_candidates(next).first().map(|t| (*t).to_owned()))
    })
}

/// Where an order stands, in the customer's words.
fn standing(order: &StoredOrder, german: bool) -> &'static str {
    match (order.erp_status, order.status, german) {
        (_, OrderStatus::Cancelled, true) | (Some(ErpSaleStatus::Cancelled), _, true) => "ist storniert",
        (_, OrderStatus::Cancelled, false) | (Some(ErpSaleStatus::Cancelled), _, false) => "has been cancelled",
        (Some(ErpSaleStatus::Shipped | ErpSaleStatus::Done), _, true) | (_, OrderStatus::Fulfilled, true) => {
            "ist vollständig ausgeliefert"
        }
        (Some(ErpSaleStatus::Shipped | ErpSaleStatus::Done), _, false) | (_, OrderStatus::Fulfilled, false) => {
            "has been shipped in full"
        }
        (Some(ErpSaleStatus::Processing), _, true) => "wird gerade kommissioniert und versandt",
        (Some(ErpSaleStatus::Processing), _, false) => "is being picked and shipped",
        (_, _, true) => "ist bestätigt und in Bearbeitung",
        (_, _, false) => "is confirmed and being processed",
    }
}

fn date_text(d: Date, german: bool) -> String {
    if german {
        d.strftime("%d.%m.%Y").to_string()
    } else {
        d.strftime("%-d %b %Y").to_string()
    }
}

/// The answer to an inquiry about `order` (pure): its standing, the
/// delivery dates confirmed per line, what is still open.
pub fn answer_text(order: &StoredOrder, content: &Draft, number: &str, german: bool, signature: &str) -> String {
    let po = order.po_number.as_deref().unwrap_or("");
    let mut out = String::new();
    out.push_str(if german { "Guten Tag,\n\n" } else { "Hello,\n\n" });
    out.push_str(&if german {
        format!(
            "vielen Dank für Ihre Nachfrage. Ihre Bestellung {po} (unser Auftrag {number}) {}.\n",
            standing(order, true)
        )
    } else {
        format!(
            "thank you for asking. Your order {po} (our order {number}) {}.\n",
            standing(order, false)
        )
    });
    let finished = order.status.is_final()
        || matches!(
            order.erp_status,
            Some(ErpSaleStatus::Shipped | ErpSaleStatus::Done | ErpSaleStatus::Cancelled)
        );
    if !finished && !content.lines.is_empty() {
        out.push_str(if german { "\nOffen sind:\n" } else { "\nStill open:\n" });
        for line in &content.lines {
            let what = line.label();
            let qty = line.quantity.map(|q| q.normalize().to_string()).unwrap_or_default();
            let unit = line
                .uom
                .as_deref()
                .map(|u| {
                    printout::unit_name(
                        u,
                        if german {
                            printout::Language::German
                        } else {
                            printout::Language::English
                        },
                    )
                })
                .unwrap_or_default();
            let when = line
                .delivery_date
                .or(content.requested_delivery_date)
                .map(|d| {
                    if german {
                        format!(", Liefertermin {}", date_text(d, true))
                    } else {
                        format!(", delivery {}", date_text(d, false))
                    }
                })
                .unwrap_or_default();
            out.push_str(&format!("- {} {qty} {unit} {what}{when}\n", line.line_no));
        }
    }
    out.push_str(if german {
        "\nBei weiteren Fragen antworten Sie einfach auf diese Mail.\n\nMit freundlichen Grüßen\n"
    } else {
        "\nIf you have any further questions, simply reply to this mail.\n\nKind regards\n"
    });
    out.push_str(signature);
    out.push('\n');
    out
}

/// What to say when no single order carries the number (for a person to edit).
pub fn not_found_text(po: Option<&str>, several: bool, german: bool, signature: &str) -> String {
    let po = po.unwrap_or("");
    match (german, several) {
        (true, false) => format!(
            "Guten Tag,\n\nvielen Dank für Ihre Nachfrage. Zu Ihrer Bestellung {po} finden wir keinen Auftrag. Können Sie uns das Bestelldatum oder eine Kopie der Bestellung senden?\n\nMit freundlichen Grüßen\n{signature}\n"
        ),
        (true, true) => format!(
            "Guten Tag,\n\nvielen Dank für Ihre Nachfrage. Unter der Nummer {po} finden wir mehrere Aufträge. Welchen meinen Sie?\n\nMit freundlichen Grüßen\n{signature}\n"
        ),
        (false, false) => format!(
            "Hello,\n\nthank you for asking. We cannot find an order {po}. Could you send us its date or a copy of the order?\n\nKind regards\n{signature}\n"
        ),
        (false, true) => format!(
            "Hello,\n\nthank you for asking. Several orders carry the number {po}. Which one do you mean?\n\nKind regards\n{signature}\n"
        ),
    }
}

/// What the pipeline does with a status inquiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handling {
    /// Answered at once: the mail, the note the done draft keeps, the order.
    Answered {
        mail: Box<NewMail>,
        note: String,
        order_id: i64,
        po_number: Option<String>,
    },
    /// For a person: the answer drafted and the order found, if one was.
    Drafted {
        reply: String,
        order_id: Option<i64>,
        po_number: Option<String>,
    },
}

/// Decides and drafts the answer to a status inquiry whose words are
/// `text` (subject and body); `None` when there is nobody to answer.
pub async fn handle(
    store: &Store,
    configured: &Outbox,
    message_id: i64,
    draft: &Draft,
    thread: &Thread,
    text: &str,
) -> Result<Option<Handling>, store::StoreError> {
    let outbox = crate::settings::outbox(store, configured).await?;
    let rules = &outbox.letter.confirmations;
    let signature = if rules.signature.trim().is_empty() {
        crate::outbound::sender_name(&outbox.smtp)
    } else {
        rules.signature.trim().to_owned()
    };
    let customer_no = draft.customer.as_ref().map(|c| c.customer_no.clone());
    let customer = match &customer_no {
        Some(no) => store.customer(no).await?,
        None => None,
    };
    let Some(to) = thread.reply_to.clone().filter(|_| thread.automatic.is_none()) else {
        return Ok(None);
    };
    let german = crate::outbound::language_for(customer.as_ref().and_then(|c| c.language.as_deref()), &to) == "de";
    let orders = match &customer_no {
        Some(no) => store.orders(Some(no), None, 10_000).await?,
        None => Vec::new(),
    };
    let found = match draft.po_number.as_deref().map(|po| find(&orders, po)) {
        Some(Found::One(o)) => Found::One(o),
        _ => find_in_text(&orders, text),
    };
    let Found::One(order) = found else {
        let several = matches!(found, Found::Several(_));
        let po = draft.po_number.clone().or_else(|| asked_po(text));
        return Ok(Some(Handling::Drafted {
            reply: not_found_text(po.as_deref(), several, german, &signature),
            order_id: None,
            po_number: po,
        }));
    };
    let po = order.po_number.as_deref();
    let content = Draft::from_json(&order.content).unwrap_or_else(|_| Draft::new(draft.kind));
    let number = format!("{}{}", rules.number_prefix, order.id);
    let reply = answer_text(order, &content, &number, german, &signature);
    if outbox.smtp.host.trim().is_empty() || customer.is_none() {
        return Ok(Some(Handling::Drafted {
            reply,
            order_id: Some(order.id),
            po_number: po.map(str::to_owned),
        }));
    }
    let mail = answer_mail(
        &outbox,
        message_id,
        Some(order.id),
        thread,
        to,
        german,
        po.unwrap_or(""),
        reply,
    );
    Ok(Some(Handling::Answered {
        mail: Box::new(mail),
        note: format!("answered automatically: order {number} {}", order.status.as_str()),
        order_id: order.id,
        po_number: po.map(str::to_owned),
    }))
}

/// The answer as a mail in the customer's thread.
#[allow(clippy::too_many_arguments)]
pub fn answer_mail(
    outbox: &Outbox,
    message_id: i64,
    order_id: Option<i64>,
    thread: &Thread,
    to: String,
    german: bool,
    po: &str,
    body: String,
) -> NewMail {
    let mut references = thread.references.clone();
    if let Some(id) = &thread.message_id
        && !references.contains(id)
    {
        references.push(id.clone());
    }
    NewMail {
        kind: MailKind::StatusAnswer,
        message_id: Some(message_id),
        order_id,
        dedupe_key: format!("status_answer:{message_id}"),
        language: if german { "de" } else { "en" }.into(),
        to,
        subject: if german {
            format!("AW: Ihre Bestellung {po}")
        } else {
            format!("Re: your order {po}")
        },
        body,
        mail_message_id: format!(
            "<answer-{message_id}-{:016x}@{}>",
            fastrand::u64(..),
            crate::outbound::sender_domain(&outbox.smtp)
        ),
        in_reply_to: thread.message_id.clone(),
        references,
        attachment: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: i64, po: &str, status: OrderStatus, erp: Option<ErpSaleStatus>) -> StoredOrder {
        StoredOrder {
            id,
            draft_id: 1,
            message_id: 1,
            customer_no: Some("10042".into()),
            po_number: Some(po.into()),
            status,
            currency: None,
            total: None,
            line_count: 1,
            content: String::new(),
            version: 1,
            confirmed_by: "system:straight-through".into(),
            confirmed_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            erp_status: erp,
            erp_sale: None,
        }
    }

    #[test]
    fn a_po_number_finds_its_order_however_it_is_written() {
        let orders = vec![
            order(1, "4500012345", OrderStatus::Confirmed, None),
            order(2, "PO-88213", OrderStatus::SentToErp, None),
            order(3, "PO-88213", OrderStatus::SentToErp, None),
        ];
        assert!(matches!(find(&orders, " 4500-012345 "), Found::One(o) if o.id == 1));
        assert_eq!(find(&orders, "po 88213"), Found::Several(2));
        assert_eq!(find(&orders, "9999"), Found::None);
        assert_eq!(find(&orders, "--"), Found::None);
    }

    #[test]
    fn the_answer_says_where_the_order_stands_and_what_is_open() {
        let mut content = Draft::new(domain::message::MessageKind::Order);
        content.lines.push(crate::draft::DraftLine {
            line_no: 1,
            sku: Some("A-100".into()),
            customer_part_no: Some("77-1034".into()),
            description: None,
            quantity: Some(rust_decimal::Decimal::from(500)),
            uom: Some("C62".into()),
            unit_price: None,
            delivery_date: Some(jiff::civil::date(2026, 12, 4)),
            confidence: 1.0,
            alternatives: Vec::new(),
            customer_line_no: None,
            gtin: None,
            base_quantity: None,
            expected_price: None,
            matched_via: None,
            change_type: None,
            printed_code: None,
            source: None,
            free_text: false,
        });
        let o = order(7, "4500012345", OrderStatus::SentToErp, Some(ErpSaleStatus::Processing));
        let de = answer_text(&o, &content, "AB-7", true, "Ihr Auftragsteam");
        assert!(
            de.contains("Ihre Bestellung 4500012345 (unser Auftrag AB-7) wird gerade kommissioniert"),
            "{de}"
        );
        assert!(de.contains("- 1 500 Stk 77-1034, Liefertermin 04.12.2026"), "{de}");
        let shipped = order(7, "4500012345", OrderStatus::Fulfilled, Some(ErpSaleStatus::Shipped));
        let en = answer_text(&shipped, &content, "AB-7", false, "Sales");
        assert!(
            en.contains("has been shipped in full") && !en.contains("Still open"),
            "{en}"
        );
        assert!(not_found_text(Some("88213"), true, false, "S").contains("Several orders carry the number 88213"));
    }

    #[test]
    fn an_order_number_is_found_in_any_wording() {
        let orders = vec![
            order(1, "4500012345", OrderStatus::Confirmed, None),
            order(2, "PO-88213", OrderStatus::SentToErp, None),
        ];
        for text in [
            "Wo bleibt unsere Bestellung 4500012345?",
            "Re: 4500012345 - Liefertermin??",
            "Hi, any news on (4500012345)? Thanks, ref. 2026",
        ] {
            assert!(
                matches!(find_in_text(&orders, text), Found::One(o) if o.id == 1),
                "{text}"
            );
        }
        assert!(matches!(find_in_text(&orders, "status of PO-88213 please"), Found::One(o) if o.id == 2));
        assert_eq!(find_in_text(&orders, "4500012345 und PO-88213"), Found::Several(2));
        assert_eq!(find_in_text(&orders, "Telefon 0711 123456"), Found::None);
        assert_eq!(
            asked_po("wo bleibt unsere Bestellung Nr. 4599999999?").as_deref(),
            Some("4599999999")
        );
        assert_eq!(asked_po("status of PO #88214 please").as_deref(), Some("88214"));
        assert_eq!(asked_po("wir warten seit 14 Tagen"), None);
        assert_eq!(
            asked_po("unsere Bestellung vom 27.11.2026, Nr. 4512").as_deref(),
            Some("4512"),
            "a date is no order number"
        );
    }
}

/// Why a reply was not sent.
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    #[error("draft {0} does not exist")]
    NoDraft(i64),
    #[error("draft {0} is not waiting for a person")]
    NotInReview(i64),
    #[error("draft {0} changed meanwhile (you saw version {1}); reload it")]
    Conflict(i64, i64),
    #[error("the reply is empty")]
    Empty,
    #[error("no answer can go: {0}")]
    CannotSend(&'static str),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Sends a person's reply to a message waiting for review (a status
/// inquiry) in its thread, and marks it done, in one transaction.
pub async fn send_reply(
    store: &Store,
    configured: &Outbox,
    draft_id: i64,
    version: i64,
    text: &str,
    user: &str,
) -> Result<(), ReplyError> {
    let text = text.replace("\r\n", "\n");
    if text.trim().is_empty() {
        return Err(ReplyError::Empty);
    }
    let stored = store.draft(draft_id).await?.ok_or(ReplyError::NoDraft(draft_id))?;
    if stored.status != domain::review::DraftStatus::Review {
        return Err(ReplyError::NotInReview(draft_id));
    }
    if stored.version != version {
        return Err(ReplyError::Conflict(draft_id, version));
    }
    let outbox = crate::settings::outbox(store, configured).await?;
    if outbox.smtp.host.trim().is_empty() {
        return Err(ReplyError::CannotSend("no SMTP server is set"));
    }
    let message = store
        .message(stored.message_id)
        .await?
        .ok_or(ReplyError::NoDraft(draft_id))?;
    let blobs = store.blobs().clone();
    let sha = message.sha256.clone();
    let thread = match tokio::task::spawn_blocking(move || blobs.get(&sha)).await {
        Ok(Ok(bytes)) => crate::outbound::thread_of(&bytes),
        _ => Thread::default(),
    };
    let to = thread
        .reply_to
        .clone()
        .ok_or(ReplyError::CannotSend("the message names no sender"))?;
    let draft = Draft::from_json(&stored.extraction).unwrap_or_else(|_| Draft::new(stored.kind));
    let language = match &stored.customer_no {
        Some(no) => store.customer(no).await?.and_then(|c| c.language),
        None => None,
    };
    let german = crate::outbound::language_for(language.as_deref(), &to) == "de";
    let mail = answer_mail(
        &outbox,
        stored.message_id,
        draft.order_id,
        &thread,
        to.clone(),
        german,
        draft.po_number.as_deref().unwrap_or(""),
        text,
    );
    let note = format!("answered by {user}");
    let event = domain::event::Event {
        occurred_at: jiff::Timestamp::now(),
        actor: domain::event::Actor::User(user.to_owned()),
        entity_type: "draft".into(),
        entity_id: draft_id.to_string(),
        action: "answered".into(),
        changes: vec![
            domain::event::FieldChange {
                field: "status".into(),
                before: Some("review".into()),
                after: Some("done".into()),
            },
            domain::event::FieldChange {
                field: "to".into(),
                before: None,
                after: Some(to),
            },
        ],
    };
    if store.answer_draft(draft_id, version, &note, &mail, &event).await? {
        Ok(())
    } else {
        Err(ReplyError::Conflict(draft_id, version))
    }
}

//! The clerk's screens: inbox, message, review queue, review screen, orders.
//!
//! Every change goes through `app::review` / `app::learning` with the version
//! the page showed, then redirects back (post/redirect/get), so a reload never
//! repeats an action and a second reviewer gets a clear conflict message.

use crate::i18n::{Tr, mark};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use domain::access::Permission;
use domain::order::OrderStatus;
use domain::review::{DraftStatus, ReadField};
use serde::Deserialize;
use store::inbox::{InboxFilter, InboxStatus};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::pages::{ErrorPage, EventRow, UserView, render, render_status};

mod inbox;
mod message;
mod orders;
mod queue;
mod quotes;
mod review;

pub use inbox::*;
pub use message::*;
pub use orders::*;
pub use queue::*;
pub use quotes::*;
pub use review::*;

const PAGE_SIZE: i64 = 50;

/// A value as a form or page shows it; empty when there is none.
fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A failed action as a page with a status that says what kind of failure it was.
fn action_failed(me: &CurrentUser, error: &dyn std::fmt::Display, status: StatusCode) -> Response {
    if status.is_server_error() {
        tracing::error!(error = %error, "action failed");
    }
    render_status(
        status,
        ErrorPage {
            tr: me.tr.clone(),
            nav: "queue",
            user: Some(me.into()),
            title: me
                .tr
                .t(match status {
                    StatusCode::CONFLICT => "Changed by someone else",
                    StatusCode::FORBIDDEN => "Not allowed",
                    _ => "That did not work",
                })
                .into(),
            message: error.to_string(),
        },
    )
}

/// A refused review action as a page, said in the user's language.
fn review_failed(me: &CurrentUser, e: &app::review::ReviewError) -> Response {
    action_failed(me, &me.tr.review_error(e), review_status(e))
}

pub(crate) fn review_status(e: &app::review::ReviewError) -> StatusCode {
    use app::learning::LearningError as L;
    use app::review::ReviewError as R;
    match e {
        R::NoDraft(_) | R::NoOrder(_) | R::UnknownAction(_) | R::Learning(L::NoDraft(_)) => StatusCode::NOT_FOUND,
        R::Forbidden(_) => StatusCode::FORBIDDEN,
        R::Conflict { .. } | R::Learning(L::Conflict { .. }) | R::NotInReview { .. } | R::OrderClosed { .. } => {
            StatusCode::CONFLICT
        }
        R::Store(_) | R::Learning(L::Store(_) | L::Catalog(_) | L::Corrupt { .. }) | R::Corrupt { .. } => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Who work can be given to: the active users, (user name, full name).
async fn active_users(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.username, u.display_name))
        .collect())
}

// ---------------------------------------------------------------- shared by the pages

struct PartView {
    part: String,
    name: String,
    format: String,
    message_type: String,
    pages: i64,
    diagnostics: Vec<document::Diagnostic>,
    blocks: Vec<BlockView>,
    tables: Vec<Vec<Vec<String>>>,
    /// Each table's column names as a sheet names them: A, B, … Z, AA.
    columns: Vec<Vec<String>>,
    key_values: Vec<(String, String, String)>,
    /// What was left out of a very large part, and where to find all of it.
    note: String,
    /// For a PDF: where its pages are drawn (add `&page=N`), and which pages are shown.
    page_url: String,
    /// For a mail written in HTML: where it is shown as it looks.
    html_url: String,
    page_numbers: Vec<i64>,
}

/// The pages of a PDF shown as images at most (the rest through the original).
const PAGES_SHOWN: i64 = 20;

/// Text lines, table rows, labelled values and draft lines a page shows at most;
/// the rest is in the original (raw download) and the API.
const SHOWN_AT_MOST: usize = 500;

struct BlockView {
    page: i64,
    start: i64,
    end: i64,
    text: String,
    /// Where it stands on its page: `x y width height` in points from the top left; empty when unknown.
    bbox: String,
}

/// The parts of a message as a page shows them; a PDF's pages as images of message `message_id`.
fn parts_of(documents_json: Option<&str>, message_id: Option<i64>) -> Vec<PartView> {
    let mut parts = all_parts_of(documents_json);
    for p in &mut parts {
        if let Some(id) = message_id.filter(|_| p.format == "pdf" && p.pages > 0) {
            p.page_url = format!("/messages/{id}/page?part={}", p.part);
            p.page_numbers = (1..=p.pages.min(PAGES_SHOWN)).collect();
        }
        if let Some(id) = message_id.filter(|_| p.format == "email_html") {
            p.html_url = format!("/messages/{id}/html?part={}", p.part);
        }
        let blocks = p.blocks.len();
        let rows: usize = p.tables.iter().map(Vec::len).sum();
        let values = p.key_values.len();
        let mut cut = Vec::new();
        if blocks > SHOWN_AT_MOST {
            p.blocks.truncate(SHOWN_AT_MOST);
            cut.push(format!("{SHOWN_AT_MOST} of {blocks} text lines"));
        }
        if rows > SHOWN_AT_MOST {
            let mut left = SHOWN_AT_MOST;
            for t in &mut p.tables {
                t.truncate(left);
                left -= t.len();
            }
            p.tables.retain(|t| !t.is_empty());
            cut.push(format!("{SHOWN_AT_MOST} of {rows} table rows"));
        }
        if values > SHOWN_AT_MOST {
            p.key_values.truncate(SHOWN_AT_MOST);
            cut.push(format!("{SHOWN_AT_MOST} of {values} labelled values"));
        }
        p.columns = p
            .tables
            .iter()
            .map(|t| {
                let width = t.iter().map(Vec::len).max().unwrap_or(0);
                (1..=width).map(column_name).collect()
            })
            .collect();
        if !cut.is_empty() {
            p.note = format!(
                "This part is large: shown are the first {}. Download the original for all of it.",
                cut.join(", ")
            );
        }
    }
    parts
}

/// A sheet's name of column `n` (1-based): A … Z, AA, AB …
fn column_name(n: usize) -> String {
    let mut n = n;
    let mut name = Vec::new();
    while n > 0 {
        n -= 1;
        name.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

fn all_parts_of(documents_json: Option<&str>) -> Vec<PartView> {
    let docs: Vec<document::Document> = documents_json
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    docs.into_iter()
        .map(|d| PartView {
            format: d.format.as_str().to_owned(),
            message_type: d.message_type.unwrap_or_default(),
            pages: i64::from(d.pages),
            diagnostics: d.diagnostics,
            blocks: d
                .text_blocks
                .into_iter()
                .map(|b| {
                    let start = b.char_start as i64;
                    BlockView {
                        page: i64::from(b.page),
                        start,
                        end: start + b.text.chars().count() as i64,
                        text: b.text,
                        bbox: b
                            .bbox
                            .map(|r| format!("{:.1} {:.1} {:.1} {:.1}", r.x, r.y, r.width, r.height))
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            tables: d
                .tables
                .into_iter()
                .map(|t| {
                    t.rows
                        .into_iter()
                        .map(|r| r.cells.into_iter().map(|c| c.text).collect())
                        .collect()
                })
                .collect(),
            key_values: d
                .key_values
                .into_iter()
                .map(|kv| (kv.key, kv.value, kv.source.unwrap_or_default()))
                .collect(),
            columns: Vec::new(),
            part: d.part,
            name: d.name.unwrap_or_default(),
            note: String::new(),
            page_url: String::new(),
            html_url: String::new(),
            page_numbers: Vec::new(),
        })
        .collect()
}

struct LineView {
    line_no: u32,
    customer_part_no: String,
    description: String,
    sku: String,
    product_name: String,
    quantity: String,
    uom: String,
    unit_price: String,
    expected_price: String,
    total: String,
    delivery_date: String,
    confidence: String,
    low: bool,
    alternatives: Vec<(String, String, String)>,
    part: String,
    page: u32,
    start: i64,
    /// A line in a person's own words with its own price (no product).
    free_text: bool,
    /// Where in a table it was read (`table 1 row 7`); empty for text.
    origin: String,
}

impl LineView {
    /// A draft line as the pages show it: its values, none of the review's extras.
    fn of(l: &app::draft::DraftLine, tr: &crate::i18n::Tr) -> LineView {
        LineView {
            line_no: l.line_no,
            customer_part_no: l
                .customer_part_no
                .clone()
                .or_else(|| l.printed_code.clone())
                .unwrap_or_default(),
            description: opt(&l.description),
            product_name: String::new(),
            sku: opt(&l.sku),
            quantity: l.quantity.map(|q| tr.input(q)).unwrap_or_default(),
            uom: opt(&l.uom),
            unit_price: l.unit_price.map(|p| tr.input(p)).unwrap_or_default(),
            expected_price: l.expected_price.map(|p| tr.price(p)).unwrap_or_default(),
            total: l.total().map(|t| tr.amount(t)).unwrap_or_default(),
            delivery_date: l.delivery_date.map(|d| tr.date(d)).unwrap_or_default(),
            confidence: String::new(),
            low: false,
            alternatives: Vec::new(),
            part: String::new(),
            page: 0,
            start: -1,
            free_text: l.free_text,
            origin: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_a_sheet_names_them() {
        assert_eq!(column_name(1), "A");
        assert_eq!(column_name(26), "Z");
        assert_eq!(column_name(27), "AA");
        assert_eq!(column_name(703), "AAA");
    }

    #[test]
    fn documents_become_parts_with_blocks_and_tables() {
        let json = r#"[{"part":"2","name":"po.pdf","format":"pdf","message_type":null,"pages":2,
            "text_blocks":[{"page":1,"text":"PO 4711","char_start":10}],
            "tables":[{"page":1,"name":null,"header_rows":1,"rows":[{"cells":[{"text":"Qty"},{"text":"SKU"}]}]}],
            "key_values":[{"key":"po_number","value":"4711","source":"BEG03"}],
            "diagnostics":[{"severity":"warning","code":"pdf_no_text","message":"no text"}]}]"#;
        let parts = parts_of(Some(json), None);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].blocks[0].start, 10);
        assert_eq!(parts[0].blocks[0].end, 17);
        assert_eq!(parts[0].tables[0][0], vec!["Qty", "SKU"]);
        assert_eq!(parts[0].diagnostics[0].code, "pdf_no_text");
        assert!(parts_of(Some("not json"), None).is_empty());
    }
}

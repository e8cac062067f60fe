//! What lists of drafts show, stored beside the draft so that the review
//! queue never reads every draft's whole content.

use domain::exception::Severity;
use serde::{Deserialize, Serialize};

use super::model::Draft;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftSummary {
    /// `10001 Muster GmbH`, or `None` when the customer is not known.
    pub customer: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    /// Open exceptions (not info) and review reasons.
    pub reasons: Vec<String>,
    pub lines: usize,
    /// The lines' value with its currency (`1234.50 EUR`), when every line has a price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl DraftSummary {
    pub fn of(draft: &Draft) -> DraftSummary {
        let mut reasons: Vec<String> = draft
            .exceptions
            .iter()
            .filter(|e| e.is_open() && e.severity != Severity::Info)
            .map(|e| match e.line_no {
                Some(n) => format!("{} (line {n})", e.code.as_str()),
                None => e.code.as_str().to_owned(),
            })
            .collect();
        reasons.extend(draft.review_reasons.iter().map(ToString::to_string));
        reasons.dedup();
        let clip = |s: &Option<String>| s.as_ref().map(|s| s.chars().take(200).collect::<String>());
        DraftSummary {
            customer: draft.customer.as_ref().map(|c| {
                format!("{} {}", c.customer_no, c.name.clone().unwrap_or_default())
                    .trim()
                    .to_owned()
            }),
            sender: clip(&draft.sender),
            subject: clip(&draft.subject),
            reasons: reasons.into_iter().take(20).collect(),
            lines: draft.lines.len(),
            value: draft.total().map(|t| {
                let currency = draft.currency.map(|c| c.to_string()).unwrap_or_default();
                format!("{} {currency}", t.round_dp(2)).trim().to_owned()
            }),
        }
    }

    /// The stored form (JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a summary serialises")
    }
}

/// The stored summary of a draft (JSON).
pub fn summary(draft: &Draft) -> String {
    DraftSummary::of(draft).to_json()
}

//! Whether the sender of a mail may send orders straight through (setting `stp_sender`).

use document::Document;
use domain::customer::Customer;
use domain::review::ReviewReason;

use crate::config::{ExtractionSettings, SenderTrust};

/// Why a mail's sender is not trusted enough for straight-through, under the setting `stp_sender`.
pub(crate) fn sender_distrust(
    documents: &[Document],
    sender: Option<&str>,
    customer: &Customer,
    settings: &ExtractionSettings,
) -> Option<ReviewReason> {
    let sender = sender?.trim().to_lowercase();
    if settings.stp_sender == SenderTrust::Any {
        return None;
    }
    let domain = sender.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
    let known = customer.emails.iter().any(|e| e.trim().eq_ignore_ascii_case(&sender))
        || customer
            .email_domains
            .iter()
            .any(|d| d.trim().trim_start_matches('@').eq_ignore_ascii_case(&domain));
    if !known {
        return Some(ReviewReason::UnknownSender {
            sender,
            customer_no: customer.customer_no.as_str().to_owned(),
        });
    }
    if settings.stp_sender == SenderTrust::Authenticated {
        let results = documents
            .iter()
            .find_map(|d| d.value(document::keys::AUTHENTICATION_RESULTS));
        if !results.is_some_and(|r| authenticated(r, &domain)) {
            return Some(ReviewReason::SenderNotAuthenticated { domain });
        }
    }
    None
}

/// Whether an `Authentication-Results` header vouches for `domain`: DMARC pass
/// for it, or DKIM or SPF pass for it or a subdomain of it.
pub fn authenticated(results: &str, domain: &str) -> bool {
    let fits = |d: &str| {
        let d = d.trim_end_matches(';').trim_start_matches('@').to_lowercase();
        let d = d.rsplit_once('@').map_or(d.clone(), |(_, x)| x.to_owned());
        !domain.is_empty() && (d == domain || d.ends_with(&format!(".{domain}")))
    };
    results.split(';').any(|clause| {
        let words: Vec<&str> = clause.split_whitespace().collect();
        let verdict = |method: &str| words.iter().any(|w| w.eq_ignore_ascii_case(&format!("{method}=pass")));
        let property = |names: &[&str]| {
            words.iter().any(|w| {
                w.split_once('=')
                    .is_some_and(|(k, v)| names.iter().any(|n| k.eq_ignore_ascii_case(n)) && fits(v))
            })
        };
        (verdict("dmarc") && property(&["header.from"]))
            || (verdict("dkim") && property(&["header.d", "header.i"]))
            || (verdict("spf") && property(&["smtp.mailfrom", "smtp.helo"]))
    })
}

#[cfg(test)]
mod tests {
    use super::authenticated;

    #[test]
    fn authentication_results_vouch_only_for_their_domain() {
        let r = "mx.example.com; dkim=pass header.d=muster.example header.s=s1; spf=fail smtp.mailfrom=x@other.example";
        assert!(authenticated(r, "muster.example"));
        assert!(!authenticated(r, "other.example"));
        assert!(authenticated(
            "mx; dmarc=pass header.from=muster.example",
            "muster.example"
        ));
        assert!(authenticated(
            "mx; spf=pass smtp.mailfrom=a@mail.muster.example",
            "muster.example"
        ));
        assert!(!authenticated(
            "mx; dkim=fail header.d=muster.example",
            "muster.example"
        ));
        assert!(!authenticated(
            "mx; dkim=pass header.d=evilmuster.example",
            "muster.example"
        ));
        assert!(!authenticated("mx; dkim=pass header.d=muster.example", ""));
    }
}

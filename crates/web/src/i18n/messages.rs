//! What the readers noticed in a message, in the user's language. The
//! English is the reader's own message, with its specifics; German says
//! the same per code, and the page keeps the reader's words as the tooltip.

use app::intake::KindReason;
use document::Diagnostic;

use super::Tr;

impl Tr {
    /// A reader's note on a part of a message.
    pub fn diagnostic(&self, d: &Diagnostic) -> String {
        match self.german().then(|| german_diagnostic(&d.code)).flatten() {
            Some(words) => words.to_owned(),
            None => d.message.clone(),
        }
    }

    /// Why a message could not be read (its stored error, the readers'
    /// words): German says that it was not read completely, and the page
    /// shows the readers' words as the tooltip and each part's note in German.
    pub fn message_error<'a>(&self, error: &'a str) -> &'a str {
        if self.german() {
            "Nicht vollständig gelesen; die Nachricht ist aufbewahrt, wie sie kam"
        } else {
            error
        }
    }
}

impl Tr {
    /// Why a message is of its kind, from the words it keeps (`kind_reason`).
    pub fn kind_reason<'a>(&self, kept: &'a str) -> std::borrow::Cow<'a, str> {
        use app::intake::KindReason as K;
        let reason = match KindReason::read(kept) {
            Some(reason) if self.german() => reason,
            _ => return kept.into(),
        };
        let quoted = |words: &[String]| words.iter().map(|w| format!("„{w}“")).collect::<Vec<_>>().join(", ");
        match reason {
            K::Structured(what) => format!("strukturierte Nachricht {what}"),
            K::OtherStructured(types) => format!(
                "strukturierte Nachricht vom Typ {} (keine Bestellung, Änderung, Anfrage oder Statusanfrage)",
                types.join(", ")
            ),
            K::Invoice(words) => format!("eine Rechnung oder Gutschrift (Wortlaut: {})", quoted(&words)),
            K::Relation(words) => format!(
                "ein Schreiben zur Geschäftsbeziehung, keine Bestellung (Wortlaut: {})",
                quoted(&words)
            ),
            K::DeliveryQuestion => "eine Frage nach der Lieferung einer Bestellung, ohne Positionen".to_owned(),
            K::Wording(words) => format!("Wortlaut: {}", quoted(&words)),
            K::ItemTable => "eine Tabelle von Artikeln ohne weiteren Wortlaut".to_owned(),
            K::NoWording => {
                "kein Wortlaut einer Bestellung, Änderung, Stornierung, Anfrage oder Statusanfrage gefunden".to_owned()
            }
            K::NotRead => "nicht gelesen".to_owned(),
            K::SetBy(who) => format!("von {who} festgelegt"),
        }
        .into()
    }
}

/// The German of each [`document::model::DIAGNOSTIC_CODES`] entry.
fn german_diagnostic(code: &str) -> Option<&'static str> {
    Some(match code {
        "archive_too_large" => {
            "Die Arbeitsmappe ist entpackt zu groß und wurde nicht gelesen (eine Zip-Bombe?); die Datei ist aufbewahrt."
        }
        "attachment_empty" => "Der Anhang ist leer.",
        "attachment_without_data" => {
            "Der Anhang enthält keine Daten (ein Link oder ein OLE-Objekt) und wurde nicht gelesen."
        }
        "csv_encoding" => "Die Datei ist nicht in UTF-8; sie wurde in der erkannten Kodierung gelesen.",
        "csv_malformed" => "Das Lesen hielt an einem fehlerhaften Datensatz an; was davor stand, ist gelesen.",
        "document_truncated" => {
            "Das Dokument ist größer, als eine Bestellung sein kann; nur der Anfang wurde gelesen (die Datei ist vollständig aufbewahrt)."
        }
        "edi_envelope" => "Der EDI-Umschlag ist fehlerhaft (Kopf- oder Schlusssegment); gelesen wurde, was da war.",
        "edi_repeated_header" => "Die Nachricht wiederholt ihr Kopfsegment; das erste gilt.",
        "edi_unterminated" => "Der EDI-Nachricht fehlt das Schlusssegment; gelesen wurde, was da war.",
        "format_unknown" => "Ein Format, das Orderdesk nicht liest; unverändert aufbewahrt.",
        "mail_too_deep" => "Tiefer verschachtelte weitergeleitete Nachrichten werden nicht geöffnet.",
        "mail_unreadable" => "Die Mail hat keine lesbare MIME-Struktur.",
        "message_unreadable" => "Die Nachricht konnte nicht gelesen werden; sie ist aufbewahrt, wie sie kam.",
        "msg_no_body" => "Die Outlook-Nachricht hat keinen Text- oder HTML-Inhalt.",
        "msg_unreadable" => "Die Outlook-Nachricht kann nicht gelesen werden.",
        "nested_too_deep" => "Tiefer verschachtelte Teile werden nicht geöffnet.",
        "part_not_read" => "Dieser Teil wurde nicht gelesen.",
        "pdf_encrypted" => "Das PDF ist verschlüsselt; bitte beim Absender eine ungeschützte Kopie anfordern.",
        "pdf_no_text" => "Das PDF hat keine Textebene (ein Scan?); es braucht einen Menschen oder Texterkennung.",
        "pdf_not_read" => "Diese Ausführung liest keine PDFs; die Datei ist zur Prüfung aufbewahrt.",
        "pdf_too_deep" => {
            "Das PDF ist zu tief verschachtelt (eine beschädigte oder feindliche Datei) und wurde nicht gelesen."
        }
        "pdf_unreadable" => "Das PDF kann nicht gelesen werden.",
        "sheet_unreadable" => "Ein Tabellenblatt kann nicht gelesen werden; die anderen sind gelesen.",
        "spreadsheet_unreadable" => "Die Tabellendatei kann nicht gelesen werden.",
        "text_encoding" => "Der Text ist nicht in UTF-8; er wurde in der erkannten Kodierung gelesen.",
        "too_many_parts" => {
            "Die Datei enthält zu viele Teile; nur die ersten wurden gelesen (die Datei ist vollständig aufbewahrt)."
        }
        "xml_invalid" => "Die XML-Datei ist nicht wohlgeformt.",
        "xml_unknown" => {
            "Dieses XML ist kein Bestellformat, das Orderdesk liest (UBL Order, openTRANS ORDER); sein Text ist aufbewahrt."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_note_a_reader_gives_has_its_german() {
        for code in document::model::DIAGNOSTIC_CODES {
            assert!(
                german_diagnostic(code).is_some(),
                "no German for the reader's note {code}"
            );
        }
        let note = Diagnostic {
            severity: document::Severity::Error,
            code: "pdf_encrypted".into(),
            message: "the PDF is encrypted; ask the sender for an unprotected copy".into(),
        };
        let german = Tr::new(printout::Language::German, jiff::tz::TimeZone::UTC);
        assert!(german.diagnostic(&note).starts_with("Das PDF ist verschlüsselt"));
        assert_eq!(Tr::default().diagnostic(&note), note.message);
    }

    #[test]
    fn why_a_message_is_of_its_kind_is_said_in_german() {
        let german = Tr::new(printout::Language::German, jiff::tz::TimeZone::UTC);
        let kept = KindReason::Wording(vec!["bestellung".into(), "po number".into()]).to_string();
        assert_eq!(german.kind_reason(&kept), "Wortlaut: „bestellung“, „po number“");
        assert_eq!(Tr::default().kind_reason(&kept), kept);
        assert_eq!(german.kind_reason("set by anna"), "von anna festgelegt");
        assert_eq!(
            german.kind_reason("words of an older release"),
            "words of an older release"
        );
    }
}

//! Order responses for partners who order by EDI or UBL: an EDIFACT ORDRSP
//! (D.96A) to an ORDERS, an X12 855 (004010) to an 850, a Peppol BIS
//! OrderResponse to a UBL Order. Each line says accepted, changed or
//! rejected, with the quantity, date and price we confirm; the header says
//! whether anything changed. Pure writers: the worker sends the file by mail
//! or writes it to the partner's folder (`outbound`).

use document::{Document, Format};
use jiff::civil::Date;
use rust_decimal::Decimal;

/// The standard a partner ordered in, and so is answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    Edifact,
    X12,
    Ubl,
}

impl ResponseFormat {
    pub fn of(format: Format) -> Option<ResponseFormat> {
        match format {
            Format::Edifact => Some(ResponseFormat::Edifact),
            Format::X12 => Some(ResponseFormat::X12),
            Format::Ubl => Some(ResponseFormat::Ubl),
            _ => None,
        }
    }

    /// The file's name: `ORDRSP_AB-1042.edi`, `855_AB-1042.x12`, `OrderResponse_AB-1042.xml`.
    pub fn file_name(self, number: &str) -> String {
        let safe: String = number
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        match self {
            ResponseFormat::Edifact => format!("ORDRSP_{safe}.edi"),
            ResponseFormat::X12 => format!("855_{safe}.x12"),
            ResponseFormat::Ubl => format!("OrderResponse_{safe}.xml"),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ResponseFormat::Edifact => "application/EDIFACT",
            ResponseFormat::X12 => "application/EDI-X12",
            ResponseFormat::Ubl => "application/xml",
        }
    }
}

/// Where an order response goes: a mail address, or a partner's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    Mail(String),
    Folder(std::path::PathBuf),
}

impl Channel {
    const FOLDER: &'static str = "folder:";

    /// The channel an outbox row's recipient names (`folder:/srv/edi/out` or an address).
    pub fn of(to: &str) -> Channel {
        match to.strip_prefix(Self::FOLDER) {
            Some(path) => Channel::Folder(path.into()),
            None => Channel::Mail(to.to_owned()),
        }
    }

    /// How the outbox row stores it.
    pub fn to_text(&self) -> String {
        match self {
            Channel::Mail(to) => to.clone(),
            Channel::Folder(path) => format!("{}{}", Self::FOLDER, path.display()),
        }
    }
}

/// Writes `bytes` as `name` into `dir`: first beside it under a dot name,
/// then renamed, so a partner's system never picks up half a file. A file of
/// the same name (a resend) is replaced.
pub fn write_to_folder(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write;
    let target = dir.join(name);
    let partial = dir.join(format!(".{name}.partial"));
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, &target)?;
    Ok(target)
}

/// Where the order came from: its standard and the interchange's parties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub format: ResponseFormat,
    /// The partner's interchange id (the inbound's sender).
    pub partner: String,
    /// Ours (the inbound's receiver).
    pub us: String,
}

/// The EDI or UBL document of `part` among a message's documents, if it was one.
pub fn source_of(documents: &[Document], part: &str) -> Option<Source> {
    documents
        .iter()
        .filter(|d| part.is_empty() || d.part == part || d.part.starts_with(&format!("{part}.")))
        .find_map(|d| {
            let format = ResponseFormat::of(d.format)?;
            let value = |k: &str| d.value(k).unwrap_or("").trim().to_owned();
            let (partner, us) = match format {
                ResponseFormat::Ubl => (
                    value(&document::keys::party(document::keys::BUYER, "endpoint")),
                    value(&document::keys::party(document::keys::SUPPLIER, "endpoint")),
                ),
                _ => (value("interchange.sender"), value("interchange.receiver")),
            };
            Some(Source { format, partner, us })
        })
}

/// How a line is answered (UNCL 1229).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStatus {
    Accepted,
    Changed,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseLine {
    pub line_no: u32,
    /// The partner's own line number, when they gave one.
    pub their_line_no: Option<String>,
    pub sku: Option<String>,
    pub gtin: Option<String>,
    pub customer_part_no: Option<String>,
    pub description: String,
    pub ordered: Decimal,
    pub confirmed: Decimal,
    /// UN/ECE Rec. 20.
    pub unit: String,
    pub price: Decimal,
    pub delivery: Option<Date>,
    pub status: LineStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderResponse {
    pub number: String,
    pub date: Date,
    pub po: String,
    pub po_date: Option<Date>,
    pub currency: String,
    pub buyer_name: String,
    pub seller_name: String,
    pub lines: Vec<ResponseLine>,
    /// Interchange control number (unique per response).
    pub control: u32,
    pub time: jiff::civil::Time,
}

impl OrderResponse {
    pub fn changed(&self) -> bool {
        self.lines.iter().any(|l| l.status != LineStatus::Accepted)
    }

    /// The response in the partner's standard.
    pub fn write(&self, format: ResponseFormat, source: &Source) -> Vec<u8> {
        match format {
            ResponseFormat::Edifact => edifact(self, source),
            ResponseFormat::X12 => x12(self, source).into_bytes(),
            ResponseFormat::Ubl => ubl(self).into_bytes(),
        }
    }
}

fn status_code(s: LineStatus) -> &'static str {
    match s {
        LineStatus::Accepted => "5",
        LineStatus::Changed => "3",
        LineStatus::Rejected => "7",
    }
}

/// A decimal as EDI writes it: point, no grouping, no trailing zeros.
fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

fn edifact_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '?' | '\'' | '+' | ':') {
            out.push('?');
        }
        out.push(c);
    }
    out
}

/// EDIFACT ORDRSP D.96A in syntax UNOC (ISO 8859-1).
fn edifact(r: &OrderResponse, source: &Source) -> Vec<u8> {
    let e = edifact_escape;
    let ymd = |d: Date| d.strftime("%Y%m%d").to_string();
    let mut segments: Vec<String> = vec![
        "UNH+1+ORDRSP:D:96A:UN:EAN005".to_owned(),
        format!("BGM+231+{}+{}", e(&r.number), if r.changed() { "4" } else { "29" }),
        format!("DTM+137:{}:102", ymd(r.date)),
        format!("RFF+ON:{}", e(&r.po)),
    ];
    if let Some(d) = r.po_date {
        segments.push(format!("DTM+171:{}:102", ymd(d)));
    }
    segments.push(format!("NAD+BY+{}::9++{}", e(&source.partner), e(&r.buyer_name)));
    segments.push(format!("NAD+SU+{}::9++{}", e(&source.us), e(&r.seller_name)));
    if !r.currency.is_empty() {
        segments.push(format!("CUX+2:{}:9", e(&r.currency)));
    }
    for l in &r.lines {
        let id = match (&l.gtin, &l.sku) {
            (Some(g), _) => format!("{}:SRV", e(g)),
            (None, Some(s)) => format!("{}:SA", e(s)),
            (None, None) => String::new(),
        };
        segments.push(format!("LIN+{}+{}+{id}", l.line_no, status_code(l.status)));
        let mut pia = Vec::new();
        if let Some(s) = &l.sku {
            pia.push(format!("{}:SA", e(s)));
        }
        if let Some(c) = &l.customer_part_no {
            pia.push(format!("{}:IN", e(c)));
        }
        if !pia.is_empty() {
            segments.push(format!("PIA+1+{}", pia.join("+")));
        }
        segments.push(format!("QTY+21:{}:{}", num(l.ordered), e(&l.unit)));
        segments.push(format!("QTY+113:{}:{}", num(l.confirmed), e(&l.unit)));
        if let Some(d) = l.delivery {
            segments.push(format!("DTM+2:{}:102", ymd(d)));
        }
        segments.push(format!("PRI+AAA:{}", num(l.price)));
        if let Some(their) = &l.their_line_no {
            segments.push(format!("RFF+LI:{}", e(their)));
        }
    }
    segments.push("UNS+S".into());
    segments.push(format!("CNT+2:{}", r.lines.len()));
    segments.push(format!("UNT+{}+1", segments.len() + 1));
    let control = format!("{:08}", r.control);
    let mut text = format!(
        "UNA:+.? 'UNB+UNOC:3+{}:14+{}:14+{}:{}+{control}'",
        e(&source.us),
        e(&source.partner),
        r.date.strftime("%y%m%d"),
        r.time.strftime("%H%M"),
    );
    for s in &segments {
        text.push_str(s);
        text.push('\'');
    }
    text.push_str(&format!("UNZ+1+{control}'"));
    // UNOC is Latin-1: a character it cannot hold becomes a full stop.
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'.'))
        .collect()
}

fn x12_unit(code: &str) -> &str {
    match code {
        "C62" | "H87" | "PCE" | "EA" => "EA",
        "SET" => "ST",
        "RO" => "RL",
        "MTR" => "MR",
        "KGM" => "KG",
        "LTR" => "LT",
        other => other,
    }
}

/// X12 elements may not hold the separators.
fn x12_clean(s: &str) -> String {
    s.chars()
        .map(|c| if matches!(c, '*' | '~' | '>') { ' ' } else { c })
        .collect()
}

/// X12 855 (004010) with `*`, `~` and `>`.
fn x12(r: &OrderResponse, source: &Source) -> String {
    let c = x12_clean;
    let ymd = |d: Date| d.strftime("%Y%m%d").to_string();
    let mut segments = vec![
        "ST*855*0001".to_owned(),
        format!(
            "BAK*00*{}*{}*{}****{}*{}",
            if r.changed() { "AC" } else { "AD" },
            c(&r.po),
            r.po_date.map(ymd).unwrap_or_default(),
            c(&r.number),
            ymd(r.date)
        ),
    ];
    if !r.currency.is_empty() {
        segments.push(format!("CUR*SE*{}", c(&r.currency)));
    }
    for l in &r.lines {
        let mut ids = String::new();
        if let Some(s) = &l.sku {
            ids.push_str(&format!("*VP*{}", c(s)));
        }
        if let Some(b) = &l.customer_part_no {
            ids.push_str(&format!("*BP*{}", c(b)));
        }
        if let Some(g) = &l.gtin {
            ids.push_str(&format!("*UP*{}", c(g)));
        }
        let unit = x12_unit(&l.unit);
        let line_id = l.their_line_no.clone().unwrap_or_else(|| l.line_no.to_string());
        segments.push(format!(
            "PO1*{}*{}*{unit}*{}*{ids}",
            c(&line_id),
            num(l.ordered),
            num(l.price)
        ));
        let code = match l.status {
            LineStatus::Accepted => "IA",
            LineStatus::Rejected => "IR",
            LineStatus::Changed if l.confirmed != l.ordered => "IQ",
            LineStatus::Changed => "DR",
        };
        let date = l.delivery.map(|d| format!("*068*{}", ymd(d))).unwrap_or_default();
        segments.push(format!("ACK*{code}*{}*{unit}{date}", num(l.confirmed)));
    }
    segments.push(format!("CTT*{}", r.lines.len()));
    segments.push(format!("SE*{}*0001", segments.len() + 1));
    let pad = |s: &str| format!("{:<15}", c(s).chars().take(15).collect::<String>());
    let control = format!("{:09}", r.control);
    let mut text = format!(
        "ISA*00*          *00*          *ZZ*{}*ZZ*{}*{}*{}*U*00401*{control}*0*P*>~",
        pad(&source.us),
        pad(&source.partner),
        r.date.strftime("%y%m%d"),
        r.time.strftime("%H%M"),
    );
    text.push_str(&format!(
        "GS*PR*{}*{}*{}*{}*{}*X*004010~",
        c(source.us.trim()),
        c(source.partner.trim()),
        ymd(r.date),
        r.time.strftime("%H%M"),
        r.control
    ));
    for s in &segments {
        text.push_str(s);
        text.push('~');
    }
    text.push_str(&format!("GE*1*{}~IEA*1*{control}~", r.control));
    text
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Peppol BIS Ordering 3 OrderResponse (UBL 2.1).
fn ubl(r: &OrderResponse) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OrderResponse xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2\" \
         xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" \
         xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n\
         <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order_response:3</cbc:CustomizationID>\n\
         <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>\n",
    );
    out.push_str(&format!("<cbc:ID>{}</cbc:ID>\n", xml(&r.number)));
    out.push_str(&format!("<cbc:IssueDate>{}</cbc:IssueDate>\n", r.date));
    out.push_str(&format!(
        "<cbc:OrderResponseCode>{}</cbc:OrderResponseCode>\n",
        if r.changed() { "CA" } else { "AP" }
    ));
    if !r.currency.is_empty() {
        out.push_str(&format!(
            "<cbc:DocumentCurrencyCode>{}</cbc:DocumentCurrencyCode>\n",
            xml(&r.currency)
        ));
    }
    out.push_str(&format!(
        "<cac:OrderReference><cbc:ID>{}</cbc:ID></cac:OrderReference>\n",
        xml(&r.po)
    ));
    for (role, name) in [
        ("SellerSupplierParty", &r.seller_name),
        ("BuyerCustomerParty", &r.buyer_name),
    ] {
        out.push_str(&format!(
            "<cac:{role}><cac:Party><cac:PartyName><cbc:Name>{}</cbc:Name></cac:PartyName></cac:Party></cac:{role}>\n",
            xml(name)
        ));
    }
    for l in &r.lines {
        out.push_str("<cac:OrderLine><cac:LineItem>");
        out.push_str(&format!("<cbc:ID>{}</cbc:ID>", l.line_no));
        out.push_str(&format!(
            "<cbc:LineStatusCode>{}</cbc:LineStatusCode>",
            status_code(l.status)
        ));
        out.push_str(&format!(
            "<cbc:Quantity unitCode=\"{}\">{}</cbc:Quantity>",
            xml(&l.unit),
            num(l.confirmed)
        ));
        if let Some(d) = l.delivery {
            out.push_str(&format!(
                "<cac:Delivery><cac:PromisedDeliveryPeriod><cbc:StartDate>{d}</cbc:StartDate></cac:PromisedDeliveryPeriod></cac:Delivery>"
            ));
        }
        out.push_str(&format!(
            "<cac:Price><cbc:PriceAmount currencyID=\"{}\">{}</cbc:PriceAmount></cac:Price>",
            xml(&r.currency),
            num(l.price)
        ));
        out.push_str(&format!("<cac:Item><cbc:Name>{}</cbc:Name>", xml(&l.description)));
        if let Some(c) = &l.customer_part_no {
            out.push_str(&format!(
                "<cac:BuyersItemIdentification><cbc:ID>{}</cbc:ID></cac:BuyersItemIdentification>",
                xml(c)
            ));
        }
        if let Some(s) = &l.sku {
            out.push_str(&format!(
                "<cac:SellersItemIdentification><cbc:ID>{}</cbc:ID></cac:SellersItemIdentification>",
                xml(s)
            ));
        }
        if let Some(g) = &l.gtin {
            out.push_str(&format!(
                "<cac:StandardItemIdentification><cbc:ID schemeID=\"0160\">{}</cbc:ID></cac:StandardItemIdentification>",
                xml(g)
            ));
        }
        out.push_str("</cac:Item></cac:LineItem>");
        out.push_str(&format!(
            "<cac:OrderLineReference><cbc:LineID>{}</cbc:LineID></cac:OrderLineReference>",
            xml(&l.their_line_no.clone().unwrap_or_else(|| l.line_no.to_string()))
        ));
        out.push_str("</cac:OrderLine>\n");
    }
    out.push_str("</OrderResponse>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn response() -> (OrderResponse, Source) {
        let line = |no: u32, ordered, confirmed, status| ResponseLine {
            line_no: no,
            their_line_no: Some(format!("{}", no * 10)),
            sku: Some(format!("HB-M8-{no}")),
            gtin: (no == 1).then(|| "4006381333931".to_owned()),
            customer_part_no: Some(format!("77+{no}")),
            description: "Schraube M8 'A2'".into(),
            ordered,
            confirmed,
            unit: "C62".into(),
            price: dec!(0.1200),
            delivery: Some(jiff::civil::date(2026, 12, 4)),
            status,
        };
        (
            OrderResponse {
                number: "AB-1042".into(),
                date: jiff::civil::date(2026, 11, 30),
                po: "4500012345".into(),
                po_date: Some(jiff::civil::date(2026, 11, 27)),
                currency: "EUR".into(),
                buyer_name: "Müller & Söhne".into(),
                seller_name: "Schrauben GmbH".into(),
                lines: vec![
                    line(1, dec!(500), dec!(500), LineStatus::Accepted),
                    line(2, dec!(510), dec!(500), LineStatus::Changed),
                ],
                control: 42,
                time: jiff::civil::time(9, 30, 0, 0),
            },
            Source {
                format: ResponseFormat::Edifact,
                partner: "4012345000009".into(),
                us: "4000001000005".into(),
            },
        )
    }

    #[test]
    fn an_ordrsp_reads_back_with_its_counts_and_escapes() {
        let (r, source) = response();
        let bytes = r.write(ResponseFormat::Edifact, &source);
        let docs = document::parse_file(&bytes, Some("ordrsp.edi"));
        assert_eq!(
            docs[0].message_type.as_deref(),
            Some("ORDRSP"),
            "{:?}",
            docs[0].diagnostics
        );
        let text: String = bytes.iter().map(|b| char::from(*b)).collect();
        assert!(
            text.contains("BGM+231+AB-1042+4'"),
            "changed lines make the answer 'changed'"
        );
        assert!(text.contains("LIN+1+5+4006381333931:SRV'") && text.contains("LIN+2+3+HB-M8-2:SA'"));
        assert!(text.contains("PIA+1+HB-M8-2:SA+77?+2:IN'"), "{text}");
        assert!(text.contains("QTY+21:510:C62'QTY+113:500:C62'"));
        assert!(text.contains("M\u{fc}ller"), "Latin-1 for UNOC");
        // UNT counts UNH to UNT.
        let from = text.find("UNH+").unwrap();
        let to = text.find("UNT+").unwrap();
        let count = text[from..to].matches('\'').count() + 1;
        assert!(text.contains(&format!("UNT+{count}+1'")), "{text}");
        assert!(text.starts_with("UNA:+.? 'UNB+UNOC:3+4000001000005:14+4012345000009:14+261130:0930+00000042'"));
    }

    #[test]
    fn an_855_and_an_order_response_say_the_same() {
        let (r, mut source) = response();
        source.format = ResponseFormat::X12;
        let text = String::from_utf8(r.write(ResponseFormat::X12, &source)).unwrap();
        let docs = document::parse_file(text.as_bytes(), Some("855.x12"));
        assert_eq!(
            docs[0].message_type.as_deref(),
            Some("855"),
            "{:?}",
            docs[0].diagnostics
        );
        assert!(
            text.contains("BAK*00*AC*4500012345*20261127****AB-1042*20261130~"),
            "{text}"
        );
        assert!(
            text.contains("PO1*20*510*EA*0.12**VP*HB-M8-2*BP*77+2~ACK*IQ*500*EA*068*20261204~"),
            "{text}"
        );
        let isa = text.split('~').next().unwrap();
        assert_eq!(isa.len(), 105, "the ISA is fixed width: {isa}");
        let segments = text.split('~').filter(|s| !s.is_empty()).collect::<Vec<_>>();
        let st = segments.iter().position(|s| s.starts_with("ST*")).unwrap();
        let se = segments.iter().position(|s| s.starts_with("SE*")).unwrap();
        assert_eq!(segments[se], format!("SE*{}*0001", se - st + 1));

        let xml = String::from_utf8(r.write(ResponseFormat::Ubl, &source)).unwrap();
        let docs = document::parse_file(xml.as_bytes(), Some("response.xml"));
        assert_eq!(
            docs[0].message_type.as_deref(),
            Some("OrderResponse"),
            "{:?}",
            docs[0].diagnostics
        );
        assert!(xml.contains("<cbc:OrderResponseCode>CA</cbc:OrderResponseCode>"));
        assert!(
            xml.contains("<cbc:LineStatusCode>3</cbc:LineStatusCode><cbc:Quantity unitCode=\"C62\">500</cbc:Quantity>")
        );
        assert!(xml.contains("Müller &amp; Söhne") && xml.contains("<cbc:LineID>20</cbc:LineID>"));
    }
}

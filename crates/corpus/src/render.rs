//! Writing a planned case in its format: mails, PDFs in eight layouts, sheets, EDI, UBL.

use base64::Engine;
use jiff::civil::Date;
use printpdf::{BuiltinFont, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};
use rust_decimal::Decimal;

use crate::plan::{Case, CaseLine, Format};
use crate::{CorpusError, Generated};

mod described;

/// How numbers and dates are printed.
#[derive(Debug, Clone, Copy)]
struct Locale {
    decimal_comma: bool,
    /// Thousands separator for numbers of four or more digits.
    group: Option<char>,
    date: DateStyle,
}

#[derive(Debug, Clone, Copy)]
enum DateStyle {
    Dots,
    ShortDots,
    Iso,
    UsSlash,
    UkSlash,
    LongEn,
    LongDe,
}

const GERMAN: Locale = Locale {
    decimal_comma: true,
    group: Some('.'),
    date: DateStyle::Dots,
};
const ENGLISH: Locale = Locale {
    decimal_comma: false,
    group: Some(','),
    date: DateStyle::LongEn,
};

fn number(value: Decimal, min_decimals: u32, locale: Locale) -> String {
    let v = value.normalize();
    let scale = v.scale().max(min_decimals);
    let text = format!("{:.*}", scale as usize, v);
    let (int, frac) = text.split_once('.').map_or((text.as_str(), ""), |(a, b)| (a, b));
    let mut grouped = String::new();
    let digits: Vec<char> = int.chars().collect();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && locale.group.is_some() && digits.len() >= 4 {
            grouped.push(locale.group.unwrap_or(' '));
        }
        grouped.push(*c);
    }
    if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}{}{frac}", if locale.decimal_comma { ',' } else { '.' })
    }
}

fn quantity(q: Decimal, locale: Locale) -> String {
    number(q, 0, locale)
}

fn price(p: Decimal, locale: Locale) -> String {
    number(p, 2, locale)
}

fn date(d: Date, style: DateStyle) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DE: [&str; 12] = [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez.",
    ];
    let (y, m, day) = (d.year(), d.month() as usize, d.day());
    match style {
        DateStyle::Dots => format!("{day:02}.{m:02}.{y}"),
        DateStyle::ShortDots => format!("{day:02}.{m:02}.{:02}", y % 100),
        DateStyle::Iso => d.to_string(),
        DateStyle::UsSlash => format!("{m:02}/{day:02}/{y}"),
        DateStyle::UkSlash => format!("{day:02}/{m:02}/{y}"),
        DateStyle::LongEn => format!("{} {day}, {y}", EN[m - 1]),
        DateStyle::LongDe => format!("{day}. {} {y}", DE[m - 1]),
    }
}

fn unit_word(code: &str, german: bool) -> String {
    let (de, en) = match code {
        "C62" => ("Stk", "pcs"),
        "BX" => ("Karton", "box"),
        "PK" => ("Pack", "pack"),
        "SET" => ("Satz", "set"),
        "PR" => ("Paar", "pair"),
        "RO" => ("Rolle", "roll"),
        "MTR" => ("m", "m"),
        "KGM" => ("kg", "kg"),
        "LTR" => ("l", "l"),
        other => (other, other),
    };
    if german { de } else { en }.to_owned()
}

pub(crate) fn render(case: &Case, rng: &mut fastrand::Rng) -> Result<Generated, CorpusError> {
    let base = format!("order-{:05}", case.n);
    let (file_name, bytes, layout) = match case.format {
        Format::X12 => (format!("{base}.edi"), x12(case).into_bytes(), "x12-850".to_owned()),
        Format::Edifact => (
            format!("{base}.edifact"),
            edifact(case).into_bytes(),
            "orders-d96a".to_owned(),
        ),
        Format::Ubl => (format!("{base}.xml"), ubl(case).into_bytes(), "ubl-order".to_owned()),
        Format::MailTable => (
            format!("{base}.eml"),
            mail(case, &text_table_body(case), None, None, rng),
            "text-table".into(),
        ),
        Format::MailFreeForm => (
            format!("{base}.eml"),
            mail(case, &free_form_body(case), None, None, rng),
            "free-form".into(),
        ),
        Format::MailHtml => {
            let (text, html) = html_body(case);
            (
                format!("{base}.eml"),
                mail(case, &text, Some(&html), None, rng),
                "html-table".into(),
            )
        }
        Format::MailPdf(layout) => {
            let pdf = pdf(case, layout)?;
            let name = if case.german {
                format!("Bestellung_{}.pdf", safe(&case.po_number))
            } else {
                format!("PO_{}.pdf", safe(&case.po_number))
            };
            let body = cover_body(case);
            (
                format!("{base}.eml"),
                mail(case, &body, None, Some((&name, "application/pdf", &pdf)), rng),
                format!("pdf-{layout}"),
            )
        }
        Format::MailXlsx => {
            let sheet = xlsx(case)?;
            let name = format!("{}.xlsx", safe(&case.po_number));
            let mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            (
                format!("{base}.eml"),
                mail(case, &cover_body(case), None, Some((&name, mime, &sheet)), rng),
                "xlsx".into(),
            )
        }
        Format::ProcurementCsv => (
            format!("{base}.eml"),
            described::procurement_mail(case, rng),
            "procurement-csv".into(),
        ),
        Format::Forwarded => (
            format!("{base}.eml"),
            described::forwarded(case, rng),
            "forwarded".into(),
        ),
        Format::ErpPrint => (
            format!("{base}.eml"),
            described::erp_print_mail(case, rng),
            "erp-print".into(),
        ),
        Format::Marketplace => (
            format!("{base}.eml"),
            described::marketplace(case, rng),
            "marketplace".into(),
        ),
        Format::MailCsv => {
            let csv = csv(case);
            let name = format!("{}.csv", safe(&case.po_number));
            (
                format!("{base}.eml"),
                mail(
                    case,
                    &cover_body(case),
                    None,
                    Some((&name, "text/csv", csv.as_bytes())),
                    rng,
                ),
                "csv".into(),
            )
        }
    };
    let truth = case.truth(&file_name, &layout);
    Ok(Generated {
        file_name,
        bytes,
        truth,
    })
}

fn safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect()
}

fn customer_name(case: &Case) -> String {
    case.customer
        .as_ref()
        .map_or_else(|| "Neukunde GmbH".to_owned(), |c| c.name.clone())
}

fn word(case: &Case, de: &str, en: &str) -> String {
    if case.german { de } else { en }.to_owned()
}

fn subject(case: &Case) -> String {
    match (case.kind, case.german) {
        ("rfq", true) => format!("Anfrage {}", case.po_number),
        ("rfq", false) => format!("Request for quotation {}", case.po_number),
        (_, true) => format!("Bestellung {}", case.po_number),
        (_, false) => format!("Purchase order {}", case.po_number),
    }
}

fn greeting_and_ask(case: &Case) -> String {
    match (case.kind, case.german) {
        ("rfq", true) => {
            "Sehr geehrte Damen und Herren,\n\nbitte senden Sie uns ein Angebot für folgende Artikel:\n".into()
        }
        ("rfq", false) => "Dear Sir or Madam,\n\nplease send us your quotation for the following items:\n".into(),
        (_, true) => "Sehr geehrte Damen und Herren,\n\nhiermit bestellen wir:\n".into(),
        (_, false) => "Hello,\n\nplease supply the following:\n".into(),
    }
}

fn signature(case: &Case) -> String {
    let c = case.customer.as_ref();
    let street = c.and_then(|c| c.billing_address.street.clone()).unwrap_or_default();
    let city = c
        .map(|c| {
            format!(
                "{} {}",
                c.billing_address.zip.clone().unwrap_or_default(),
                c.billing_address.city.clone().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    if case.german {
        format!(
            "\nMit freundlichen Grüßen\n\n{}\nEinkauf\n{}\n{street}\n{city}\nTel. +49 30 {:07}\n",
            case.sender_name,
            customer_name(case),
            case.n * 37 % 10_000_000
        )
    } else {
        format!(
            "\nKind regards,\n\n{}\nPurchasing\n{}\n{street}\n{city}\nPhone +1 555 {:07}\n",
            case.sender_name,
            customer_name(case),
            case.n * 37 % 10_000_000
        )
    }
}

fn ship_to_lines(case: &Case) -> Option<Vec<String>> {
    if !case.print_ship_to {
        return None;
    }
    if case.foreign_ship_to {
        return Some(vec![
            customer_name(case),
            "Industriestraße 99".into(),
            "99999 Nirgendwo".into(),
        ]);
    }
    let a = case.ship_to.as_ref()?;
    Some(vec![
        a.name.clone().unwrap_or_else(|| customer_name(case)),
        a.street.clone().unwrap_or_default(),
        format!(
            "{} {}",
            a.zip.clone().unwrap_or_default(),
            a.city.clone().unwrap_or_default()
        ),
    ])
}

fn header_block(case: &Case, locale: Locale) -> String {
    let mut out = String::new();
    if case.german {
        out.push_str(&format!("Bestellnummer: {}\n", case.po_number));
        out.push_str(&format!("Bestelldatum: {}\n", date(case.order_date, locale.date)));
        if let Some(r) = case.requested {
            out.push_str(&format!("Liefertermin: {}\n", date(r, locale.date)));
        }
    } else {
        out.push_str(&format!("PO Number: {}\n", case.po_number));
        out.push_str(&format!("Order date: {}\n", date(case.order_date, locale.date)));
        if let Some(r) = case.requested {
            out.push_str(&format!("Requested delivery date: {}\n", date(r, locale.date)));
        }
    }
    if let Some(lines) = ship_to_lines(case) {
        out.push_str(&format!(
            "\n{}\n{}\n",
            word(case, "Lieferanschrift:", "Ship to:"),
            lines.join("\n")
        ));
    }
    out
}

fn locale_of(case: &Case) -> Locale {
    if case.german {
        GERMAN
    } else if case.n.is_multiple_of(2) {
        ENGLISH
    } else {
        Locale {
            date: DateStyle::Iso,
            ..ENGLISH
        }
    }
}

fn text_table_body(case: &Case) -> String {
    let locale = locale_of(case);
    let head = if case.german {
        ["Pos", "Artikel-Nr.", "Bezeichnung", "Menge", "ME", "Einzelpreis"]
    } else {
        ["Line", "Item no.", "Description", "Qty", "Unit", "Unit price"]
    };
    let mut rows: Vec<Vec<String>> = vec![head.iter().map(|s| (*s).to_owned()).collect()];
    for (i, l) in case.lines.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            l.code.clone().unwrap_or_default(),
            l.description.clone(),
            quantity(l.quantity, locale),
            unit_word(&l.unit, case.german),
            l.unit_price.map(|p| price(p, locale)).unwrap_or_default(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut table = String::new();
    for r in &rows {
        let cells: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        table.push_str(cells.join("   ").trim_end());
        table.push('\n');
    }
    let mut body = greeting_and_ask(case);
    body.push('\n');
    body.push_str(&header_block(case, locale));
    body.push('\n');
    body.push_str(&table);
    if case.print_total
        && let Some(t) = case.total()
    {
        body.push_str(&format!(
            "\n{} {} {}\n",
            word(case, "Gesamtsumme netto:", "Total net:"),
            price(t, locale),
            case.currency
        ));
    }
    body.push_str(&signature(case));
    body
}

fn free_form_body(case: &Case) -> String {
    let locale = locale_of(case);
    let mut body = greeting_and_ask(case);
    body.push('\n');
    for l in &case.lines {
        let unit = unit_word(&l.unit, case.german);
        let code = l.code.clone().unwrap_or_default();
        let p = l.unit_price.map(|p| price(p, locale));
        let line = match (case.n + l.quantity.mantissa() as usize) % 3 {
            0 => format!("- {} {unit} {code} {}", quantity(l.quantity, locale), l.description),
            1 if l.code.is_some() => format!("* {} {unit} {code}", quantity(l.quantity, locale)),
            _ => format!("{} {unit} {code} ({})", quantity(l.quantity, locale), l.description),
        };
        let line = match p {
            Some(p) if case.german => format!("{line} à {p} {}", case.currency),
            Some(p) => format!("{line} at {p} {}", case.currency),
            None => line,
        };
        body.push_str(&line);
        body.push('\n');
    }
    if case.print_total
        && let Some(t) = case.total()
    {
        body.push_str(&format!(
            "\n{} {} {}\n",
            word(case, "Gesamtsumme netto:", "Total net:"),
            price(t, locale),
            case.currency
        ));
    }
    body.push('\n');
    body.push_str(&header_block(case, locale));
    body.push_str(&signature(case));
    body
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn html_body(case: &Case) -> (String, String) {
    let locale = locale_of(case);
    let head = if case.german {
        ["Pos.", "Art.-Nr.", "Bezeichnung", "Menge", "Einheit", "Preis"]
    } else {
        ["#", "Part no.", "Description", "Quantity", "UOM", "Price"]
    };
    let mut html = String::from("<html><body>");
    html.push_str(&format!(
        "<p>{}</p>",
        escape_html(&greeting_and_ask(case)).replace('\n', "<br>")
    ));
    html.push_str(&format!(
        "<p>{}</p>",
        escape_html(&header_block(case, locale)).replace('\n', "<br>")
    ));
    html.push_str("<table border=\"1\"><tr>");
    for h in head {
        html.push_str(&format!("<th>{h}</th>"));
    }
    html.push_str("</tr>");
    for (i, l) in case.lines.iter().enumerate() {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            escape_html(l.code.as_deref().unwrap_or("")),
            escape_html(&l.description),
            quantity(l.quantity, locale),
            unit_word(&l.unit, case.german),
            l.unit_price.map(|p| price(p, locale)).unwrap_or_default()
        ));
    }
    html.push_str("</table>");
    if case.print_total
        && let Some(t) = case.total()
    {
        html.push_str(&format!(
            "<p>{} {} {}</p>",
            word(case, "Gesamtsumme netto:", "Total net:"),
            price(t, locale),
            case.currency
        ));
    }
    html.push_str(&format!(
        "<p>{}</p></body></html>",
        escape_html(&signature(case)).replace('\n', "<br>")
    ));
    (text_table_body(case), html)
}

fn cover_body(case: &Case) -> String {
    let ask = match (case.kind, case.german) {
        ("rfq", true) => format!(
            "anbei unsere Anfrage {}. Bitte senden Sie uns Ihr Angebot.",
            case.po_number
        ),
        ("rfq", false) => format!("please find attached our request for quotation {}.", case.po_number),
        (_, true) => format!("anbei erhalten Sie unsere Bestellung {}.", case.po_number),
        (_, false) => format!("please find attached our purchase order {}.", case.po_number),
    };
    let hello = word(case, "Guten Tag,", "Hello,");
    format!("{hello}\n\n{ask}\n{}", signature(case))
}

fn mail(
    case: &Case,
    text: &str,
    html: Option<&str>,
    attachment: Option<(&str, &str, &[u8])>,
    rng: &mut fastrand::Rng,
) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let boundary = format!("=_orderdesk_{:016x}", rng.u64(..));
    let alt = format!("=_alt_{:016x}", rng.u64(..));
    let date = case.order_date;
    let mut out = String::new();
    out.push_str(&format!(
        "From: {} <{}>\r\n",
        encode_word(&case.sender_name),
        case.sender
    ));
    out.push_str("To: auftrag@orderdesk.example\r\n");
    out.push_str(&format!("Subject: {}\r\n", encode_word(&subject(case))));
    out.push_str(&format!(
        "Date: {}, {:02} {} {} 09:{:02}:00 +0100\r\n",
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][date.weekday().to_monday_zero_offset() as usize],
        date.day(),
        [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
        ][date.month() as usize - 1],
        date.year(),
        case.n % 60
    ));
    out.push_str(&format!(
        "Message-ID: <corpus-{}-{:x}@{}>\r\n",
        case.n,
        rng.u64(..),
        case.sender.split('@').nth(1).unwrap_or("example")
    ));
    out.push_str("MIME-Version: 1.0\r\n");
    let text_part = |t: &str| {
        format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            wrap(&b64.encode(t.replace('\n', "\r\n")))
        )
    };
    let body_part = match html {
        Some(h) => format!(
            "Content-Type: multipart/alternative; boundary=\"{alt}\"\r\n\r\n--{alt}\r\n{}--{alt}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--{alt}--\r\n",
            text_part(text),
            wrap(&b64.encode(h))
        ),
        None => text_part(text),
    };
    match attachment {
        None => out.push_str(&body_part),
        Some((name, mime, bytes)) => {
            out.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
            ));
            out.push_str(&format!("--{boundary}\r\n{body_part}"));
            out.push_str(&format!(
                "--{boundary}\r\nContent-Type: {mime}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--{boundary}--\r\n",
                wrap(&b64.encode(bytes))
            ));
        }
    }
    out.into_bytes()
}

fn encode_word(s: &str) -> String {
    if s.is_ascii() {
        s.to_owned()
    } else {
        format!("=?utf-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(s))
    }
}

fn wrap(b64: &str) -> String {
    b64.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// One PDF layout: labels, columns and print style.
struct PdfLayout {
    title: &'static str,
    german: bool,
    locale: Locale,
    /// Header values as `Label: value` lines (else labels in a row, values below).
    label_value_lines: bool,
    columns: &'static [(PdfColumn, &'static str, f32)],
    font_size: f32,
    row_gap: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PdfColumn {
    Pos,
    Code,
    CustomerCode,
    OurCode,
    Description,
    Quantity,
    Unit,
    Price,
    Total,
    DeliveryDate,
}

fn pdf_layout(n: u8) -> PdfLayout {
    use PdfColumn::*;
    match n {
        0 => PdfLayout {
            title: "Bestellung",
            german: true,
            locale: GERMAN,
            label_value_lines: true,
            columns: &[
                (Pos, "Pos", 40.0),
                (Code, "Artikel-Nr.", 70.0),
                (Description, "Bezeichnung", 170.0),
                (Quantity, "Menge", 380.0),
                (Unit, "ME", 425.0),
                (Price, "Einzelpreis", 460.0),
                (Total, "Gesamt", 525.0),
            ],
            font_size: 8.0,
            row_gap: 13.0,
        },
        1 => PdfLayout {
            title: "PURCHASE ORDER",
            german: false,
            locale: ENGLISH,
            label_value_lines: false,
            columns: &[
                (Pos, "Line", 40.0),
                (Code, "Item no.", 72.0),
                (Description, "Description", 170.0),
                (Quantity, "Qty", 390.0),
                (Unit, "Unit", 430.0),
                (Price, "Unit price", 465.0),
                (Total, "Amount", 528.0),
            ],
            font_size: 8.0,
            row_gap: 14.0,
        },
        2 => PdfLayout {
            title: "Bestellung",
            german: true,
            locale: Locale {
                date: DateStyle::ShortDots,
                ..GERMAN
            },
            label_value_lines: true,
            columns: &[
                (CustomerCode, "Unsere Art.-Nr.", 40.0),
                (OurCode, "Ihre Art.-Nr.", 115.0),
                (Description, "Bezeichnung", 200.0),
                (Quantity, "Menge", 400.0),
                (Unit, "Einheit", 440.0),
                (Price, "Preis (EUR)", 485.0),
            ],
            font_size: 8.0,
            row_gap: 12.0,
        },
        3 => PdfLayout {
            title: "Purchase Order",
            german: false,
            locale: Locale {
                date: DateStyle::UkSlash,
                ..ENGLISH
            },
            label_value_lines: true,
            columns: &[
                (Quantity, "Qty", 40.0),
                (Unit, "Unit", 80.0),
                (Code, "Part no.", 115.0),
                (Description, "Description", 205.0),
                (Price, "Price each", 440.0),
                (Total, "Total", 510.0),
            ],
            font_size: 8.0,
            row_gap: 13.0,
        },
        4 => PdfLayout {
            title: "Auftrag",
            german: true,
            locale: Locale {
                date: DateStyle::LongDe,
                ..GERMAN
            },
            label_value_lines: false,
            columns: &[
                (Pos, "Pos.", 40.0),
                (Quantity, "Menge", 70.0),
                (Unit, "ME", 115.0),
                (Code, "Art.-Nr.", 150.0),
                (Description, "Artikelbezeichnung", 240.0),
                (Price, "E-Preis", 460.0),
                (Total, "Gesamtpreis", 520.0),
            ],
            font_size: 8.0,
            row_gap: 13.0,
        },
        5 => PdfLayout {
            title: "PURCHASE ORDER",
            german: false,
            locale: Locale {
                date: DateStyle::LongEn,
                ..ENGLISH
            },
            label_value_lines: true,
            columns: &[
                (Pos, "#", 40.0),
                (OurCode, "SKU", 60.0),
                (Description, "Product", 155.0),
                (Quantity, "Quantity", 380.0),
                (Unit, "UOM", 425.0),
                (Price, "Rate", 460.0),
                (Total, "Extended", 520.0),
            ],
            font_size: 8.0,
            row_gap: 15.0,
        },
        6 => PdfLayout {
            title: "Bestellung",
            german: true,
            locale: Locale {
                decimal_comma: false,
                group: Some('\''),
                date: DateStyle::Iso,
            },
            label_value_lines: true,
            columns: &[
                (Pos, "Position", 40.0),
                (Code, "Artikelnummer", 85.0),
                (Description, "Beschreibung", 175.0),
                (Quantity, "Anzahl", 385.0),
                (Unit, "Einheit", 425.0),
                (Price, "Stückpreis", 465.0),
                (DeliveryDate, "Liefertermin", 520.0),
            ],
            font_size: 7.5,
            row_gap: 12.0,
        },
        _ => PdfLayout {
            title: "Order",
            german: false,
            locale: Locale {
                date: DateStyle::Iso,
                ..ENGLISH
            },
            label_value_lines: false,
            columns: &[
                (Description, "Description", 40.0),
                (Code, "Item code", 270.0),
                (Quantity, "Qty", 370.0),
                (Unit, "Unit", 420.0),
                (Price, "Price", 470.0),
            ],
            font_size: 8.0,
            row_gap: 13.0,
        },
    }
}

fn cell(case: &Case, layout: &PdfLayout, col: PdfColumn, i: usize, l: &CaseLine) -> String {
    let loc = layout.locale;
    match col {
        PdfColumn::Pos => (i + 1).to_string(),
        PdfColumn::Code => l.code.clone().unwrap_or_default(),
        PdfColumn::CustomerCode => l.customer_part_no.clone().unwrap_or_default(),
        PdfColumn::OurCode => {
            // With a column for their own number beside it, a customer leaves
            // ours empty when they only know theirs.
            let both = layout.columns.iter().any(|c| c.0 == PdfColumn::CustomerCode);
            if both && l.customer_part_no.is_some() {
                String::new()
            } else {
                l.code.clone().unwrap_or_default()
            }
        }
        PdfColumn::Description => description_parts(layout, l).0,
        PdfColumn::Quantity => quantity(l.quantity, loc),
        PdfColumn::Unit => unit_word(&l.unit, layout.german),
        PdfColumn::Price => l.unit_price.map(|p| price(p, loc)).unwrap_or_default(),
        PdfColumn::Total => l
            .unit_price
            .map(|p| price((p * l.quantity).round_dp(2), loc))
            .unwrap_or_default(),
        PdfColumn::DeliveryDate => case.requested.map(|d| date(d, loc.date)).unwrap_or_default(),
    }
}

/// The description as printed in its column: what fits on the row, and the
/// rest wrapped onto a second line (cut there, as forms do).
fn description_parts(layout: &PdfLayout, l: &CaseLine) -> (String, Option<String>) {
    let at = layout
        .columns
        .iter()
        .position(|c| c.0 == PdfColumn::Description)
        .unwrap_or(0);
    let x = layout.columns[at].2;
    let next = layout.columns.get(at + 1).map_or(560.0, |c| c.2);
    let max = ((next - x - 10.0) / (layout.font_size * 0.56)).max(8.0) as usize;
    if l.description.chars().count() <= max {
        return (l.description.clone(), None);
    }
    let mut first = String::new();
    let mut rest = String::new();
    for word in l.description.split(' ') {
        if rest.is_empty() && first.chars().count() + word.chars().count() < max {
            if !first.is_empty() {
                first.push(' ');
            }
            first.push_str(word);
        } else {
            if !rest.is_empty() {
                rest.push(' ');
            }
            rest.push_str(word);
        }
    }
    let rest: String = rest.chars().take(max).collect();
    (first, Some(rest).filter(|r| !r.is_empty()))
}

fn pdf(case: &Case, n: u8) -> Result<Vec<u8>, CorpusError> {
    let mut layout = pdf_layout(n);
    // The American layout writes American dates for American customers.
    let american = case
        .customer
        .as_ref()
        .and_then(|c| c.billing_address.country.as_ref())
        .is_some_and(|c| c.as_str() == "US");
    if n == 5 && american {
        layout.locale.date = DateStyle::UsSlash;
    }
    let size = layout.font_size;
    let mut pages: Vec<Vec<(f32, f32, String, bool)>> = Vec::new();
    let mut page: Vec<(f32, f32, String, bool)> = Vec::new();
    let top = 800.0;
    let mut y = top;
    let push = |page: &mut Vec<(f32, f32, String, bool)>, x: f32, y: f32, t: String, bold: bool| {
        if !t.is_empty() {
            page.push((x, y, t, bold));
        }
    };
    // Letterhead and header.
    push(&mut page, 40.0, y, customer_name(case), true);
    push(&mut page, 400.0, y, layout.title.to_owned(), true);
    y -= 14.0;
    if let Some(c) = &case.customer {
        push(
            &mut page,
            40.0,
            y,
            format!(
                "{} · {} {}",
                c.billing_address.street.clone().unwrap_or_default(),
                c.billing_address.zip.clone().unwrap_or_default(),
                c.billing_address.city.clone().unwrap_or_default()
            ),
            false,
        );
    }
    y -= 30.0;
    let loc = layout.locale;
    let labels: Vec<(String, String)> = {
        let mut v = vec![
            (
                if layout.german { "Bestellnummer" } else { "PO Number" }.to_owned(),
                case.po_number.clone(),
            ),
            (
                if layout.german { "Datum" } else { "Order Date" }.to_owned(),
                date(case.order_date, loc.date),
            ),
        ];
        if let Some(c) = &case.customer
            && n.is_multiple_of(2)
        {
            v.push((
                if layout.german { "Kundennummer" } else { "Customer No." }.to_owned(),
                c.customer_no.as_str().to_owned(),
            ));
        }
        if let Some(r) = case.requested
            && !layout.columns.iter().any(|c| c.0 == PdfColumn::DeliveryDate)
        {
            v.push((
                if layout.german { "Liefertermin" } else { "Delivery Date" }.to_owned(),
                date(r, loc.date),
            ));
        }
        v
    };
    if layout.label_value_lines {
        for (l, v) in &labels {
            push(&mut page, 40.0, y, format!("{l}: {v}"), false);
            y -= 12.0;
        }
    } else {
        for (k, (l, v)) in labels.iter().enumerate() {
            push(&mut page, 40.0 + 120.0 * k as f32, y, l.clone(), true);
            push(&mut page, 40.0 + 120.0 * k as f32, y - 12.0, v.clone(), false);
        }
        y -= 24.0;
    }
    if let Some(lines) = ship_to_lines(case) {
        y -= 8.0;
        push(
            &mut page,
            340.0,
            y,
            if layout.german { "Lieferanschrift:" } else { "Ship to:" }.to_owned(),
            true,
        );
        for l in lines {
            y -= 11.0;
            push(&mut page, 340.0, y, l, false);
        }
    }
    y -= 24.0;
    let header = |page: &mut Vec<(f32, f32, String, bool)>, y: f32| {
        for (_, label, x) in layout.columns {
            push(page, *x, y, label.replace("EUR", &case.currency), true);
        }
    };
    header(&mut page, y);
    y -= layout.row_gap;
    for (i, l) in case.lines.iter().enumerate() {
        if y < 70.0 {
            pages.push(std::mem::take(&mut page));
            y = top;
            header(&mut page, y);
            y -= layout.row_gap;
        }
        for (col, _, x) in layout.columns {
            push(&mut page, *x, y, cell(case, &layout, *col, i, l), false);
        }
        if let Some(rest) = description_parts(&layout, l).1
            && let Some((_, _, x)) = layout.columns.iter().find(|c| c.0 == PdfColumn::Description)
        {
            y -= layout.row_gap * 0.8;
            push(&mut page, *x, y, rest, false);
        }
        y -= layout.row_gap;
    }
    y -= 10.0;
    if case.print_total
        && let Some(t) = case.total()
    {
        let label = if layout.german {
            "Gesamtsumme netto"
        } else {
            "Total net"
        };
        push(
            &mut page,
            380.0,
            y,
            format!("{label}: {} {}", price(t, loc), case.currency),
            true,
        );
        y -= 14.0;
    }
    let _ = y;
    pages.push(page);
    Ok(pdf_bytes(layout.title, size, layout.german, pages))
}

/// Text placed on a page: x, y, text, bold.
pub(crate) type Placed = (f32, f32, String, bool);

/// A4 pages of Helvetica text with "page n of m" footers.
pub(crate) fn pdf_bytes(title: &str, size: f32, german: bool, pages: Vec<Vec<Placed>>) -> Vec<u8> {
    let count = pages.len();
    let mut doc = PdfDocument::new(title);
    let built: Vec<PdfPage> = pages
        .into_iter()
        .enumerate()
        .map(|(p, texts)| {
            let mut ops = Vec::new();
            let footer = if german {
                format!("Seite {} von {count}", p + 1)
            } else {
                format!("Page {} of {count}", p + 1)
            };
            for (x, y, t, bold) in texts
                .iter()
                .cloned()
                .chain(std::iter::once((270.0, 30.0, footer, false)))
            {
                ops.push(Op::StartTextSection);
                ops.push(Op::SetFont {
                    font: PdfFontHandle::Builtin(if bold {
                        BuiltinFont::HelveticaBold
                    } else {
                        BuiltinFont::Helvetica
                    }),
                    size: Pt(size),
                });
                ops.push(Op::SetTextCursor {
                    pos: Point { x: Pt(x), y: Pt(y) },
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(t)],
                });
                ops.push(Op::EndTextSection);
            }
            PdfPage::new(Mm(210.0), Mm(297.0), ops)
        })
        .collect();
    let mut warnings = Vec::new();
    doc.with_pages(built).save(&PdfSaveOptions::default(), &mut warnings)
}

fn sheet_rows(case: &Case) -> Vec<Vec<String>> {
    let locale = locale_of(case);
    let mut rows = vec![
        vec![word(case, "Bestellnummer", "PO Number"), case.po_number.clone()],
        vec![word(case, "Bestelldatum", "Order date"), case.order_date.to_string()],
    ];
    if let Some(r) = case.requested {
        rows.push(vec![word(case, "Liefertermin", "Delivery date"), r.to_string()]);
    }
    if let Some(lines) = ship_to_lines(case) {
        rows.push(vec![word(case, "Lieferanschrift", "Ship to"), lines.join(", ")]);
    }
    rows.push(vec![]);
    rows.push(if case.german {
        vec![
            "Pos".into(),
            "Artikelnummer".into(),
            "Bezeichnung".into(),
            "Menge".into(),
            "Einheit".into(),
            "Einzelpreis".into(),
        ]
    } else {
        vec![
            "Line".into(),
            "Item number".into(),
            "Description".into(),
            "Quantity".into(),
            "Unit".into(),
            "Unit price".into(),
        ]
    });
    for (i, l) in case.lines.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            l.code.clone().unwrap_or_default(),
            l.description.clone(),
            quantity(l.quantity, Locale { group: None, ..locale }),
            unit_word(&l.unit, case.german),
            l.unit_price
                .map(|p| price(p, Locale { group: None, ..locale }))
                .unwrap_or_default(),
        ]);
    }
    if case.print_total
        && let Some(t) = case.total()
    {
        rows.push(vec![]);
        rows.push(vec![
            word(case, "Summe netto", "Total net"),
            String::new(),
            String::new(),
            String::new(),
            case.currency.clone(),
            price(t, Locale { group: None, ..locale }),
        ]);
    }
    rows
}

fn csv(case: &Case) -> String {
    csv_text(sheet_rows(case), if case.german { ';' } else { ',' })
}

/// Rows as CSV text with `sep`, cells quoted where they need it.
fn csv_text(rows: Vec<Vec<String>>, sep: char) -> String {
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| {
                    if c.contains(sep) || c.contains('"') {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    } else {
                        c
                    }
                })
                .collect::<Vec<_>>()
                .join(&sep.to_string())
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn xlsx(case: &Case) -> Result<Vec<u8>, CorpusError> {
    let err = |e: rust_xlsxwriter::XlsxError| CorpusError::Render {
        format: "xlsx",
        message: e.to_string(),
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in sheet_rows(case).into_iter().enumerate() {
        for (c, v) in row.into_iter().enumerate() {
            // Quantities and prices as numbers, the way spreadsheets hold them.
            let numeric = r > 5 && (c == 3 || c == 5);
            let value = v.replace(',', ".");
            match value.parse::<f64>() {
                Ok(n) if numeric => sheet.write_number(r as u32, c as u16, n).map_err(err)?,
                _ => sheet.write_string(r as u32, c as u16, &v).map_err(err)?,
            };
        }
    }
    book.save_to_buffer().map_err(err)
}

fn edi_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn x12_unit(code: &str) -> &str {
    match code {
        "C62" => "EA",
        "BX" => "BX",
        "PK" => "PK",
        "SET" => "ST",
        "PR" => "PR",
        "RO" => "RL",
        "MTR" => "MR",
        "KGM" => "KG",
        "LTR" => "LT",
        other => other,
    }
}

fn x12(case: &Case) -> String {
    let c = case.customer.as_ref();
    let mut segs = vec![
        format!("ST*850*{:04}", case.n % 10_000),
        format!("BEG*00*SA*{}**{}", case.po_number, edi_date(case.order_date)),
        format!("CUR*BY*{}", case.currency),
    ];
    if let Some(r) = case.requested {
        segs.push(format!("DTM*002*{}", edi_date(r)));
    }
    segs.push(format!(
        "N1*BY*{}*92*{}",
        customer_name(case).replace('*', " "),
        c.map_or("UNKNOWN", |c| c.customer_no.as_str())
    ));
    if case.print_ship_to
        && !case.foreign_ship_to
        && let Some(a) = &case.ship_to
    {
        segs.push(format!(
            "N1*ST*{}*92*{}",
            a.name.clone().unwrap_or_default().replace('*', " "),
            a.address_id.as_str()
        ));
    }
    for (i, l) in case.lines.iter().enumerate() {
        let mut po1 = format!(
            "PO1*{}*{}*{}*{}*",
            i + 1,
            l.quantity.normalize(),
            x12_unit(&l.unit),
            l.unit_price.map(|p| p.normalize().to_string()).unwrap_or_default()
        );
        match (&l.customer_part_no, &l.product) {
            (Some(cpn), _) => po1.push_str(&format!("*BP*{cpn}")),
            (None, Some(p)) => po1.push_str(&format!("*VP*{}", p.sku.as_str())),
            (None, None) => po1.push_str(&format!("*BP*{}", l.code.clone().unwrap_or_default())),
        }
        segs.push(po1);
        segs.push(format!("PID*F****{}", l.description.replace(['*', '~'], " ")));
    }
    segs.push(format!("CTT*{}", case.lines.len()));
    if case.print_total
        && let Some(t) = case.total()
    {
        segs.push(format!("AMT*TT*{}", t.normalize()));
    }
    segs.push(format!("SE*{}*{:04}", segs.len() + 1, case.n % 10_000));
    let d = case.order_date;
    let isa = format!(
        "ISA*00*          *00*          *ZZ*{:<15}*ZZ*{:<15}*{:02}{:02}{:02}*0930*U*00401*{:09}*0*P*>",
        format!("C{}", c.map_or("0", |c| c.customer_no.as_str())),
        "ORDERDESK",
        d.year() % 100,
        d.month(),
        d.day(),
        case.n
    );
    let gs = format!("GS*PO*SENDER*ORDERDESK*{}*0930*{}*X*004010", edi_date(d), case.n);
    let mut out = vec![isa, gs];
    out.extend(segs);
    out.push(format!("GE*1*{}", case.n));
    out.push(format!("IEA*1*{:09}", case.n));
    out.join("~\n") + "~\n"
}

fn edifact_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if matches!(c, '?' | '+' | ':' | '\'') {
                vec!['?', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

fn edifact(case: &Case) -> String {
    let c = case.customer.as_ref();
    let mut segs = vec![
        "UNH+1+ORDERS:D:96A:UN:EAN008".to_owned(),
        format!("BGM+220+{}+9", edifact_escape(&case.po_number)),
        format!("DTM+137:{}:102", edi_date(case.order_date)),
    ];
    if let Some(r) = case.requested {
        segs.push(format!("DTM+2:{}:102", edi_date(r)));
    }
    let addr = |a: Option<&domain::customer::ShipToAddress>| {
        a.map(|a| {
            format!(
                "++{}+{}+{}++{}+{}",
                edifact_escape(&a.name.clone().unwrap_or_default()),
                edifact_escape(&a.street.clone().unwrap_or_default()),
                edifact_escape(&a.city.clone().unwrap_or_default()),
                edifact_escape(&a.zip.clone().unwrap_or_default()),
                a.country.as_ref().map_or("", |c| c.as_str())
            )
        })
        .unwrap_or_default()
    };
    segs.push(format!(
        "NAD+BY+{}::92++{}",
        c.map_or("UNKNOWN", |c| c.customer_no.as_str()),
        edifact_escape(&customer_name(case))
    ));
    if case.print_ship_to
        && !case.foreign_ship_to
        && let Some(a) = &case.ship_to
    {
        segs.push(format!("NAD+DP+{}::92{}", a.address_id.as_str(), addr(Some(a))));
    }
    segs.push(format!("CUX+2:{}:9", case.currency));
    for (i, l) in case.lines.iter().enumerate() {
        match (&l.customer_part_no, &l.product) {
            (Some(cpn), _) => {
                segs.push(format!("LIN+{}", i + 1));
                segs.push(format!("PIA+5+{}:IN", edifact_escape(cpn)));
            }
            (None, Some(p)) => segs.push(format!("LIN+{}++{}:SA", i + 1, edifact_escape(p.sku.as_str()))),
            (None, None) => {
                segs.push(format!("LIN+{}", i + 1));
                segs.push(format!("PIA+5+{}:IN", edifact_escape(l.code.as_deref().unwrap_or(""))));
            }
        }
        segs.push(format!(
            "IMD+F++:::{}",
            edifact_escape(&l.description.chars().take(35).collect::<String>())
        ));
        segs.push(format!("QTY+21:{}:{}", l.quantity.normalize(), l.unit));
        if let Some(p) = l.unit_price {
            segs.push(format!("PRI+AAA:{}", p.normalize()));
        }
    }
    segs.push("UNS+S".into());
    if case.print_total
        && let Some(t) = case.total()
    {
        segs.push(format!("MOA+79:{}", t.normalize()));
    }
    segs.push(format!("CNT+2:{}", case.lines.len()));
    segs.push(format!("UNT+{}+1", segs.len() + 1));
    let d = case.order_date;
    let mut out = vec![
        "UNA:+.? '".to_owned(),
        format!(
            "UNB+UNOC:3+{}:14+ORDERDESK:14+{:02}{:02}{:02}:0930+{}",
            c.map_or("0", |c| c.customer_no.as_str()),
            d.year() % 100,
            d.month(),
            d.day(),
            case.n
        ),
    ];
    out.extend(segs);
    out.push(format!("UNZ+1+{}", case.n));
    // UNA is followed directly by the next segment; the others end with '.
    let mut text = out[0].clone();
    for s in &out[1..] {
        text.push_str(s);
        text.push_str("'\n");
    }
    text
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ubl(case: &Case) -> String {
    let c = case.customer.as_ref();
    let cur = &case.currency;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\" xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n",
    );
    x.push_str("  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>\n");
    x.push_str(&format!(
        "  <cbc:ID>{}</cbc:ID>\n  <cbc:IssueDate>{}</cbc:IssueDate>\n",
        xml_escape(&case.po_number),
        case.order_date
    ));
    x.push_str(&format!(
        "  <cbc:DocumentCurrencyCode>{cur}</cbc:DocumentCurrencyCode>\n"
    ));
    x.push_str(&format!(
        "  <cac:BuyerCustomerParty><cac:Party><cac:PartyIdentification><cbc:ID>{}</cbc:ID></cac:PartyIdentification><cac:PartyName><cbc:Name>{}</cbc:Name></cac:PartyName></cac:Party></cac:BuyerCustomerParty>\n",
        c.map_or("UNKNOWN", |c| c.customer_no.as_str()),
        xml_escape(&customer_name(case))
    ));
    x.push_str("  <cac:SellerSupplierParty><cac:Party><cac:PartyName><cbc:Name>Orderdesk Demo GmbH</cbc:Name></cac:PartyName></cac:Party></cac:SellerSupplierParty>\n");
    let ship = case
        .ship_to
        .as_ref()
        .filter(|_| case.print_ship_to && !case.foreign_ship_to);
    if ship.is_some() || case.requested.is_some() {
        x.push_str("  <cac:Delivery>");
        if let Some(a) = ship {
            x.push_str(&format!(
                "<cac:DeliveryLocation><cbc:ID>{}</cbc:ID><cac:Address><cbc:StreetName>{}</cbc:StreetName><cbc:CityName>{}</cbc:CityName><cbc:PostalZone>{}</cbc:PostalZone></cac:Address></cac:DeliveryLocation>",
                a.address_id.as_str(),
                xml_escape(&a.street.clone().unwrap_or_default()),
                xml_escape(&a.city.clone().unwrap_or_default()),
                xml_escape(&a.zip.clone().unwrap_or_default())
            ));
        }
        if let Some(r) = case.requested {
            x.push_str(&format!(
                "<cac:RequestedDeliveryPeriod><cbc:StartDate>{r}</cbc:StartDate></cac:RequestedDeliveryPeriod>"
            ));
        }
        x.push_str("</cac:Delivery>\n");
    }
    if case.print_total
        && let Some(t) = case.total()
    {
        x.push_str(&format!(
            "  <cac:AnticipatedMonetaryTotal><cbc:LineExtensionAmount currencyID=\"{cur}\">{}</cbc:LineExtensionAmount></cac:AnticipatedMonetaryTotal>\n",
            t.normalize()
        ));
    }
    for (i, l) in case.lines.iter().enumerate() {
        x.push_str(&format!(
            "  <cac:OrderLine><cac:LineItem><cbc:ID>{}</cbc:ID><cbc:Quantity unitCode=\"{}\">{}</cbc:Quantity>",
            i + 1,
            l.unit,
            l.quantity.normalize()
        ));
        if let Some(p) = l.unit_price {
            x.push_str(&format!(
                "<cac:Price><cbc:PriceAmount currencyID=\"{cur}\">{}</cbc:PriceAmount></cac:Price>",
                p.normalize()
            ));
        }
        x.push_str(&format!(
            "<cac:Item><cbc:Name>{}</cbc:Name>",
            xml_escape(&l.description)
        ));
        if let Some(cpn) = &l.customer_part_no {
            x.push_str(&format!(
                "<cac:BuyersItemIdentification><cbc:ID>{}</cbc:ID></cac:BuyersItemIdentification>",
                xml_escape(cpn)
            ));
        } else if let Some(p) = &l.product {
            x.push_str(&format!(
                "<cac:SellersItemIdentification><cbc:ID>{}</cbc:ID></cac:SellersItemIdentification>",
                xml_escape(p.sku.as_str())
            ));
        } else if let Some(code) = &l.code {
            x.push_str(&format!(
                "<cac:BuyersItemIdentification><cbc:ID>{}</cbc:ID></cac:BuyersItemIdentification>",
                xml_escape(code)
            ));
        }
        x.push_str("</cac:Item></cac:LineItem></cac:OrderLine>\n");
    }
    x.push_str("</Order>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_per_locale() {
        let d: Decimal = "1234.5".parse().unwrap();
        assert_eq!(price(d, GERMAN), "1.234,50");
        assert_eq!(price(d, ENGLISH), "1,234.50");
        assert_eq!(quantity(Decimal::from(500), GERMAN), "500");
        assert_eq!(price("0.1784".parse().unwrap(), GERMAN), "0,1784");
        let day = Date::new(2026, 11, 2).unwrap();
        assert_eq!(date(day, DateStyle::LongDe), "2. Nov. 2026");
        assert_eq!(date(day, DateStyle::UsSlash), "11/02/2026");
        assert_eq!(date(day, DateStyle::ShortDots), "02.11.26");
    }
}

//! Families written from descriptions of real documents rather than from
//! what the extractor reads, to measure how it does on layouts it was not
//! written against (`orderdesk corpus generate --families …`):
//!
//! - `procurement-csv`: the flat export of a buyer's purchasing system (SAP
//!   MM, Coupa and the like) attached to a short mail. One row per PO item,
//!   every row repeating the PO header; the system's own column names
//!   (Einkaufsbeleg, Bestellmenge, BME, Nettopreis, PE …); the buyer's
//!   material number beside ours; units as the ERP keys them (ST, KAR, PAK);
//!   prices per price unit (per 100 for cheap parts); the buyer's vendor
//!   number for us, which is not our customer number; plant codes.
//! - `forwarded`: an order a customer mailed to a sales representative,
//!   forwarded from Outlook to the order inbox. The outer sender is our own
//!   colleague, a day after the order; the body has the representative's
//!   note, Outlook's header block of the original (Von/Gesendet/An/Betreff
//!   or From/Sent/To/Subject) and the original text below.
//! - `erp-print`: the purchase order as an ERP prints it (SAP style):
//!   buyer's letterhead, our address in the window, an info block with
//!   "Bestellnummer/Datum 4500012345 / 30.11.2026" in one field, items
//!   numbered 00010, 00020 … with a second and third line per item (our
//!   material number, the delivery date), prices per price unit, a carry
//!   forward ("Übertrag") at each page break and the net total at the end.

use super::{
    DateStyle, ENGLISH, GERMAN, Locale, Placed, cover_body, csv_text, customer_name, date, mail, pdf_bytes, price,
    quantity, safe, ship_to_lines, subject, text_table_body, word,
};
use crate::plan::{Case, CaseLine};
use rust_decimal::Decimal;

/// How a purchasing system keys a unit (SAP's internal unit keys).
fn erp_unit(code: &str, german: bool) -> &'static str {
    match (code, german) {
        ("C62", true) => "ST",
        ("C62", false) => "PC",
        ("BX", true) => "KAR",
        ("BX", false) => "BOX",
        ("PK", true) => "PAK",
        ("PK", false) => "PAC",
        ("SET", _) => "SET",
        ("PR", true) => "PAA",
        ("PR", false) => "PAA",
        ("RO", true) => "ROL",
        ("RO", false) => "ROL",
        ("MTR", _) => "M",
        ("KGM", _) => "KG",
        ("LTR", _) => "L",
        _ => "ST",
    }
}

/// The price unit an ERP prints a price per: 100 for parts under a euro.
fn price_unit(l: &CaseLine) -> Decimal {
    match l.unit_price {
        Some(p) if p < Decimal::ONE => Decimal::ONE_HUNDRED,
        _ => Decimal::ONE,
    }
}

/// The buyer's own material number for a line they have none of ours for.
fn buyer_material(case: &Case, i: usize) -> String {
    format!("{}", 7_000_000 + (case.n * 131 + i * 17) % 900_000)
}

/// The buyer's vendor number for us (their supplier account, not our customer number).
fn vendor_number(case: &Case) -> String {
    format!("{}", 300_000 + case.n * 7 % 90_000)
}

/// German systems print 30.11.2026; American ones 11/30/2026, others 30/11/2026.
fn locale(case: &Case) -> Locale {
    let american = case
        .customer
        .as_ref()
        .and_then(|c| c.billing_address.country)
        .is_some_and(|c| c.as_str() == "US");
    if case.german {
        GERMAN
    } else {
        Locale {
            date: if american {
                DateStyle::UsSlash
            } else {
                DateStyle::UkSlash
            },
            ..ENGLISH
        }
    }
}

pub(super) fn procurement_csv(case: &Case) -> String {
    let loc = Locale {
        group: None,
        ..locale(case)
    };
    let head: [&str; 19] = if case.german {
        [
            "Einkaufsbeleg",
            "Belegdatum",
            "Kreditor",
            "Position",
            "Material",
            "Lieferantenmaterialnummer",
            "Kurztext",
            "Bestellmenge",
            "BME",
            "Nettopreis",
            "PE",
            "Nettowert",
            "Währung",
            "Lieferdatum",
            "Werk",
            "Lief.-Name",
            "Lief.-Straße",
            "Lief.-PLZ",
            "Lief.-Ort",
        ]
    } else {
        [
            "Purchasing Document",
            "Document Date",
            "Vendor",
            "Item",
            "Material",
            "Vendor Material Number",
            "Short Text",
            "PO Quantity",
            "Order Unit",
            "Net Price",
            "Price Unit",
            "Net Order Value",
            "Currency",
            "Delivery Date",
            "Plant",
            "Ship-to Name",
            "Ship-to Street",
            "Ship-to Postal Code",
            "Ship-to City",
        ]
    };
    let sep = if case.german { ';' } else { ',' };
    let ship = ship_to_lines(case).unwrap_or_default();
    // The postal code and city as their own columns.
    let (zip, city) = match (&case.ship_to, case.foreign_ship_to, ship.is_empty()) {
        (_, _, true) => (String::new(), String::new()),
        (_, true, false) => ("99999".to_owned(), "Nirgendwo".to_owned()),
        (Some(a), false, false) => (a.zip.clone().unwrap_or_default(), a.city.clone().unwrap_or_default()),
        (None, false, false) => (String::new(), String::new()),
    };
    let mut rows = vec![head.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    for (i, l) in case.lines.iter().enumerate() {
        let pe = price_unit(l);
        let (material, ours) = match (&l.customer_part_no, &l.product) {
            (Some(cpn), Some(p)) => (
                cpn.clone(),
                if i % 2 == 0 {
                    p.sku.as_str().to_owned()
                } else {
                    String::new()
                },
            ),
            (None, Some(p)) if l.code.is_some() => (buyer_material(case, i), p.sku.as_str().to_owned()),
            _ => (String::new(), l.code.clone().unwrap_or_default()),
        };
        let delivery = l.delivery_date.or(case.requested);
        rows.push(vec![
            case.po_number.clone(),
            date(case.order_date, loc.date),
            vendor_number(case),
            format!("{}", (i + 1) * 10),
            material,
            ours,
            l.description.clone(),
            quantity(l.quantity, loc),
            erp_unit(&l.unit, case.german).to_owned(),
            l.unit_price.map(|p| price(p * pe, loc)).unwrap_or_default(),
            pe.to_string(),
            l.unit_price
                .map(|p| price((p * l.quantity).round_dp(2), loc))
                .unwrap_or_default(),
            case.currency.clone(),
            delivery.map(|d| date(d, loc.date)).unwrap_or_default(),
            "1000".to_owned(),
            ship.first().cloned().unwrap_or_default(),
            ship.get(1).cloned().unwrap_or_default(),
            zip.clone(),
            city.clone(),
        ]);
    }
    csv_text(rows, sep)
}

pub(super) fn procurement_mail(case: &Case, rng: &mut fastrand::Rng) -> Vec<u8> {
    let csv = procurement_csv(case);
    let name = format!("EKKO_{}.csv", safe(&case.po_number));
    mail(
        case,
        &cover_body(case),
        None,
        Some((&name, "text/csv", csv.as_bytes())),
        rng,
    )
}

/// Our colleague who forwards a customer's order.
const REPRESENTATIVE: (&str, &str) = ("Thomas Keller", "t.keller@orderdesk.example");

pub(super) fn forwarded(case: &Case, rng: &mut fastrand::Rng) -> Vec<u8> {
    let sent = case.order_date;
    // The original: a table in the text, or items written as sentences.
    let original = if case.n.is_multiple_of(2) {
        text_table_body(case)
    } else {
        super::free_form_body(case)
    };
    let (note, block) = if case.german {
        (
            "Hallo zusammen,\n\nbitte erfassen, Kunde hat mir direkt geschrieben.\n\nGruß\nThomas\n\n".to_owned(),
            format!(
                "-----Ursprüngliche Nachricht-----\nVon: {} <{}>\nGesendet: {}, {} {}:{:02}\nAn: Keller, Thomas <{}>\nBetreff: {}\n\n",
                case.sender_name,
                case.sender,
                [
                    "Montag",
                    "Dienstag",
                    "Mittwoch",
                    "Donnerstag",
                    "Freitag",
                    "Samstag",
                    "Sonntag"
                ][sent.weekday().to_monday_zero_offset() as usize],
                date(sent, DateStyle::LongDe),
                8 + case.n % 9,
                case.n % 60,
                REPRESENTATIVE.1,
                subject(case)
            ),
        )
    } else {
        (
            "Hi team,\n\nplease enter this one, the customer sent it to me directly.\n\nThanks,\nThomas\n\n".to_owned(),
            format!(
                "From: {} <{}>\nSent: {}, {} {}:{:02} AM\nTo: Keller, Thomas <{}>\nSubject: {}\n\n",
                case.sender_name,
                case.sender,
                [
                    "Monday",
                    "Tuesday",
                    "Wednesday",
                    "Thursday",
                    "Friday",
                    "Saturday",
                    "Sunday"
                ][sent.weekday().to_monday_zero_offset() as usize],
                date(sent, DateStyle::LongEn),
                8 + case.n % 4,
                case.n % 60,
                REPRESENTATIVE.1,
                subject(case)
            ),
        )
    };
    let body = format!("{note}{block}{original}");
    // The forward comes from our colleague, a day later.
    let mut outer = case.clone();
    outer.sender = REPRESENTATIVE.1.to_owned();
    outer.sender_name = REPRESENTATIVE.0.to_owned();
    outer.order_date = sent.tomorrow().unwrap_or(sent);
    let mut bytes = mail(&outer, &body, None, None, rng);
    // Outlook marks the subject of a forward.
    let mark = if case.german { "WG: " } else { "FW: " };
    let plain = format!("Subject: {}", subject(case));
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if text.contains(&plain) {
        bytes = text
            .replacen(&plain, &format!("Subject: {mark}{}", subject(case)), 1)
            .into_bytes();
    }
    bytes
}

pub(super) fn erp_print_mail(case: &Case, rng: &mut fastrand::Rng) -> Vec<u8> {
    let pdf = erp_print(case);
    let name = format!("{}.pdf", safe(&case.po_number));
    mail(
        case,
        &cover_body(case),
        None,
        Some((&name, "application/pdf", &pdf)),
        rng,
    )
}

fn erp_print(case: &Case) -> Vec<u8> {
    let de = case.german;
    let loc = locale(case);
    let size = 8.5;
    let top = 800.0;
    let mut pages: Vec<Vec<Placed>> = Vec::new();
    let mut page: Vec<Placed> = Vec::new();
    let mut y = top;
    let put = |page: &mut Vec<Placed>, x: f32, y: f32, t: String, bold: bool| {
        if !t.is_empty() {
            page.push((x, y, t, bold));
        }
    };
    // The buyer's letterhead with their return address line above our window.
    put(&mut page, 40.0, y, customer_name(case), true);
    y -= 11.0;
    if let Some(c) = &case.customer {
        put(
            &mut page,
            40.0,
            y,
            format!(
                "{}, {} {}, {} {} {}",
                customer_name(case),
                c.billing_address.zip.clone().unwrap_or_default(),
                c.billing_address.city.clone().unwrap_or_default(),
                word(case, "Postfach", "PO Box"),
                1000 + case.n % 8000,
                c.billing_address
                    .country
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default()
            ),
            false,
        );
    }
    y -= 22.0;
    for l in [
        "Technischer Großhandel Orderdesk GmbH",
        "Hafenstraße 12",
        "20457 Hamburg",
    ] {
        put(&mut page, 40.0, y, l.to_owned(), false);
        y -= 11.0;
    }
    // The info block on the right.
    let mut iy = top - 44.0;
    let title = word(case, "Bestellung", "Purchase Order");
    put(&mut page, 330.0, iy, title.clone(), true);
    iy -= 14.0;
    let info = [
        (
            word(case, "Bestellnummer/Datum", "PO number/date"),
            format!("{} / {}", case.po_number, date(case.order_date, loc.date)),
        ),
        (
            word(case, "Ansprechpartner/Telefon", "Contact/Telephone"),
            format!("{} / +49 40 {}", case.sender_name, 1000 + case.n % 9000),
        ),
        (
            word(case, "Ihre Lieferantennummer bei uns", "Your vendor number with us"),
            vendor_number(case),
        ),
        (
            word(case, "Einkäufergruppe", "Purchasing group"),
            format!("E{:02}", case.n % 40),
        ),
    ];
    for (label, value) in info {
        put(&mut page, 330.0, iy, label, false);
        put(&mut page, 460.0, iy, value, false);
        iy -= 11.0;
    }
    y = y.min(iy) - 16.0;
    put(
        &mut page,
        40.0,
        y,
        word(
            case,
            "Bitte bei Schriftverkehr stets Bestellnummer angeben.",
            "Please quote the PO number on all correspondence.",
        ),
        false,
    );
    y -= 14.0;
    if let Some(lines) = ship_to_lines(case) {
        put(
            &mut page,
            40.0,
            y,
            word(case, "Bitte liefern Sie an:", "Please deliver to:"),
            true,
        );
        for l in lines {
            y -= 11.0;
            put(&mut page, 150.0, y, l, false);
        }
        y -= 16.0;
    }
    let columns: [(&str, f32); 7] = if de {
        [
            ("Pos.", 40.0),
            ("Material", 75.0),
            ("Bezeichnung", 150.0),
            ("Bestellmenge", 345.0),
            ("ME", 405.0),
            ("Preis pro PE", 430.0),
            ("Nettowert", 515.0),
        ]
    } else {
        [
            ("Item", 40.0),
            ("Material", 75.0),
            ("Description", 150.0),
            ("Order qty", 345.0),
            ("Unit", 405.0),
            ("Price per unit", 430.0),
            ("Net value", 515.0),
        ]
    };
    let header = |page: &mut Vec<Placed>, y: f32| {
        for (label, x) in columns {
            put(page, x, y, label.to_owned(), true);
        }
    };
    header(&mut page, y);
    y -= 14.0;
    let mut carried = Decimal::ZERO;
    let all_priced = case.lines.iter().all(|l| l.unit_price.is_some());
    for (i, l) in case.lines.iter().enumerate() {
        if y < 110.0 {
            if all_priced {
                put(
                    &mut page,
                    380.0,
                    y - 4.0,
                    word(case, "Übertrag", "Carried forward"),
                    true,
                );
                put(&mut page, 515.0, y - 4.0, price(carried, loc), true);
            }
            pages.push(std::mem::take(&mut page));
            y = top;
            put(&mut page, 40.0, y, format!("{title} {}", case.po_number), true);
            y -= 20.0;
            header(&mut page, y);
            y -= 14.0;
            if all_priced {
                put(&mut page, 380.0, y, word(case, "Übertrag", "Brought forward"), true);
                put(&mut page, 515.0, y, price(carried, loc), true);
                y -= 14.0;
            }
        }
        let pe = price_unit(l);
        let unit = erp_unit(&l.unit, de);
        let (material, ours) = match (&l.customer_part_no, &l.product) {
            (Some(cpn), Some(p)) => (cpn.clone(), (i % 2 == 0).then(|| p.sku.as_str().to_owned())),
            (None, Some(p)) if l.code.is_some() => (buyer_material(case, i), Some(p.sku.as_str().to_owned())),
            _ => (String::new(), l.code.clone()),
        };
        let mut description = l.description.clone();
        if description.chars().count() > 38 {
            description = description.chars().take(38).collect();
        }
        put(&mut page, 40.0, y, format!("{:05}", (i + 1) * 10), false);
        put(&mut page, 75.0, y, material, false);
        put(&mut page, 150.0, y, description, false);
        put(&mut page, 345.0, y, quantity(l.quantity, loc), false);
        put(&mut page, 405.0, y, unit.to_owned(), false);
        if let Some(p) = l.unit_price {
            put(
                &mut page,
                430.0,
                y,
                format!("{} / {pe} {unit}", price(p * pe, loc)),
                false,
            );
            let value = (p * l.quantity).round_dp(2);
            carried += value;
            put(&mut page, 515.0, y, price(value, loc), false);
        }
        if let Some(ours) = ours {
            y -= 10.0;
            put(
                &mut page,
                150.0,
                y,
                format!("{} {ours}", word(case, "Ihre Materialnummer:", "Your material number:")),
                false,
            );
        }
        if let Some(d) = l.delivery_date.or(case.requested) {
            y -= 10.0;
            put(
                &mut page,
                150.0,
                y,
                format!(
                    "{} {}",
                    word(case, "Liefertermin: Tag", "Delivery date: day"),
                    date(d, loc.date)
                ),
                false,
            );
        }
        y -= 14.0;
    }
    if case.print_total
        && let Some(total) = case.total()
    {
        y -= 6.0;
        put(
            &mut page,
            330.0,
            y,
            format!(
                "{} {}",
                word(case, "Gesamtnettowert ohne Mwst", "Total net value excl. tax"),
                case.currency
            ),
            true,
        );
        put(&mut page, 515.0, y, price(total, loc), true);
        y -= 16.0;
    }
    put(
        &mut page,
        40.0,
        y - 10.0,
        word(
            case,
            "Es gelten unsere Allgemeinen Einkaufsbedingungen. Zahlung 30 Tage netto.",
            "Our general terms of purchase apply. Payment 30 days net.",
        ),
        false,
    );
    pages.push(page);
    pdf_bytes(&title, size, de, pages)
}

/// The B2B marketplace that sends order notifications for our customers.
const MARKETPLACE: (&str, &str) = ("Beschaffungsplattform", "noreply@beschaffung-marktplatz.example");

/// `marketplace`: an order a customer placed on a B2B marketplace (Mercateo/
/// Unite or Amazon Business style), notified by the platform in an HTML
/// mail. The sender is the platform; its own order id stands beside the
/// customer's PO number; buyer, invoice and delivery addresses in blocks;
/// the supplier's customer number for the buyer only sometimes; a table of
/// quantity, unit, supplier article number, name, net unit price and net
/// amount; then net sum, VAT and gross sum.
pub(super) fn marketplace(case: &Case, rng: &mut fastrand::Rng) -> Vec<u8> {
    let de = case.german;
    let loc = locale(case);
    let platform_id = format!(
        "{}-{:07}-{:07}",
        300 + case.n % 700,
        (case.n * 7919) % 10_000_000,
        (case.n * 104_729) % 10_000_000
    );
    let esc = super::escape_html;
    let mut html = String::from("<html><body style=\"font-family:Arial\">");
    html.push_str(&format!(
        "<h2>{}</h2>",
        word(case, "Neue Bestellung für Sie", "You have a new order")
    ));
    html.push_str(&format!(
        "<p>{}</p>",
        word(
            case,
            "über die Beschaffungsplattform ist eine neue Bestellung eingegangen. Bitte bestätigen Sie die Bestellung innerhalb von 24 Stunden.",
            "a buyer has placed a new order through the procurement platform. Please confirm it within 24 hours.",
        )
    ));
    let mut facts = vec![
        (
            word(case, "Plattform-Auftrags-ID", "Platform order ID"),
            platform_id.clone(),
        ),
        (
            word(case, "Bestellnummer des Kunden", "Buyer PO number"),
            case.po_number.clone(),
        ),
        (
            word(case, "Bestelldatum", "Order date"),
            date(case.order_date, loc.date),
        ),
        (word(case, "Käufer", "Buyer"), customer_name(case)),
        (
            word(case, "Besteller", "Ordered by"),
            format!("{} ({})", case.sender_name, case.sender),
        ),
    ];
    if let Some(c) = &case.customer
        && case.n.is_multiple_of(2)
    {
        facts.push((
            word(case, "Kundennummer beim Lieferanten", "Customer number at supplier"),
            c.customer_no.as_str().to_owned(),
        ));
    }
    if let Some(r) = case.requested {
        facts.push((
            word(case, "Gewünschtes Lieferdatum", "Requested delivery"),
            date(r, loc.date),
        ));
    }
    html.push_str("<table cellpadding=\"4\">");
    for (k, v) in &facts {
        html.push_str(&format!("<tr><td><b>{}</b></td><td>{}</td></tr>", esc(k), esc(v)));
    }
    html.push_str("</table>");
    let billing = case.customer.as_ref().map(|c| {
        vec![
            customer_name(case),
            c.billing_address.street.clone().unwrap_or_default(),
            format!(
                "{} {}",
                c.billing_address.zip.clone().unwrap_or_default(),
                c.billing_address.city.clone().unwrap_or_default()
            ),
        ]
    });
    html.push_str("<table cellpadding=\"4\"><tr>");
    if let Some(b) = &billing {
        html.push_str(&format!(
            "<td valign=\"top\"><b>{}</b><br>{}</td>",
            word(case, "Rechnungsadresse", "Billing address"),
            b.iter().map(|l| esc(l)).collect::<Vec<_>>().join("<br>")
        ));
    }
    if let Some(s) = ship_to_lines(case) {
        html.push_str(&format!(
            "<td valign=\"top\"><b>{}</b><br>{}</td>",
            word(case, "Lieferadresse", "Shipping address"),
            s.iter().map(|l| esc(l)).collect::<Vec<_>>().join("<br>")
        ));
    }
    html.push_str("</tr></table>");
    let head: [&str; 7] = if de {
        [
            "Pos.",
            "Menge",
            "Einheit",
            "Art.-Nr. Lieferant",
            "Artikelbezeichnung",
            "Einzelpreis netto",
            "Gesamtpreis netto",
        ]
    } else {
        [
            "Item",
            "Qty",
            "Unit",
            "Supplier SKU",
            "Product",
            "Unit price (net)",
            "Subtotal (net)",
        ]
    };
    html.push_str("<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\"><tr>");
    for h in head {
        html.push_str(&format!("<th>{h}</th>"));
    }
    html.push_str("</tr>");
    for (i, l) in case.lines.iter().enumerate() {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            quantity(l.quantity, loc),
            super::unit_word(&l.unit, de),
            esc(l.code.as_deref().unwrap_or("")),
            esc(&l.description),
            l.unit_price
                .map(|p| format!("{} {}", price(p, loc), case.currency))
                .unwrap_or_else(|| word(case, "auf Anfrage", "on request")),
            l.unit_price
                .map(|p| format!("{} {}", price((p * l.quantity).round_dp(2), loc), case.currency))
                .unwrap_or_default()
        ));
    }
    html.push_str("</table>");
    if case.print_total
        && let Some(net) = case.total()
    {
        let vat = (net * Decimal::new(19, 2)).round_dp(2);
        for (label, value) in [
            (word(case, "Summe netto", "Items subtotal"), net),
            (word(case, "zzgl. MwSt. 19 %", "VAT 19%"), vat),
            (word(case, "Summe brutto", "Order total"), net + vat),
        ] {
            html.push_str(&format!(
                "<p><b>{}:</b> {} {}</p>",
                esc(&label),
                price(value, loc),
                case.currency
            ));
        }
    }
    html.push_str(&format!(
        "<p style=\"color:#888\">{}</p></body></html>",
        word(
            case,
            "Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht auf diese E-Mail.",
            "This e-mail was sent automatically. Please do not reply.",
        )
    ));
    // The plain part as platforms write it: the facts and a text list.
    let mut text = String::new();
    for (k, v) in &facts {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push('\n');
    for (i, l) in case.lines.iter().enumerate() {
        text.push_str(&format!(
            "{}. {} {} {} {}\n",
            i + 1,
            quantity(l.quantity, loc),
            super::unit_word(&l.unit, de),
            l.code.as_deref().unwrap_or(""),
            l.description
        ));
    }
    let mut outer = case.clone();
    outer.sender = MARKETPLACE.1.to_owned();
    outer.sender_name = MARKETPLACE.0.to_owned();
    let mut bytes = mail(&outer, &text, Some(&html), None, rng);
    let plain = format!("Subject: {}", subject(case));
    let platform_subject = format!("Subject: {} {platform_id}", word(case, "Neue Bestellung", "New order"));
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if text.contains(&plain) {
        bytes = text.replacen(&plain, &platform_subject, 1).into_bytes();
    }
    bytes
}

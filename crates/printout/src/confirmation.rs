//! The order confirmation: letterhead, the customer's address in the
//! window, our order number beside the customer's PO and date, bill-to and
//! ship-to, the lines (with what differs from the order marked), totals,
//! terms, and the legal footer with page numbers.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::format::{amount, date, price, quantity, unit_name};
use crate::layout::{LEFT, RIGHT, Sheet, Style, wrap};
use crate::{Language, Letterhead, MAX_LINES, MAX_LOGO_BYTES, PrintError};

/// What a confirmed line differs in from what the customer ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineChange {
    /// Another quantity than ordered (`ordered` in `unit`).
    Quantity { ordered: Decimal, unit: String },
    /// Delivered later (or earlier) than the date asked for.
    DeliveryDate { requested: Date },
    /// Another price than the customer stated.
    Price { stated: Decimal },
    /// Another product than the one ordered (as the customer named it).
    Product { ordered: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedLine {
    pub line_no: u32,
    /// Our article number.
    pub sku: Option<String>,
    pub customer_part_no: Option<String>,
    pub description: String,
    pub quantity: Decimal,
    /// UN/ECE Rec. 20.
    pub unit: String,
    pub unit_price: Decimal,
    pub delivery_date: Option<Date>,
    pub changes: Vec<LineChange>,
}

impl ConfirmedLine {
    pub fn amount(&self) -> Decimal {
        (self.quantity * self.unit_price).round_dp(2)
    }
}

/// What the document is: the same letter serves an order confirmation and a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Purpose {
    #[default]
    Confirmation,
    /// A quote, binding until the day given.
    Quote { valid_until: Date },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub purpose: Purpose,
    pub language: Language,
    /// Our order number (`AB-1042`).
    pub number: String,
    pub date: Date,
    /// 1 for the first confirmation, then one more per amendment.
    pub revision: u32,
    pub customer_no: Option<String>,
    pub customer_po: Option<String>,
    pub po_date: Option<Date>,
    pub requested_delivery: Option<Date>,
    /// Who at our company answers questions about it.
    pub contact: Option<String>,
    /// Name and address of the customer, one line each.
    pub bill_to: Vec<String>,
    /// The delivery address when it is not the bill-to address.
    pub ship_to: Option<Vec<String>>,
    pub currency: String,
    pub lines: Vec<ConfirmedLine>,
    pub payment_terms: Option<String>,
    pub incoterms: Option<String>,
    /// Signs the letter (`Ihr Auftragsteam`).
    pub signature: String,
}

impl Confirmation {
    pub fn is_quote(&self) -> bool {
        matches!(self.purpose, Purpose::Quote { .. })
    }

    pub fn total(&self) -> Decimal {
        self.lines.iter().map(ConfirmedLine::amount).sum()
    }

    /// `Auftragsbestätigung AB-1042`, or the changed one's title; `Angebot AN-17`.
    pub fn title(&self) -> String {
        if let Purpose::Quote { .. } = self.purpose {
            let what = self.language.pick("Angebot", "Quotation");
            return match self.revision {
                0 | 1 => format!("{what} {}", self.number),
                n => format!(
                    "{what} {} ({} {n})",
                    self.number,
                    self.language.pick("Version", "revision")
                ),
            };
        }
        let what = match (self.language, self.revision > 1) {
            (Language::German, false) => "Auftragsbestätigung",
            (Language::German, true) => "Geänderte Auftragsbestätigung",
            (Language::English, false) => "Order confirmation",
            (Language::English, true) => "Amended order confirmation",
        };
        format!("{what} {}", self.number)
    }
}

// Column edges of the line table (points from the left edge of the page).
const POS: f32 = LEFT;
const ARTICLE: f32 = LEFT + 26.0;
const DESCRIPTION: f32 = LEFT + 108.0;
const DESCRIPTION_WIDTH: f32 = 128.0;
const QTY_RIGHT: f32 = LEFT + 290.0;
const UNIT: f32 = LEFT + 295.0;
const PRICE_RIGHT: f32 = LEFT + 372.0;
const AMOUNT_RIGHT: f32 = LEFT + 436.0;
const DELIVERY_RIGHT: f32 = RIGHT;

/// Lowest baseline for body text: the footer lies below.
const BOTTOM: f32 = 752.0;

const BODY: Style = Style::regular(9.5);
const SMALL: Style = Style::grey(7.5);
const CELL: Style = Style::regular(8.5);
const CELL_BOLD: Style = Style::bold(8.5);
const NOTE: Style = Style::grey(7.5);

fn change_text(change: &LineChange, l: Language) -> String {
    match change {
        LineChange::Quantity { ordered, unit } => format!(
            "{} {} {}",
            l.pick("bestellt", "ordered"),
            quantity(*ordered, l),
            unit_name(unit, l)
        ),
        LineChange::DeliveryDate { requested } => {
            format!("{} {}", l.pick("gewünscht", "requested"), date(*requested, l))
        }
        LineChange::Price { stated } => format!("{} {}", l.pick("Ihr Preis", "your price"), price(*stated, l)),
        LineChange::Product { ordered } => format!("{} {ordered}", l.pick("bestellt war", "ordered was")),
    }
}

/// Renders the confirmation as PDF bytes.
pub fn render_confirmation(c: &Confirmation, head: &Letterhead) -> Result<Vec<u8>, PrintError> {
    if c.lines.len() > MAX_LINES {
        return Err(PrintError::TooLong {
            lines: c.lines.len(),
            max: MAX_LINES,
        });
    }
    let l = c.language;
    let title = c.title();
    let mut sheet = Sheet::new(&title);
    if let Some(logo) = &head.logo {
        if logo.len() > MAX_LOGO_BYTES {
            return Err(PrintError::Logo(format!(
                "{} bytes, more than {MAX_LOGO_BYTES}",
                logo.len()
            )));
        }
        sheet
            .image_top_right(logo, RIGHT, 36.0, 150.0, 48.0)
            .map_err(PrintError::Logo)?;
    }
    letterhead(&mut sheet, head);
    let mut y = address_and_facts(&mut sheet, c, head);

    sheet.text(LEFT, y, &title, Style::bold(14.0));
    y += 20.0;
    let intro = match (l, c.revision > 1) {
        (Language::German, _) if c.is_quote() => {
            "vielen Dank für Ihre Anfrage. Gerne bieten wir Ihnen freibleibend an:"
        }
        (Language::English, _) if c.is_quote() => "Thank you for your enquiry. We are pleased to quote as follows:",
        (Language::German, false) => "vielen Dank für Ihre Bestellung. Wir bestätigen sie wie folgt:",
        (Language::German, true) => {
            "Ihre Bestellung hat sich geändert. Diese Bestätigung ersetzt die vorige; es gilt der folgende Stand:"
        }
        (Language::English, false) => "Thank you for your order. We confirm it as follows:",
        (Language::English, true) => "Your order has changed. This confirmation replaces the previous one:",
    };
    let greeting = l.pick("Sehr geehrte Damen und Herren,", "Dear Sir or Madam,");
    sheet.text(LEFT, y, greeting, BODY);
    y += 20.0;
    for line in wrap(intro, BODY, RIGHT - LEFT) {
        sheet.text(LEFT, y, &line, BODY);
        y += 13.0;
    }
    y += 8.0;

    y = table_header(&mut sheet, y, l);
    let any_change = c.lines.iter().any(|x| !x.changes.is_empty());
    for line in &c.lines {
        y = table_line(&mut sheet, y, line, c, l);
    }
    sheet.rule(LEFT, RIGHT, y - 6.0, 0.6, 0.2);
    y += 8.0;

    // Totals, terms and the closing stay together on one page.
    let mut closing = Vec::new();
    if any_change {
        closing.push((
            l.pick(
                "* Abweichung von Ihrer Bestellung; was Sie bestellt hatten, steht darunter.",
                "* Differs from your order; what you ordered is shown below the line.",
            )
            .to_owned(),
            NOTE,
        ));
    }
    closing.push((
        l.pick(
            "Alle Preise netto zuzüglich der gesetzlichen Umsatzsteuer.",
            "All prices are net, plus VAT where applicable.",
        )
        .to_owned(),
        NOTE,
    ));
    if let Some(p) = c.payment_terms.as_deref().filter(|p| !p.trim().is_empty()) {
        closing.push((format!("{}: {p}", l.pick("Zahlungsbedingungen", "Payment terms")), BODY));
    }
    if let Some(i) = c.incoterms.as_deref().filter(|i| !i.trim().is_empty()) {
        closing.push((format!("{}: {i}", l.pick("Lieferbedingungen", "Delivery terms")), BODY));
    }
    closing.push((String::new(), BODY));
    let closing_text = match c.purpose {
        Purpose::Quote { valid_until } => match l {
            Language::German => format!(
                "Dieses Angebot gilt bis zum {}. Zur Bestellung antworten Sie einfach auf diese Mail.",
                date(valid_until, l)
            ),
            Language::English => format!(
                "This quotation is valid until {}. To order, simply reply to this mail.",
                date(valid_until, l)
            ),
        },
        Purpose::Confirmation => l
            .pick(
                "Bitte prüfen Sie diese Bestätigung. Weicht sie von Ihrer Bestellung ab, antworten Sie einfach auf diese Mail.",
                "Please check this confirmation. If anything differs from your order, simply reply to this mail.",
            )
            .to_owned(),
    };
    closing.push((closing_text, BODY));
    closing.push((String::new(), BODY));
    closing.push((l.pick("Mit freundlichen Grüßen", "Kind regards").to_owned(), BODY));
    closing.push((c.signature.clone(), BODY));
    let wrapped: Vec<(String, Style)> = closing
        .into_iter()
        .flat_map(|(text, style)| {
            wrap(&text, style, RIGHT - LEFT)
                .into_iter()
                .map(move |line| (line, style))
        })
        .collect();
    let needed = 34.0 + wrapped.len() as f32 * 12.5;
    if y + needed > BOTTOM {
        sheet.new_page();
        y = running_head(&mut sheet, c) + 10.0;
    }
    let total_label = format!("{} ({})", l.pick("Summe netto", "Total net"), c.currency);
    sheet.text_right(PRICE_RIGHT, y, &total_label, Style::bold(9.5));
    sheet.text_right(AMOUNT_RIGHT, y, &amount(c.total(), l), Style::bold(9.5));
    sheet.rule(PRICE_RIGHT - 120.0, AMOUNT_RIGHT, y + 4.0, 0.6, 0.2);
    sheet.rule(PRICE_RIGHT - 120.0, AMOUNT_RIGHT, y + 6.0, 0.6, 0.2);
    y += 26.0;
    for (text, style) in wrapped {
        sheet.text(LEFT, y, &text, style);
        y += 12.5;
    }

    footers(&mut sheet, c, head);
    Ok(sheet.finish())
}

fn letterhead(sheet: &mut Sheet, head: &Letterhead) {
    sheet.text(LEFT, 52.0, &head.name, Style::bold(15.0));
    let contact: Vec<&str> = [head.phone.as_deref(), head.email.as_deref(), head.web.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
    sheet.text(LEFT, 66.0, &head.address.join(" · "), SMALL);
    sheet.text(LEFT, 76.0, &contact.join(" · "), SMALL);
    sheet.rule(LEFT, RIGHT, 88.0, 0.5, 0.6);
}

/// The address window (DIN 5008, 45 mm from the top) and the facts block
/// beside it; returns where the letter goes on.
fn address_and_facts(sheet: &mut Sheet, c: &Confirmation, head: &Letterhead) -> f32 {
    let l = c.language;
    let sender: Vec<&str> = std::iter::once(head.name.as_str())
        .chain(head.address.iter().map(String::as_str))
        .filter(|s| !s.trim().is_empty())
        .collect();
    sheet.text(LEFT, 128.0, &sender.join(" · "), Style::grey(6.5));
    sheet.rule(LEFT, LEFT + 230.0, 131.0, 0.3, 0.6);
    let mut y = 146.0;
    for line in c.bill_to.iter().take(7) {
        sheet.text(LEFT, y, line, Style::regular(10.0));
        y += 12.5;
    }

    let label_x = 330.0;
    let value_x = 420.0;
    let (number_label, theirs) = if c.is_quote() {
        (
            l.pick("Angebot Nr.", "Quotation no."),
            l.pick("Ihre Anfrage", "Your enquiry"),
        )
    } else {
        (
            l.pick("Auftrag Nr.", "Our order no."),
            l.pick("Ihre Bestellung", "Your order"),
        )
    };
    let mut facts: Vec<(&str, String)> = vec![
        (number_label, c.number.clone()),
        (l.pick("Datum", "Date"), date(c.date, l)),
    ];
    if let Purpose::Quote { valid_until } = c.purpose {
        facts.push((l.pick("Gültig bis", "Valid until"), date(valid_until, l)));
    }
    if let Some(no) = &c.customer_no {
        facts.push((l.pick("Kunden-Nr.", "Customer no."), no.clone()));
    }
    if let Some(po) = &c.customer_po {
        facts.push((theirs, po.clone()));
    }
    if let Some(d) = c.po_date {
        facts.push((l.pick("vom", "dated"), date(d, l)));
    }
    if let Some(d) = c.requested_delivery {
        facts.push((l.pick("Wunschtermin", "Requested"), date(d, l)));
    }
    if let Some(who) = &c.contact {
        facts.push((l.pick("Ansprechpartner", "Contact"), who.clone()));
    }
    let mut fy = 128.0;
    for (label, value) in facts {
        sheet.text(label_x, fy, label, Style::grey(8.5));
        for (i, part) in wrap(&value, Style::bold(8.5), RIGHT - value_x).into_iter().enumerate() {
            sheet.text(value_x, fy + i as f32 * 11.0, &part, Style::bold(8.5));
            if i > 0 {
                fy += 11.0;
            }
        }
        fy += 12.0;
    }

    let mut y = y.max(fy) + 14.0;
    if let Some(ship) = c.ship_to.as_ref().filter(|s| !s.is_empty()) {
        let label = l.pick("Lieferanschrift", "Delivery address");
        sheet.text(LEFT, y, label, Style::grey(8.5));
        for line in wrap(&ship.join(", "), Style::regular(9.0), RIGHT - LEFT - 90.0) {
            sheet.text(LEFT + 90.0, y, &line, Style::regular(9.0));
            y += 12.0;
        }
        y += 10.0;
    }
    y.max(262.0)
}

fn table_header(sheet: &mut Sheet, y: f32, l: Language) -> f32 {
    sheet.band(LEFT - 4.0, RIGHT + 2.0, y - 10.0, 15.0, 0.92);
    let s = CELL_BOLD;
    sheet.text(POS, y, l.pick("Pos.", "Item"), s);
    sheet.text(ARTICLE, y, l.pick("Artikel", "Article"), s);
    sheet.text(DESCRIPTION, y, l.pick("Bezeichnung", "Description"), s);
    sheet.text_right(QTY_RIGHT, y, l.pick("Menge", "Qty"), s);
    sheet.text(UNIT, y, l.pick("Einh.", "Unit"), s);
    sheet.text_right(PRICE_RIGHT, y, l.pick("Preis", "Price"), s);
    sheet.text_right(AMOUNT_RIGHT, y, l.pick("Betrag", "Amount"), s);
    sheet.text_right(DELIVERY_RIGHT, y, l.pick("Liefertermin", "Delivery"), s);
    y + 17.0
}

/// The header of pages after the first: what this is and the table's head.
fn running_head(sheet: &mut Sheet, c: &Confirmation) -> f32 {
    let l = c.language;
    let mut text = c.title();
    if let Some(po) = &c.customer_po {
        let theirs = if c.is_quote() {
            l.pick("Ihre Anfrage", "your enquiry")
        } else {
            l.pick("Ihre Bestellung", "your order")
        };
        text.push_str(&format!(" · {theirs} {po}"));
    }
    sheet.text(LEFT, 48.0, &text, Style::grey(8.5));
    sheet.rule(LEFT, RIGHT, 54.0, 0.5, 0.6);
    72.0
}

fn table_line(sheet: &mut Sheet, mut y: f32, line: &ConfirmedLine, c: &Confirmation, l: Language) -> f32 {
    let description = wrap(&line.description, CELL, DESCRIPTION_WIDTH);
    let column = DESCRIPTION - ARTICLE - 4.0;
    let mut article: Vec<(String, Style)> = wrap(line.sku.as_deref().unwrap_or(""), CELL, column)
        .into_iter()
        .map(|part| (part, CELL))
        .collect();
    if let Some(cpn) = line.customer_part_no.as_deref().filter(|p| !p.is_empty()) {
        let text = format!("{} {cpn}", l.pick("Ihre Nr.", "Your no."));
        article.extend(wrap(&text, NOTE, column).into_iter().map(|part| (part, NOTE)));
    }
    let notes: Vec<String> = line.changes.iter().map(|ch| change_text(ch, l)).collect();
    let rows = description.len().max(article.len());
    let height = rows as f32 * 10.5 + if notes.is_empty() { 0.0 } else { 10.0 } + 5.0;
    if y + height > BOTTOM {
        sheet.new_page();
        y = running_head(sheet, c);
        y = table_header(sheet, y, l);
    }
    let mark = if line.changes.is_empty() { "" } else { " *" };
    sheet.text(POS, y, &format!("{}{mark}", line.line_no), CELL);
    for (i, (text, style)) in article.iter().enumerate() {
        sheet.text(ARTICLE, y + i as f32 * 10.5, text, *style);
    }
    for (i, part) in description.iter().enumerate() {
        sheet.text(DESCRIPTION, y + i as f32 * 10.5, part, CELL);
    }
    sheet.text_right(QTY_RIGHT, y, &quantity(line.quantity, l), CELL);
    sheet.text(UNIT, y, &unit_name(&line.unit, l), CELL);
    sheet.text_right(PRICE_RIGHT, y, &price(line.unit_price, l), CELL);
    sheet.text_right(AMOUNT_RIGHT, y, &amount(line.amount(), l), CELL);
    if let Some(d) = line.delivery_date {
        sheet.text_right(DELIVERY_RIGHT, y, &date(d, l), CELL);
    }
    y += rows as f32 * 10.5;
    if !notes.is_empty() {
        let text = format!("* {}", notes.join(" · "));
        sheet.text(DESCRIPTION, y, &text, NOTE);
        y += 10.0;
    }
    sheet.rule(LEFT, RIGHT, y - 6.0, 0.3, 0.8);
    y + 8.0
}

/// The legal footer and "page n of m" on every page.
fn footers(sheet: &mut Sheet, c: &Confirmation, head: &Letterhead) {
    let l = c.language;
    let count = sheet.page_count();
    let col1: Vec<String> = std::iter::once(head.name.clone())
        .chain(head.address.iter().cloned())
        .collect();
    let mut col2 = Vec::new();
    if let Some(p) = &head.phone {
        col2.push(format!("{} {p}", l.pick("Telefon", "Phone")));
    }
    col2.extend(head.email.iter().cloned());
    col2.extend(head.web.iter().cloned());
    if let Some(m) = &head.managing_directors {
        col2.push(format!("{} {m}", l.pick("Geschäftsführung:", "Managing directors:")));
    }
    let mut col3 = Vec::new();
    col3.extend(head.bank.iter().cloned());
    if let Some(iban) = &head.iban {
        col3.push(format!("IBAN {iban}"));
    }
    if let Some(bic) = &head.bic {
        col3.push(format!("BIC {bic}"));
    }
    if let Some(vat) = &head.vat_id {
        col3.push(format!("{} {vat}", l.pick("USt-IdNr.", "VAT ID")));
    }
    col3.extend(head.register.iter().cloned());
    for page in 0..count {
        sheet.rule_on(page, LEFT, RIGHT, 772.0, 0.5, 0.6);
        for (x, col) in [(LEFT, &col1), (LEFT + 170.0, &col2), (LEFT + 340.0, &col3)] {
            for (i, line) in col.iter().take(5).enumerate() {
                sheet.text_on(page, x, 784.0 + i as f32 * 8.5, line, Style::grey(6.5));
            }
        }
        let n = match l {
            Language::German => format!("Seite {} von {count}", page + 1),
            Language::English => format!("Page {} of {count}", page + 1),
        };
        let right = RIGHT - crate::layout::width(&n, Style::grey(7.5));
        sheet.text_on(page, right, 762.0, &n, Style::grey(7.5));
    }
}

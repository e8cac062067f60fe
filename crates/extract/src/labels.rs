//! The words people print before a value or above a column, in German and English.
//!
//! Header labels ([`HeaderField`]) are matched at the start of a cell and the
//! value follows (`Bestellnummer: 4500012345`) or stands in the next cell or
//! the cell below. Column labels ([`Column`]) name the roles of a line table.

/// A header value the extractor looks for by its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HeaderField {
    PoNumber,
    OrderDate,
    RequestedDeliveryDate,
    CustomerNo,
    VatId,
    Currency,
    StatedTotal,
    /// A total labelled as net: preferred over a plain or gross total.
    NetTotal,
    Incoterms,
    PaymentTerms,
    Contact,
    Notes,
    ShipTo,
    DocumentNumber,
    /// The date of a document that is no order: an invoice's, a delivery note's.
    DocumentDate,
}

impl HeaderField {
    pub const ALL: [HeaderField; 15] = [
        HeaderField::PoNumber,
        HeaderField::OrderDate,
        HeaderField::RequestedDeliveryDate,
        HeaderField::CustomerNo,
        HeaderField::VatId,
        HeaderField::Currency,
        HeaderField::StatedTotal,
        HeaderField::NetTotal,
        HeaderField::Incoterms,
        HeaderField::PaymentTerms,
        HeaderField::Contact,
        HeaderField::Notes,
        HeaderField::ShipTo,
        HeaderField::DocumentNumber,
        HeaderField::DocumentDate,
    ];

    /// The name used in the extraction JSON and in layout hints.
    pub fn as_str(self) -> &'static str {
        match self {
            HeaderField::PoNumber => "po_number",
            HeaderField::OrderDate => "order_date",
            HeaderField::RequestedDeliveryDate => "requested_delivery_date",
            HeaderField::CustomerNo => "customer_no",
            HeaderField::VatId => "vat_id",
            HeaderField::Currency => "currency",
            HeaderField::StatedTotal | HeaderField::NetTotal => "stated_total",
            HeaderField::Incoterms => "incoterms",
            HeaderField::PaymentTerms => "payment_terms",
            HeaderField::Contact => "contact",
            HeaderField::Notes => "notes",
            HeaderField::ShipTo => "ship_to",
            HeaderField::DocumentNumber => "document_number",
            HeaderField::DocumentDate => "document_date",
        }
    }

    pub fn parse(raw: &str) -> Option<HeaderField> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw)
    }
}

/// Labels, lower case, longest first within a field so `bestellnummer`
/// wins over `bestellung`. A label ending in `.` also matches without it.
const HEADER_LABELS: &[(HeaderField, &[&str])] = &[
    (
        HeaderField::NetTotal,
        &[
            "gesamtsumme netto",
            "items subtotal",
            "item subtotal",
            "merchandise subtotal",
            "warenwert",
            "gesamtnettowert",
            "gesamt-nettowert",
            "nettowert gesamt",
            "nettobestellwert",
            "total net value",
            "total net order value",
            "net order value",
            "summe netto",
            "nettosumme",
            "nettobetrag",
            "gesamt netto",
            "netto gesamt",
            "warenwert netto",
            "net total",
            "total net",
            "total (net)",
            "subtotal",
            "net amount",
            "total excl. vat",
            "exclusief btw",
            "totaal excl. btw",
            "montant ht",
            "total ht",
            // Polish invoices print net, VAT and gross after "Razem": the first is the net.
            "razem",
        ],
    ),
    (
        HeaderField::StatedTotal,
        &[
            "gesamtsumme",
            "gesamtbetrag",
            "gesamtwert",
            "bestellwert",
            "auftragswert",
            "summe",
            "gesamt",
            "order total",
            "total amount",
            "total value",
            "grand total",
            "total for this invoice",
            "należność ogółem",
            "do zapłaty",
            "subtotaal",
            "totaal",
            "total facture",
            "total",
        ],
    ),
    (
        HeaderField::PoNumber,
        &[
            "bestellnummer",
            "bestell-nummer",
            "bestell-nr.",
            "bestellnr.",
            "bestellung nr.",
            "bestellung",
            "unsere bestellnummer",
            "auftragsnummer",
            "auftrags-nr.",
            "auftrag nr.",
            "anfragenummer",
            "anfrage-nr.",
            "anfrage nr.",
            "purchase order number",
            "purchase order no.",
            "purchase order #",
            "purchase order",
            "po number",
            "po no.",
            "po #",
            "po-nr.",
            "p.o. number",
            "p.o. no.",
            "order number",
            "order id",
            "belegnummer",
            "beleg-nr.",
            "belegnr.",
            "bestellbeleg",
            "bestellbelegnummer",
            "einkaufsbeleg",
            "einkaufsbelegnummer",
            "purchasing document",
            "purchasing document number",
            "purchase order document",
            "order no.",
            "order #",
            "order ref.",
            "order reference",
            "po#",
            "p.o.#",
            "po-nummer",
            "po nummer",
            "po reference",
            "po ref.",
            "best.-nr.",
            "best.nr.",
            "kundenbestellnummer",
            "bestellnummer des kunden",
            "bestell-nr. des kunden",
            "bestellnummer käufer",
            "bestellnummer des käufers",
            "buyer po number",
            "buyer po no.",
            "buyer po",
            "buyer order number",
            "buyer purchase order number",
            "kunden-bestellnummer",
            "kundenbestell-nr.",
            "auftragsnummer des kunden",
            "unsere auftragsnummer",
            "unsere bestell-nr.",
            "unser zeichen",
            "bestellzeichen",
            "bestellreferenz",
            "customer po number",
            "customer po no.",
            "customer po",
            "customer order number",
            "customer order no.",
            "our order number",
            "our order no.",
            "buyer's order no.",
            "rfq number",
            "rfq no.",
            "rfq #",
            "rfq",
            "inquiry no.",
            "enquiry no.",
        ],
    ),
    (
        HeaderField::RequestedDeliveryDate,
        &[
            "requested ship date",
            "ship date",
            "ship by",
            "gewünschter liefertermin",
            "gewünschtes lieferdatum",
            "liefertermin",
            "lieferdatum",
            "wunschtermin",
            "anliefertermin",
            "liefern bis",
            "lieferung bis",
            "requested delivery date",
            "requested delivery",
            "delivery date",
            "deliver by",
            "delivery by",
            "required by",
            "date required",
            "need by",
            "needed by",
            "ship date",
        ],
    ),
    (
        HeaderField::OrderDate,
        &[
            "bestelldatum",
            "auftragsdatum",
            "anfragedatum",
            "datum",
            "order date",
            "po date",
            "purchase order date",
            "bestellbelegdatum",
            "date of order",
            "rfq date",
            "date",
        ],
    ),
    (
        HeaderField::CustomerNo,
        &[
            "unsere kundennummer bei ihnen",
            "unsere kundennummer",
            "ihre kundennummer",
            "kundennummer",
            "kunden-nr.",
            "kundennr.",
            "kd.-nr.",
            "kd-nr.",
            "kdnr.",
            "debitorennummer",
            "customer number",
            "customer no.",
            "customer id",
            "customer #",
            "account number",
            "account no.",
            "our customer no.",
        ],
    ),
    (
        HeaderField::VatId,
        &[
            "ust-idnr.",
            "ust-id-nr.",
            "ust.-idnr.",
            "ust-id",
            "ustid",
            "vat reg. no.",
            "vat number",
            "vat no.",
            "vat id",
        ],
    ),
    (HeaderField::Currency, &["währung", "currency"]),
    (
        HeaderField::Incoterms,
        &[
            "lieferbedingungen",
            "lieferbedingung",
            "incoterms",
            "incoterm",
            "delivery terms",
        ],
    ),
    (
        HeaderField::PaymentTerms,
        &[
            "zahlungsbedingungen",
            "zahlungsbedingung",
            "zahlungsziel",
            "payment terms",
            "terms of payment",
        ],
    ),
    (
        HeaderField::Contact,
        &[
            "ansprechpartnerin",
            "ansprechpartner",
            "besteller",
            "einkäufer",
            "kontakt",
            "contact person",
            "contact",
            "buyer",
        ],
    ),
    (
        HeaderField::Notes,
        &[
            "bemerkungen",
            "bemerkung",
            "hinweis",
            "anmerkung",
            "notes",
            "note",
            "remarks",
            "comments",
        ],
    ),
    (
        HeaderField::ShipTo,
        &[
            "lieferanschrift",
            "lieferadresse",
            "warenempfänger",
            "versandanschrift",
            "versandadresse",
            "anlieferadresse",
            "delivery address",
            "shipping address",
            "ship to",
            "ship-to",
            "deliver to",
            "bitte liefern sie an",
            "liefern sie bitte an",
            "bitte liefern an",
            "lieferung an",
            "please deliver to",
            "please ship to",
        ],
    ),
    (
        HeaderField::DocumentNumber,
        &[
            "rechnungsnummer",
            "rechnungs-nr.",
            "rechnung nr.",
            "invoice number",
            "invoice no.",
            "invoice #",
            "lieferscheinnummer",
            "lieferschein-nr.",
        ],
    ),
    (
        HeaderField::DocumentDate,
        &[
            "rechnungsdatum",
            "invoice date",
            "date of invoice",
            "lieferscheindatum",
            "delivery note date",
            "gutschriftsdatum",
            "credit note date",
            "factuurdatum",
            "date de facture",
        ],
    ),
];

/// A header label at the start of `cell`: the field and the rest of the cell
/// after the label and its `:`/`#`. The longest label wins.
pub fn header_label(cell: &str) -> Option<(HeaderField, &str)> {
    let lower = cell.trim_start().to_lowercase();
    let lead = cell.len() - cell.trim_start().len();
    let mut best: Option<(HeaderField, usize)> = None;
    for (field, labels) in HEADER_LABELS {
        for label in *labels {
            for candidate in [*label, label.trim_end_matches('.')] {
                if lower.starts_with(candidate) && best.is_none_or(|(_, len)| candidate.len() > len) {
                    let rest = &lower[candidate.len()..];
                    // A label must end at a word boundary: `datum` is not `datumsangabe`.
                    // A label ending in a sign (`PO#`) may touch its value.
                    let touches = candidate.ends_with(|c: char| !c.is_alphanumeric());
                    if touches || rest.chars().next().is_none_or(|c| !c.is_alphanumeric()) {
                        best = Some((*field, candidate.len()));
                    }
                }
            }
        }
    }
    let (field, len) = best?;
    // The lowercase text can differ in byte length from the original (rare);
    // find the same char count in the original.
    let chars = lower[..len].chars().count();
    let start = cell[lead..]
        .char_indices()
        .nth(chars)
        .map_or(cell.len(), |(i, _)| lead + i);
    let rest = cell[start..].trim_start_matches([' ', ':', '#', '.', '\t', '-', '/']);
    Some((field, rest.trim()))
}

/// The role of a column in a line table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    LineNo,
    /// A code whose owner is not said ("Artikel-Nr.", "Item no.").
    ItemCode,
    /// The customer's own part number.
    CustomerPartNo,
    /// Our (the supplier's) article number.
    Sku,
    Gtin,
    Description,
    Quantity,
    Unit,
    UnitPrice,
    LineTotal,
    DeliveryDate,
    /// "Preiseinheit", "per": the price is per this many units.
    PriceUnit,
    /// Tax rate or discount of a line ("MwSt.", "BTW", "Disc.%"): read past, not kept.
    TaxOrDiscount,
    /// The quantity before an order change ("Menge alt", "Old qty"): read
    /// past; the line's quantity is the new one.
    PreviousQuantity,
}

const COLUMN_LABELS: &[(Column, &[&str])] = &[
    (
        Column::LineNo,
        &[
            "pos.", "pos", "position", "pos.-nr.", "lfd. nr.", "line", "line no.", "zeile", "nr.", "no.", "#",
        ],
    ),
    (
        Column::CustomerPartNo,
        &[
            "unsere artikelnummer",
            "unsere art.-nr.",
            "unsere art.nr.",
            "kunden-art.-nr.",
            "kundenartikelnummer",
            "kunden-artikelnr.",
            "ihre referenz",
            "our part no.",
            "our part number",
            "our item no.",
            "our ref.",
            "buyer part no.",
            "customer part no.",
            "customer part number",
            "material",
            "materialnummer",
            "material-nr.",
            "buyer material",
            "buyer part number",
            "buyer item no.",
        ],
    ),
    (
        Column::Sku,
        &[
            "ihre artikelnummer",
            "ihre art.-nr.",
            "ihre art.nr.",
            "lieferanten-art.-nr.",
            "lieferantenartikelnummer",
            "lief.-art.-nr.",
            "your part no.",
            "your item no.",
            "your part number",
            "supplier part no.",
            "vendor part no.",
            "manufacturer part no.",
            "mfr. part no.",
            "lieferantenmaterialnummer",
            "ihre materialnummer",
            "ihre material-nr.",
            "ihre materialnr.",
            "your material number",
            "your material no.",
            "lieferanten-materialnummer",
            "lieferantenmaterialnr.",
            "lieferanten-materialnr.",
            "lief.-mat.-nr.",
            "lieferantenartikelnr.",
            "vendor material number",
            "vendor material no.",
            "vendor material",
            "supplier material number",
            "supplier material no.",
            "supplier part number",
            "supplier item no.",
            "supplier item number",
            "vendor item no.",
            "vendor item number",
            "vendor part number",
            "supplier sku",
            "vendor sku",
            "seller sku",
            "supplier item",
            "art.-nr. lieferant",
            "artikelnummer lieferant",
            "artikel-nr. lieferant",
            "lieferanten-artikelnummer",
        ],
    ),
    (
        Column::ItemCode,
        &[
            "artikelnummer",
            "artikel-nr.",
            "artikelnr.",
            "art.-nr.",
            "art.nr.",
            "art-nr.",
            "art. nr.",
            "item no.",
            "item number",
            "item code",
            "item #",
            "part no.",
            "part number",
            "part #",
            "product code",
            "product no.",
            "sku",
            "code",
            "ref.",
            "reference",
            "item",
        ],
    ),
    (
        Column::Gtin,
        &["ean", "gtin", "ean-code", "ean code", "ean/gtin", "barcode"],
    ),
    (
        Column::Description,
        &[
            "artikelbezeichnung",
            "kurztext",
            "materialkurztext",
            "artikeltext",
            "positionstext",
            "short text",
            "item text",
            "line description",
            "bezeichnung",
            "beschreibung",
            "artikel",
            "benennung",
            "leistung",
            "text",
            "description",
            "product",
            "product description",
            "item description",
            "product name",
            "item name",
            "produktname",
            "artikelname",
            "produktbezeichnung",
            "produkt",
            "name",
            "omschrijving",
            "désignation",
            "designation",
            "libellé",
            "produit",
            "nazwa",
            "opis",
            "towar",
        ],
    ),
    (
        Column::Quantity,
        &[
            "bestellmenge",
            "menge neu",
            "neue menge",
            "geänderte menge",
            "neu",
            "new quantity",
            "new qty",
            "changed quantity",
            "revised quantity",
            "revised qty",
            "po quantity",
            "po qty",
            "order quantity",
            "menge",
            "anzahl",
            "stückzahl",
            "quantity",
            "qty.",
            "qty",
            "order qty",
            "ordered",
            "quantity ordered",
            "aantal",
            "hoeveelheid",
            "quantité",
            "qté",
            "ilość",
        ],
    ),
    (
        Column::PreviousQuantity,
        &[
            "menge alt",
            "alte menge",
            "bisherige menge",
            "ursprüngliche menge",
            "bisher",
            "alt",
            "old quantity",
            "old qty",
            "previous quantity",
            "previous qty",
            "original quantity",
            "original qty",
        ],
    ),
    (
        Column::Unit,
        &[
            "einheit",
            "me",
            "mengeneinheit",
            "bme",
            "bestellmengeneinheit",
            "bestell-me",
            "order unit",
            "oun",
            "unit of measure",
            "unit",
            "uom",
            "u/m",
            "um",
            "ve",
            "eenheid",
            "unité",
            "jm",
            "j.m.",
        ],
    ),
    (
        Column::UnitPrice,
        &[
            "einzelpreis",
            "e-preis",
            "ep",
            "stückpreis",
            "preis/einheit",
            "preis je einheit",
            "preis",
            "nettopreis",
            "netto-ep",
            "unit price",
            "price each",
            "price/unit",
            "net price",
            "price",
            "rate",
            "prijs per stuk",
            "stukprijs",
            "eenheidsprijs",
            "prijs",
            "prix unitaire",
            "prix u.",
            "prix",
            "cena jedn.",
            "cena jednostkowa",
            "cena",
        ],
    ),
    (
        Column::LineTotal,
        &[
            "gesamtpreis",
            "gesamt",
            "betrag",
            "summe",
            "positionswert",
            "bestellwert",
            "nettowert",
            "subtotal",
            "sub-total",
            "zwischensumme",
            "net value",
            "order value",
            "net order value",
            "wert",
            "total",
            "line total",
            "amount",
            "extended",
            "ext. price",
            "total price",
            "net amount",
            "bedrag",
            "totaal",
            "prijs incl. btw",
            "prijs excl. btw",
            "montant",
            "montant ht",
            "total ht",
            "wartość",
            "wartość netto",
        ],
    ),
    (
        Column::DeliveryDate,
        &[
            "liefertermin",
            "lieferdatum",
            "termin",
            "wunschtermin",
            "delivery date",
            "delivery",
            "date required",
            "due date",
            "required by",
            "need by",
        ],
    ),
    (
        Column::PriceUnit,
        &[
            "preiseinheit",
            "preiseinh.",
            "pe",
            "p.e.",
            "per",
            "price unit",
            "pricing unit",
        ],
    ),
    (
        Column::TaxOrDiscount,
        &[
            "mwst.",
            "mwst",
            "mwst.-satz",
            "ust.",
            "ust",
            "steuer",
            "rabatt",
            "vat",
            "vat %",
            "tax",
            "taxes",
            "disc.",
            "disc.%",
            "discount",
            "btw",
            "korting",
            "tva",
            "remise",
            "vat rate",
            "stawka vat",
        ],
    ),
];

/// Whether `label` names its column as a whole (with a currency, unit or
/// net qualifier at most), not only by its first words as "Preis pro PE"
/// does by "Preis".
pub fn is_exact_column_label(label: &str) -> bool {
    column_role_read(label).is_some_and(|(_, whole)| whole)
}

/// The role a column label names; `None` for labels the dictionary does not know.
pub fn column_role(label: &str) -> Option<Column> {
    column_role_read(label).map(|(role, _)| role)
}

/// The role and whether the whole label named it.
fn column_role_read(label: &str) -> Option<(Column, bool)> {
    let norm = label
        .trim()
        .trim_end_matches(':')
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if norm.is_empty() {
        return None;
    }
    // Currency and units in brackets: "Preis (EUR)", "Einzelpreis €".
    let stripped = norm
        .split(['(', '['])
        .next()
        .unwrap_or(&norm)
        .trim()
        .trim_end_matches(" €")
        .trim_end_matches(" eur")
        .trim_end_matches(" usd")
        .to_owned();
    // A net qualifier after the label: "Einzelpreis netto", "Gesamtpreis netto",
    // "Unit price excl. VAT". (A gross price is no unit price of ours: left unknown.)
    let stripped = [
        " netto",
        " net",
        " excl. vat",
        " exkl. mwst.",
        " exkl. mwst",
        " zzgl. mwst.",
        " zzgl. mwst",
    ]
    .iter()
    .find_map(|q| stripped.strip_suffix(q))
    .map_or(stripped.clone(), |s| s.trim().to_owned());
    let exact = |label: &str| {
        COLUMN_LABELS.iter().find_map(|(role, labels)| {
            labels
                .iter()
                .any(|l| *l == label || l.trim_end_matches('.') == label.trim_end_matches('.'))
                .then_some(*role)
        })
    };
    if let Some(role) = exact(&stripped) {
        return Some((role, true));
    }
    let cut = {
        // What a price is per, or in: "Preis/ME", "Preis je ME", "Einzelpreis/EUR",
        // "Price per unit"; a net or gross value: "Nettowert", "Gesamtwert".
        let base = stripped
            .split('/')
            .next()
            .unwrap_or(&stripped)
            .split([' '])
            .take_while(|w| !matches!(*w, "je" | "pro" | "per" | "in" | "/"))
            .collect::<Vec<_>>()
            .join(" ");
        let base = base.trim();
        (base != stripped && !base.is_empty())
            .then(|| exact(base))
            .flatten()
            .or_else(|| {
                ["netto", "brutto", "gesamt", "net ", "gross ", "total "]
                    .iter()
                    .find_map(|p| base.strip_prefix(p))
                    .map(str::trim)
                    .filter(|rest| !rest.is_empty())
                    .and_then(exact)
            })
    };
    cut.map(|role| (role, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_labels_take_the_rest_of_the_cell() {
        assert_eq!(
            header_label("Bestellnummer: 4500012345"),
            Some((HeaderField::PoNumber, "4500012345"))
        );
        assert_eq!(header_label("PO No. 77/2026"), Some((HeaderField::PoNumber, "77/2026")));
        assert_eq!(header_label("Datum"), Some((HeaderField::OrderDate, "")));
        assert_eq!(
            header_label("Liefertermin: 01.12.2026"),
            Some((HeaderField::RequestedDeliveryDate, "01.12.2026"))
        );
        assert_eq!(
            header_label("Gesamtsumme netto: 1.060,00 EUR"),
            Some((HeaderField::NetTotal, "1.060,00 EUR"))
        );
        assert_eq!(header_label("PO#4711-26"), Some((HeaderField::PoNumber, "4711-26")));
        assert_eq!(
            header_label("Unser Zeichen: EK-2231"),
            Some((HeaderField::PoNumber, "EK-2231"))
        );
        assert_eq!(
            header_label("Auftragsnummer des Kunden 889213"),
            Some((HeaderField::PoNumber, "889213"))
        );
        assert_eq!(header_label("Datumsangabe folgt"), None);
        assert_eq!(header_label("Sechskantschraube"), None);
    }

    #[test]
    fn labels_of_purchasing_systems_and_marketplaces() {
        for (label, role) in [
            ("Kurztext", Column::Description),
            ("BME", Column::Unit),
            ("Lieferantenmaterialnummer", Column::Sku),
            ("Your material number", Column::Sku),
            ("Supplier SKU", Column::Sku),
            ("Art.-Nr. Lieferant", Column::Sku),
            ("PE", Column::PriceUnit),
            ("Nettowert", Column::LineTotal),
            ("Einzelpreis netto", Column::UnitPrice),
            ("Gesamtpreis netto", Column::LineTotal),
            ("Unit price (net)", Column::UnitPrice),
            ("Subtotal (net)", Column::LineTotal),
        ] {
            assert_eq!(column_role(label), Some(role), "{label}");
        }
        // A label named by its first words only is not whole: "Preis pro PE".
        assert!(is_exact_column_label("Unit price (net)"));
        assert!(!is_exact_column_label("Preis pro PE"));
        // A gross price is no unit price of ours.
        assert_eq!(column_role("Einzelpreis brutto"), None);
        assert_eq!(
            header_label("Bestellnummer des Kunden: PO-2026-60009"),
            Some((HeaderField::PoNumber, "PO-2026-60009"))
        );
        assert_eq!(
            header_label("Gesamtnettowert ohne Mwst EUR"),
            Some((HeaderField::NetTotal, "ohne Mwst EUR"))
        );
        assert_eq!(header_label("Bitte liefern Sie an:"), Some((HeaderField::ShipTo, "")));
    }

    #[test]
    fn column_labels_in_both_languages() {
        assert_eq!(column_role("Menge"), Some(Column::Quantity));
        assert_eq!(column_role("Qty"), Some(Column::Quantity));
        assert_eq!(column_role("Art.-Nr."), Some(Column::ItemCode));
        assert_eq!(column_role("Ihre Art.-Nr."), Some(Column::Sku));
        assert_eq!(column_role("Unsere Art.-Nr."), Some(Column::CustomerPartNo));
        assert_eq!(column_role("Einzelpreis (EUR)"), Some(Column::UnitPrice));
        assert_eq!(column_role("Unit price €"), Some(Column::UnitPrice));
        assert_eq!(column_role("Liefertermin"), Some(Column::DeliveryDate));
        assert_eq!(column_role("Bezeichnung"), Some(Column::Description));
        assert_eq!(column_role("Prijs per stuk"), Some(Column::UnitPrice));
        assert_eq!(column_role("Aantal"), Some(Column::Quantity));
        assert_eq!(column_role("Prix unitaire"), Some(Column::UnitPrice));
        assert_eq!(column_role("Disc.%"), Some(Column::TaxOrDiscount));
        assert_eq!(column_role("Lorem"), None);
        assert_eq!(column_role("Preis/ME"), Some(Column::UnitPrice));
        assert_eq!(column_role("Preis je ME"), Some(Column::UnitPrice));
        assert_eq!(column_role("Einzelpreis/EUR"), Some(Column::UnitPrice));
        assert_eq!(column_role("Nettowert"), Some(Column::LineTotal));
        assert_eq!(
            header_label("Belegnummer 4500017711").map(|(f, _)| f),
            Some(HeaderField::PoNumber)
        );
    }
}

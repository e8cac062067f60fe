//! Reading numbers, dates, units and currencies the way people print them.
//!
//! Orders come from German and English writers: `1.234,56` and `1,234.56`,
//! `22.11.2026`, `11/22/2026`, `2026-11-22` and `22. Nov. 2026`, `Stk`, `pcs`
//! and `Karton`. A document is read with one [`NumberStyle`], decided from all
//! of its numbers, because `1.234` alone cannot say which it is.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// Which character separates the decimals in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// `1.234,56`
    DecimalComma,
    /// `1,234.56`
    DecimalPoint,
}

impl NumberStyle {
    /// The style most numbers in `text` are written in; ties go to the decimal
    /// comma when the text reads German, else to the point.
    pub fn detect(text: &str) -> NumberStyle {
        let (mut comma, mut point) = (0usize, 0usize);
        for token in text.split(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '(' | ')' | '=')) {
            let t = token.trim_matches(|c: char| !c.is_ascii_digit());
            if let Some(vote) = decimal_separator(t) {
                // `8.8` and `10.9` are steel grades as often as numbers; prices
                // with two or more decimals say more.
                let decimals = t.len() - t.rfind(vote).map_or(t.len(), |i| i + 1);
                let weight = if decimals >= 2 || t.matches(['.', ',']).count() > 1 {
                    3
                } else {
                    1
                };
                if vote == ',' {
                    comma += weight;
                } else {
                    point += weight;
                }
            }
        }
        if comma != point {
            return if comma > point {
                NumberStyle::DecimalComma
            } else {
                NumberStyle::DecimalPoint
            };
        }
        let lower = text.to_lowercase();
        let german = [" und ", "menge", "stück", "bitte", "preis", "bestellung", "datum"]
            .iter()
            .any(|w| lower.contains(w));
        if german {
            NumberStyle::DecimalComma
        } else {
            NumberStyle::DecimalPoint
        }
    }
}

/// The decimal separator a number token shows unambiguously: `12,50` and
/// `1.234,5` show a comma, `12.50` and `1,234.5` a point; `1.234`, `500` and
/// dates show nothing.
fn decimal_separator(t: &str) -> Option<char> {
    let seps: Vec<(usize, char)> = t.char_indices().filter(|(_, c)| !c.is_ascii_digit()).collect();
    if seps.is_empty() || seps.iter().any(|(_, c)| *c != ',' && *c != '.') {
        return None;
    }
    let (last_at, last) = *seps.last()?;
    let decimals = t.len() - last_at - 1;
    let groups_ok = seps[..seps.len() - 1].iter().all(|(_, c)| *c != last);
    let leading_zero = &t[..last_at] == "0";
    let as_decimal = (1..=2).contains(&decimals) || (seps.len() == 1 && leading_zero && decimals <= 6);
    let as_grouped = seps.len() >= 2 && decimals >= 3;
    if groups_ok && ((as_decimal && last_at > 0) || as_grouped) {
        Some(last)
    } else {
        None
    }
}

/// A number as printed: thousands separators, a currency sign or code before
/// or after, a trailing minus. `None` when the text is not one number.
pub fn parse_number(raw: &str, style: NumberStyle) -> Option<Decimal> {
    let mut s = raw.trim();
    for affix in ["EUR", "USD", "CHF", "GBP", "€", "$", "£", "Fr.", "€/Stk", "/Stk"] {
        s = s.trim_start_matches(affix).trim_end_matches(affix).trim();
    }
    let negative = s.ends_with('-') || s.starts_with('-');
    let s = s.trim_matches('-').trim();
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '\'' | ' ' | '\u{a0}' | '\u{202f}'))
    {
        return None;
    }
    let (group, decimal) = match style {
        NumberStyle::DecimalComma => ('.', ','),
        NumberStyle::DecimalPoint => (',', '.'),
    };
    let mut normal = String::with_capacity(s.len());
    let mut seen_decimal = false;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() {
            normal.push(c);
        } else if c == decimal {
            if seen_decimal {
                return None;
            }
            seen_decimal = true;
            normal.push('.');
        } else if c == group || matches!(c, '\'' | ' ' | '\u{a0}' | '\u{202f}') {
            // A group separator must be followed by exactly three digits, and
            // the first group cannot start with a zero (`0,028` is no 28).
            let digits = s[i + c.len_utf8()..].chars().take_while(char::is_ascii_digit).count();
            if digits != 3 || seen_decimal || normal.starts_with('0') {
                return None;
            }
        } else {
            return None;
        }
    }
    let value: Decimal = normal.parse().ok()?;
    Some(if negative { -value } else { value }.normalize())
}

/// Whether the order of day and month in slashed dates is month first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

impl DateOrder {
    /// Month first only where a slashed date in `text` cannot be day first
    /// (`11/22/2026`); otherwise day first, as in Europe.
    pub fn detect(text: &str) -> DateOrder {
        let (mut month_first, mut day_first) = (0, 0);
        for (a, b) in slashed_dates(text) {
            if a <= 12 && b > 12 {
                month_first += 1;
            } else if a > 12 && b <= 12 {
                day_first += 1;
            }
        }
        if month_first > day_first {
            DateOrder::MonthFirst
        } else {
            DateOrder::DayFirst
        }
    }
}

/// The first two numbers of every `a/b/year` token in `text`.
fn slashed_dates(text: &str) -> impl Iterator<Item = (u32, u32)> + '_ {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter_map(|token| {
            let parts: Vec<&str> = token.split('/').collect();
            match (parts.len(), parts.first()?.parse::<u32>(), parts.get(1)?.parse::<u32>()) {
                (3, Ok(a), Ok(b)) => Some((a, b)),
                _ => None,
            }
        })
}

/// Whether `text` holds a slashed date that reads differently day first and
/// month first (`03/10/2026`): without another date that settles the order,
/// such a date is not trusted.
pub fn ambiguous_slash_date(text: &str) -> bool {
    slashed_dates(text).any(|(a, b)| a <= 12 && b <= 12 && a != b)
}

/// Whether a slashed date in `text` settles the order of day and month.
pub fn date_order_known(text: &str) -> bool {
    slashed_dates(text).any(|(a, b)| (a > 12) != (b > 12))
}

const MONTHS: &[(&str, i8)] = &[
    ("januar", 1),
    ("january", 1),
    ("jan", 1),
    ("jänner", 1),
    ("februar", 2),
    ("february", 2),
    ("feb", 2),
    ("märz", 3),
    ("maerz", 3),
    ("march", 3),
    ("mär", 3),
    ("mar", 3),
    ("mrz", 3),
    ("april", 4),
    ("apr", 4),
    ("mai", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("dezember", 12),
    ("december", 12),
    ("dez", 12),
    ("dec", 12),
];

fn month(word: &str) -> Option<i8> {
    let w = word.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(name, _)| *name == w).map(|(_, m)| *m)
}

fn year(raw: &str) -> Option<i16> {
    let y: i16 = raw.parse().ok()?;
    match raw.len() {
        4 if (1990..=2100).contains(&y) => Some(y),
        2 => Some(2000 + y),
        _ => None,
    }
}

/// A date as printed: `22.11.2026`, `22.11.26`, `2026-11-22`, `11/22/2026`
/// (with `order`), `22. Nov. 2026`, `22 November 2026`, `November 22, 2026`,
/// `20261122`. `None` when `raw` is not exactly one date.
pub fn parse_date(raw: &str, order: DateOrder) -> Option<Date> {
    let s = raw
        .trim()
        .trim_start_matches(['(', '['])
        .trim_end_matches([',', ';', ':', ')', ']', '!', '?']);
    // A date that ends a sentence: `bis 11.12.2026.`
    let s = s
        .strip_suffix('.')
        .filter(|r| r.ends_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(s);
    let build = |y: i16, m: i8, d: i8| Date::new(y, m, d).ok();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return build(s[..4].parse().ok()?, s[4..6].parse().ok()?, s[6..].parse().ok()?);
    }
    for sep in ['.', '-', '/'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            let nums: Vec<i32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            return if parts[0].len() == 4 {
                build(nums[0] as i16, nums[1] as i8, nums[2] as i8)
            } else if sep == '/' && order == DateOrder::MonthFirst {
                build(year(parts[2])?, nums[0] as i8, nums[1] as i8)
            } else {
                build(year(parts[2])?, nums[1] as i8, nums[0] as i8)
            };
        }
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty() && *w != ".")
        .collect();
    if words.len() == 3 {
        let day = |w: &str| w.trim_end_matches('.').parse::<i8>().ok();
        if let (Some(d), Some(m)) = (day(words[0]), month(words[1])) {
            return build(year(words[2])?, m, d);
        }
        if let (Some(m), Some(d)) = (month(words[0]), day(words[1])) {
            return build(year(words[2])?, m, d);
        }
    }
    None
}

/// Finds the first date in a line of text, returning it with its char range.
pub fn find_date(text: &str, order: DateOrder) -> Option<(Date, usize, usize)> {
    let tokens = tokens_with_offsets(text);
    // Byte offset of every char: slicing stays linear in the text's length.
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    for i in 0..tokens.len() {
        // Written-out dates span three tokens (four with a loose comma:
        // `August 3 , 2014`); try the longest first.
        for len in [4usize, 3, 1] {
            if i + len > tokens.len() {
                continue;
            }
            let start = tokens[i].1;
            let end = tokens[i + len - 1].2;
            if let Some(date) = parse_date(&text[bytes[start]..bytes[end]], order) {
                return Some((date, start, end));
            }
        }
    }
    None
}

/// Whitespace-separated tokens with their char start and end.
pub fn tokens_with_offsets(text: &str) -> Vec<(&str, usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut chars = 0;
    for (byte, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some((b, ch)) = start.take() {
                out.push((&text[b..byte], ch, chars));
            }
        } else if start.is_none() {
            start = Some((byte, chars));
        }
        chars += 1;
    }
    if let Some((b, ch)) = start {
        out.push((&text[b..], ch, chars));
    }
    out
}

/// Printed unit words and EDI codes → UN/ECE Rec. 20.
const UNIT_WORDS: &[(&str, &str)] = &[
    ("stk", "C62"),
    ("stk.", "C62"),
    ("st", "C62"),
    ("st.", "C62"),
    ("stück", "C62"),
    ("stueck", "C62"),
    ("pcs", "C62"),
    ("pc", "C62"),
    ("pce", "C62"),
    ("piece", "C62"),
    ("pieces", "C62"),
    ("ea", "C62"),
    ("each", "C62"),
    ("h87", "C62"),
    ("c62", "C62"),
    ("un", "C62"),
    ("unit", "C62"),
    ("units", "C62"),
    ("karton", "BX"),
    ("kartons", "BX"),
    ("kar", "BX"),
    ("ktn", "BX"),
    ("box", "BX"),
    ("boxes", "BX"),
    ("bx", "BX"),
    ("ct", "BX"),
    ("pack", "PK"),
    ("packs", "PK"),
    ("pak", "PK"),
    ("pck", "PK"),
    ("pk", "PK"),
    ("pkg", "PK"),
    ("packung", "PK"),
    ("satz", "SET"),
    ("sat", "SET"),
    ("set", "SET"),
    ("sets", "SET"),
    ("paar", "PR"),
    ("paa", "PR"),
    ("pair", "PR"),
    ("pairs", "PR"),
    ("pr", "PR"),
    ("rolle", "RO"),
    ("rollen", "RO"),
    ("ring", "RO"),
    ("rol", "RO"),
    ("rl", "RO"),
    ("roll", "RO"),
    ("rolls", "RO"),
    ("ro", "RO"),
    ("m", "MTR"),
    ("mr", "MTR"),
    ("mtr", "MTR"),
    ("meter", "MTR"),
    ("metre", "MTR"),
    ("kg", "KGM"),
    ("kgm", "KGM"),
    ("kilo", "KGM"),
    ("kilogramm", "KGM"),
    ("kilogram", "KGM"),
    ("kilogramme", "KGM"),
    ("gramm", "GRM"),
    ("gr", "GRM"),
    ("gram", "GRM"),
    ("lfm", "MTR"),
    ("laufmeter", "MTR"),
    ("metres", "MTR"),
    ("liter", "LTR"),
    ("stck", "C62"),
    ("stücke", "C62"),
    ("einh", "C62"),
    ("einheit", "C62"),
    ("einheiten", "C62"),
    ("ve", "PK"),
    ("verpackungseinheit", "PK"),
    ("pkt", "PK"),
    ("paket", "PK"),
    ("pakete", "PK"),
    ("packungen", "PK"),
    ("krt", "BX"),
    ("kart", "BX"),
    ("schachtel", "BX"),
    ("sätze", "SET"),
    ("saetze", "SET"),
    ("rll", "RO"),
    ("dtzd", "DZN"),
    ("dtz", "DZN"),
    ("pal", "PX"),
    ("palette", "PX"),
    ("paletten", "PX"),
    ("pallet", "PX"),
    ("std", "HUR"),
    ("stunde", "HUR"),
    ("stunden", "HUR"),
    ("hour", "HUR"),
    ("hrs", "HUR"),
    ("hr", "HUR"),
    ("fl", "BO"),
    ("flasche", "BO"),
    ("flaschen", "BO"),
    ("bottle", "BO"),
    ("beutel", "BG"),
    ("bag", "BG"),
    ("sack", "SA"),
    ("säcke", "SA"),
    ("dose", "CA"),
    ("dosen", "CA"),
    ("tube", "TU"),
    ("tuben", "TU"),
    ("tonne", "TNE"),
    ("tonnen", "TNE"),
    ("l", "LTR"),
    ("lt", "LTR"),
    ("ltr", "LTR"),
    ("litre", "LTR"),
    ("g", "GRM"),
    ("grm", "GRM"),
    ("dz", "DZN"),
    ("dzn", "DZN"),
    ("dutzend", "DZN"),
    ("dozen", "DZN"),
];

/// The Rec. 20 code for a printed unit (`Stk` → `C62`), or the code itself
/// when `raw` already is one the system knows.
pub fn unit_code(raw: &str) -> Option<&'static str> {
    let lower = raw.trim().to_lowercase();
    if lower.is_empty() {
        return None;
    }
    if let Some((_, code)) = UNIT_WORDS.iter().find(|(w, _)| *w == lower) {
        return Some(code);
    }
    // Dotted abbreviations (`Pck.`, `Stck.`, `Pr.`) and English plurals (`kgs`, `rolls`).
    let bare = lower.trim_end_matches('.');
    let singular = bare.strip_suffix('s').filter(|s| s.len() >= 2).unwrap_or(bare);
    for form in [bare, singular] {
        if form != lower
            && let Some((_, code)) = UNIT_WORDS.iter().find(|(w, _)| *w == form)
        {
            return Some(code);
        }
    }
    domain::values::UNIT_CODES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(&lower))
        .map(|(code, _)| *code)
}

/// X12 data element 355 (unit or basis for measurement) codes and their Rec. 20 codes.
/// X12's own list differs from Rec. 20 where the letters are the same: `ST` is a
/// set (a sheet in Rec. 20), `CA` a case (a can), `RL` a roll (a reel), `PL` a pallet (a pail).
const X12_UNITS: &[(&str, &str)] = &[
    ("EA", "C62"),
    ("PC", "C62"),
    ("PCE", "C62"),
    ("UN", "C62"),
    ("ST", "SET"),
    ("SE", "SET"),
    ("PR", "PR"),
    ("DZ", "DZN"),
    ("GR", "GRO"),
    ("BX", "BX"),
    ("CA", "CS"),
    ("CS", "CS"),
    ("CT", "CT"),
    ("PK", "PK"),
    ("PA", "PA"),
    ("BG", "BG"),
    ("BO", "BO"),
    ("CN", "CA"),
    ("DR", "DR"),
    ("PL", "PX"),
    ("PX", "PX"),
    ("RL", "RO"),
    ("RO", "RO"),
    ("RE", "RL"),
    ("TB", "TU"),
    ("TU", "TU"),
    ("KT", "KT"),
    ("BD", "BE"),
    ("BN", "BE"),
    ("KG", "KGM"),
    ("GM", "GRM"),
    ("LB", "LBR"),
    ("OZ", "ONZ"),
    ("MR", "MTR"),
    ("MT", "MTR"),
    ("CM", "CMT"),
    ("MM", "MMT"),
    ("FT", "FOT"),
    ("LF", "FOT"),
    ("IN", "INH"),
    ("YD", "YRD"),
    ("SF", "FTK"),
    ("SM", "MTK"),
    ("LT", "LTR"),
    ("GA", "GLL"),
    ("HR", "HUR"),
];

/// The Rec. 20 code of a unit in a structured message, read by the standard's
/// own code list: X12's data element 355 for `x12`; Rec. 20 itself (with
/// EANCOM's usual PCE, KAR and PAK) for EDIFACT, UBL and openTRANS. Printed
/// words are not looked at: in a standard's code list `ST` is not "Stück".
pub fn standard_unit_code(raw: &str, x12: bool) -> Option<&'static str> {
    let code = raw.trim().to_ascii_uppercase();
    if x12 {
        // Some senders put a Rec. 20 code in an X12 file; three letters cannot be mistaken for X12's two.
        return X12_UNITS.iter().find(|(c, _)| *c == code).map(|(_, r)| *r).or_else(|| {
            domain::values::UNIT_CODES
                .iter()
                .find(|(c, _)| *c == code && c.len() == 3)
                .map(|(c, _)| *c)
        });
    }
    match code.as_str() {
        "PCE" | "EA" | "H87" => Some("C62"),
        "KAR" => Some("BX"),
        "PAK" => Some("PK"),
        _ => domain::values::UNIT_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| *c),
    }
}

/// An ISO 4217 code for a printed currency (`€`, `EUR`, `Euro`).
pub fn currency_code(raw: &str) -> Option<&'static str> {
    let t = raw.trim();
    match t.to_lowercase().as_str() {
        "€" | "eur" | "euro" => Some("EUR"),
        "$" | "usd" | "us$" => Some("USD"),
        "£" | "gbp" => Some("GBP"),
        "chf" | "sfr" | "sfr." | "fr." => Some("CHF"),
        "pln" | "zł" => Some("PLN"),
        "sek" => Some("SEK"),
        "dkk" => Some("DKK"),
        "czk" => Some("CZK"),
        "inr" | "₹" | "rs" | "rs." => Some("INR"),
        "jpy" | "¥" => Some("JPY"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_units_by_their_standards_list() {
        assert_eq!(standard_unit_code("ST", true), Some("SET"));
        assert_eq!(standard_unit_code("CA", true), Some("CS"));
        assert_eq!(standard_unit_code("EA", true), Some("C62"));
        assert_eq!(standard_unit_code("RL", true), Some("RO"));
        assert_eq!(standard_unit_code("SET", true), Some("SET"));
        assert_eq!(standard_unit_code("ST", false), None);
        assert_eq!(standard_unit_code("PCE", false), Some("C62"));
        assert_eq!(standard_unit_code("KGM", false), Some("KGM"));
        assert_eq!(standard_unit_code("Stk", false), None);
        for (_, rec20) in X12_UNITS {
            assert!(domain::values::UnitCode::parse(rec20).is_ok(), "{rec20}");
        }
    }

    #[test]
    fn units_as_people_write_them() {
        for (raw, code) in [
            ("Kilogramm", "KGM"),
            ("kgs", "KGM"),
            ("Pr.", "PR"),
            ("Pck.", "PK"),
            ("Stck", "C62"),
            ("Stck.", "C62"),
            ("VE", "PK"),
            ("Rollen", "RO"),
            ("rolls", "RO"),
            ("Std.", "HUR"),
            ("Paletten", "PX"),
            ("lfm", "MTR"),
        ] {
            assert_eq!(unit_code(raw), Some(code), "{raw}");
        }
        assert_eq!(unit_code("Sechskantschraube"), None);
        assert_eq!(unit_code("is"), None);
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_in_both_styles() {
        use NumberStyle::*;
        assert_eq!(parse_number("1.234,56", DecimalComma), Some(d("1234.56")));
        assert_eq!(parse_number("1,234.56", DecimalPoint), Some(d("1234.56")));
        assert_eq!(parse_number("0,12", DecimalComma), Some(d("0.12")));
        assert_eq!(parse_number("12.50 €", DecimalPoint), Some(d("12.5")));
        assert_eq!(parse_number("EUR 1.000", DecimalComma), Some(d("1000")));
        assert_eq!(parse_number("1'234.5", DecimalPoint), Some(d("1234.5")));
        assert_eq!(parse_number("500", DecimalComma), Some(d("500")));
        assert_eq!(parse_number("12,5-", DecimalComma), Some(d("-12.5")));
        assert_eq!(parse_number("1,23,4", DecimalPoint), None);
        assert_eq!(parse_number("0,028", DecimalPoint), None);
        assert_eq!(parse_number("0.028", DecimalComma), None);
        assert_eq!(parse_number("M8x40", DecimalPoint), None);
        assert_eq!(parse_number("22.11.2026", DecimalComma), None);
        assert_eq!(parse_number("", DecimalComma), None);
    }

    #[test]
    fn style_is_read_from_the_whole_text() {
        assert_eq!(
            NumberStyle::detect("500 Stk à 0,12 = 60,00 EUR, Summe 1.060,00"),
            NumberStyle::DecimalComma
        );
        assert_eq!(
            NumberStyle::detect("500 pcs at 0.12 = 60.00, total 1,060.00"),
            NumberStyle::DecimalPoint
        );
        assert_eq!(
            NumberStyle::detect("Datum 22.11.2026 Menge 5"),
            NumberStyle::DecimalComma
        );
    }

    #[test]
    fn dates_as_printed() {
        let want = Date::new(2026, 11, 22).unwrap();
        for s in [
            "22.11.2026",
            "22.11.26",
            "2026-11-22",
            "22. Nov. 2026",
            "22. November 2026",
            "22 Nov 2026",
            "November 22, 2026",
            "Nov 22 2026",
            "20261122",
            "22/11/2026",
        ] {
            assert_eq!(parse_date(s, DateOrder::DayFirst), Some(want), "{s}");
        }
        assert_eq!(parse_date("11/22/2026", DateOrder::MonthFirst), Some(want));
        assert_eq!(
            parse_date("3. März 2027", DateOrder::DayFirst),
            Date::new(2027, 3, 3).ok()
        );
        assert_eq!(parse_date("31.02.2026", DateOrder::DayFirst), None);
        assert_eq!(parse_date("M8x40", DateOrder::DayFirst), None);
        assert_eq!(DateOrder::detect("due 11/22/2026"), DateOrder::MonthFirst);
        assert_eq!(DateOrder::detect("due 22/11/2026"), DateOrder::DayFirst);
    }

    #[test]
    fn dates_are_found_inside_lines() {
        let (date, start, end) = find_date("Liefertermin: 3. Dez. 2026 frei Haus", DateOrder::DayFirst).unwrap();
        assert_eq!(date, Date::new(2026, 12, 3).unwrap());
        assert_eq!((start, end), (14, 26));
    }

    #[test]
    fn units_and_currencies() {
        assert_eq!(unit_code("Stk."), Some("C62"));
        assert_eq!(unit_code("Karton"), Some("BX"));
        assert_eq!(unit_code("KGM"), Some("KGM"));
        assert_eq!(unit_code("Rolle"), Some("RO"));
        assert_eq!(unit_code("Schraube"), None);
        assert_eq!(currency_code("€"), Some("EUR"));
        assert_eq!(currency_code("Kg"), None);
    }
}

//! Numbers, dates and units as a German or English reader expects them.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::Language;

/// A decimal with at least `min` decimals (trailing zeros beyond it dropped),
/// grouped by thousands: `12.506,5` → `12.506,50` in German, `12,506.50` in English.
fn number(value: Decimal, min: u32, language: Language) -> String {
    let mut value = value.normalize();
    if value.scale() < min {
        value.rescale(min);
    }
    let text = value.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (group, point) = match language {
        Language::German => ('.', ','),
        Language::English => (',', '.'),
    };
    let mut out = String::with_capacity(text.len() + 4);
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// A money amount with two decimals: `1.234,50`.
pub fn amount(value: Decimal, language: Language) -> String {
    number(value.round_dp(2), 2, language)
}

/// A unit price: two decimals, more when the price has them (`0,1234`).
pub fn price(value: Decimal, language: Language) -> String {
    number(value.round_dp(6), 2, language)
}

/// A quantity as it was ordered: `500`, `2,5`.
pub fn quantity(value: Decimal, language: Language) -> String {
    number(value, 0, language)
}

/// `02.12.2026` in German, `2 Dec 2026` in English.
pub fn date(d: Date, language: Language) -> String {
    match language {
        Language::German => d.strftime("%d.%m.%Y").to_string(),
        Language::English => d.strftime("%-d %b %Y").to_string(),
    }
}

/// The printed name of a UN/ECE Rec. 20 unit; the code itself when it has none.
pub fn unit_name(code: &str, language: Language) -> String {
    let (de, en) = match code {
        "C62" | "H87" | "EA" | "PCE" => ("Stk", "pcs"),
        "BX" => ("Karton", "box"),
        "PK" => ("Pack", "pack"),
        "SET" => ("Satz", "set"),
        "PR" => ("Paar", "pair"),
        "RO" => ("Rolle", "roll"),
        "MTR" => ("m", "m"),
        "KGM" => ("kg", "kg"),
        "LTR" => ("l", "l"),
        "CT" => ("Karton", "carton"),
        "PA" => ("Paket", "packet"),
        "HUR" => ("Std", "h"),
        _ => return code.to_owned(),
    };
    language.pick(de, en).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn numbers_are_grouped_and_pointed_per_language() {
        assert_eq!(amount(dec!(12506.5), Language::German), "12.506,50");
        assert_eq!(amount(dec!(12506.5), Language::English), "12,506.50");
        assert_eq!(amount(dec!(-1234567.891), Language::German), "-1.234.567,89");
        assert_eq!(amount(dec!(0), Language::German), "0,00");
        assert_eq!(price(dec!(0.1234), Language::German), "0,1234");
        assert_eq!(price(dec!(4.10), Language::English), "4.10");
        assert_eq!(quantity(dec!(500.000), Language::German), "500");
        assert_eq!(quantity(dec!(2.5), Language::German), "2,5");
        assert_eq!(quantity(dec!(1000), Language::English), "1,000");
    }

    #[test]
    fn dates_and_units_read_naturally() {
        let d = jiff::civil::date(2026, 12, 2);
        assert_eq!(date(d, Language::German), "02.12.2026");
        assert_eq!(date(d, Language::English), "2 Dec 2026");
        assert_eq!(unit_name("C62", Language::German), "Stk");
        assert_eq!(unit_name("BX", Language::English), "box");
        assert_eq!(unit_name("XYZ", Language::English), "XYZ");
    }
}

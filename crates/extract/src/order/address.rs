//! Printed addresses: the block under a delivery-address label, read into
//! name, street, postcode, city and country.

use super::*;

/// The address printed under (or after) a ship-to label: up to four lines.
pub(super) fn address_block(
    rows: &[Row],
    i: usize,
    column: usize,
    rest: &str,
    ctx: &Ctx<'_>,
) -> Option<Field<Address>> {
    let mut lines: Vec<String> = Vec::new();
    if !rest.is_empty() {
        lines.extend(rest.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()));
    }
    let width = rows[i].cells.len();
    let inline = lines.len() >= 2;
    for row in rows.iter().skip(i + 1).take(if inline { 0 } else { 5 }) {
        if lines.len() >= 4 {
            break;
        }
        let cell = if width > 1 && row.cells.len() == width {
            row.cells.get(column).map(|(t, _)| t.as_str())
        } else if width > 1 {
            // A column of its own: take the cell that starts nearest the label's.
            let at = rows[i].cells[column].1;
            row.cells
                .iter()
                .min_by_key(|(_, x)| x.abs_diff(at))
                .filter(|(_, x)| x.abs_diff(at) <= 4)
                .map(|(t, _)| t.as_str())
        } else {
            row.cells.first().map(|(t, _)| t.as_str())
        };
        let Some(cell) = cell else { break };
        if header_label(cell).is_some() || line_header(&row.texts()).is_some() {
            break;
        }
        lines.push(cell.to_owned());
    }
    let address = parse_address(&lines);
    (!address.is_empty()).then(|| Field::new(address, 0.93, rows[i].source(ctx.part, Some(column))))
}

/// Name, street, `zip city` and country from the lines of a printed address:
/// the street is the line before `zip city`, the name the first line above it.
pub fn parse_address(lines: &[String]) -> Address {
    let mut address = Address::default();
    let lines: Vec<&str> = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    // The last `zip city` line: `2743 Bering St.` above `99508 Anchorage` is the street.
    let zip_at = lines.iter().rposition(|l| zip_city(l).is_some());
    match zip_at {
        Some(z) => {
            if let Some((zip, city)) = zip_city(lines[z]) {
                address.zip = Some(zip);
                address.city = Some(city);
            }
            if z >= 1 {
                address.street = Some(lines[z - 1].to_owned());
            }
            if z >= 2 {
                address.name = Some(lines[0].to_owned());
            }
            if let Some(country) = lines.get(z + 1).and_then(|l| country_code(l)) {
                address.country = Some(country);
            }
        }
        None => {
            // No postcode and city: an address only when a street with a house
            // number follows the name (`Ship to our warehouse as usual.` is none).
            let street = lines.get(1).filter(|l| l.chars().any(|c| c.is_ascii_digit()));
            if let Some(street) = street {
                address.name = lines.first().map(|l| (*l).to_owned());
                address.street = Some((*street).to_owned());
            }
        }
    }
    address
}

pub(super) fn zip_city(line: &str) -> Option<(String, String)> {
    let (first, rest) = line.split_once(' ')?;
    let zip = first
        .trim_start_matches("D-")
        .trim_start_matches("A-")
        .trim_start_matches("CH-");
    let digits = zip.bytes().filter(u8::is_ascii_digit).count();
    if (4..=9).contains(&zip.len())
        && digits >= 4
        && zip.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && !rest.trim().is_empty()
    {
        return Some((zip.to_owned(), rest.trim().to_owned()));
    }
    // British postcodes: `S1 2HH Sheffield` or `Sheffield S1 2HH`.
    let words: Vec<&str> = line.split_whitespace().collect();
    let outward = |w: &str| {
        (2..=4).contains(&w.len())
            && w.starts_with(|c: char| c.is_ascii_uppercase())
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    let inward = |w: &str| {
        w.len() == 3 && w.starts_with(|c: char| c.is_ascii_digit()) && w[1..].chars().all(|c| c.is_ascii_uppercase())
    };
    if words.len() >= 3 && outward(words[0]) && inward(words[1]) {
        return Some((format!("{} {}", words[0], words[1]), words[2..].join(" ")));
    }
    if words.len() >= 3 && outward(words[words.len() - 2]) && inward(words[words.len() - 1]) {
        let n = words.len();
        return Some((
            format!("{} {}", words[n - 2], words[n - 1]),
            words[..n - 2].join(" ").trim_end_matches(',').to_owned(),
        ));
    }
    // `Springfield, IL 62704` and `London SW1A 1AA` style: the zip at the end.
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() >= 3
        && let Some(last) = words.last()
        && last.len() == 5
        && last.bytes().all(|b| b.is_ascii_digit())
    {
        let city = words[..words.len() - 2].join(" ").trim_end_matches(',').to_owned();
        return Some(((*last).to_owned(), city));
    }
    None
}

pub(super) fn country_code(name: &str) -> Option<String> {
    let n = name.trim().to_lowercase();
    let code = match n.as_str() {
        "deutschland" | "germany" | "de" => "DE",
        "österreich" | "austria" | "at" => "AT",
        "schweiz" | "switzerland" | "ch" => "CH",
        "frankreich" | "france" | "fr" => "FR",
        "niederlande" | "netherlands" | "nl" => "NL",
        "usa" | "united states" | "us" => "US",
        "united kingdom" | "uk" | "großbritannien" | "gb" => "GB",
        "italien" | "italy" | "it" => "IT",
        "spanien" | "spain" | "es" => "ES",
        "polen" | "poland" | "pl" => "PL",
        _ => return None,
    };
    Some(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_under_a_ship_to_label_is_no_address() {
        let lines = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(parse_address(&lines(&["our warehouse as usual.", "Thanks,"])).is_empty());
        let a = parse_address(&lines(&["Werk 2", "Werkstraße 7"]));
        assert_eq!(a.street.as_deref(), Some("Werkstraße 7"));
        let a = parse_address(&lines(&["Muster GmbH", "Hauptstr. 1", "70173 Stuttgart"]));
        assert_eq!(
            (a.zip.as_deref(), a.city.as_deref()),
            (Some("70173"), Some("Stuttgart"))
        );
    }
}

//! HTML mail bodies to text, keeping tables as tables.
//!
//! A tolerant tag scanner, enough for the HTML that mail programs write: it
//! drops scripts, styles and comments, breaks lines at block elements, decodes
//! the common entities, and collects `<tr>`/`<td>` into [`Table`]s (also
//! written into the text, cells separated by tabs, so text search sees them).

use crate::model::Table;

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "#39" => '\'',
        "nbsp" => ' ',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "euro" => '€',
        "eacute" => 'é',
        n => {
            let code = n.strip_prefix("#x").or_else(|| n.strip_prefix("#X"));
            return match code {
                Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                None => n
                    .strip_prefix('#')
                    .and_then(|d| d.parse().ok())
                    .and_then(char::from_u32),
            };
        }
    })
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        match tail
            .find(';')
            .filter(|j| *j <= 10)
            .and_then(|j| entity(&tail[..j]).map(|c| (c, j)))
        {
            Some((c, j)) => {
                out.push(c);
                rest = &tail[j + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Converts HTML to text and the tables it contains.
pub fn to_text(html: &str) -> (String, Vec<Table>) {
    let mut text = String::new();
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut open_tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut cell: Option<String> = None;
    let mut skip_until: Option<&str> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut text, &mut cell, rest, skip_until.is_some());
            break;
        };
        push_text(&mut text, &mut cell, &rest[..lt], skip_until.is_some());
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
            continue;
        }
        let (tag, after) = match rest.find('>') {
            Some(e) => (&rest[1..e], &rest[e + 1..]),
            None => (&rest[1..], ""),
        };
        rest = after;
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(until) = skip_until {
            if closing && name == until {
                skip_until = None;
            }
            continue;
        }
        match (name.as_str(), closing) {
            ("script", false) => skip_until = Some("script"),
            ("style", false) => skip_until = Some("style"),
            ("head", false) => skip_until = Some("head"),
            ("table", false) => open_tables.push(Vec::new()),
            ("table", true) => {
                if let Some(t) = open_tables.pop() {
                    tables.push(t);
                }
                text.push('\n');
            }
            ("tr", false) => {
                if let Some(t) = open_tables.last_mut() {
                    t.push(Vec::new());
                }
            }
            ("tr", true) => {
                finish_cell(&mut cell, &mut open_tables, &mut text);
                text.push('\n');
            }
            ("td" | "th", false) => {
                finish_cell(&mut cell, &mut open_tables, &mut text);
                cell = Some(String::new());
            }
            ("td" | "th", true) => finish_cell(&mut cell, &mut open_tables, &mut text),
            ("br", _) => match &mut cell {
                Some(c) => c.push(' '),
                None => text.push('\n'),
            },
            ("p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "blockquote" | "pre", _) if cell.is_none() => {
                text.push('\n')
            }
            _ => {}
        }
    }
    finish_cell(&mut cell, &mut open_tables, &mut text);
    tables.extend(open_tables);
    let text = text
        .lines()
        .map(|l| l.trim_end_matches(['\t', ' ']).trim_start_matches(' '))
        .collect::<Vec<_>>()
        .join("\n");
    let mut collapsed = String::new();
    for line in text.split('\n') {
        if line.trim().is_empty() && collapsed.ends_with("\n\n") {
            continue;
        }
        collapsed.push_str(line);
        collapsed.push('\n');
    }
    let tables = tables
        .into_iter()
        .map(|rows| {
            rows.into_iter()
                .filter(|r| r.iter().any(|c| !c.is_empty()))
                .collect::<Vec<_>>()
        })
        .filter(|rows| !rows.is_empty())
        .map(|rows| {
            let header = crate::sheet::header_rows(&rows);
            Table::from_rows(1, None, header, rows)
        })
        .collect();
    (collapsed.trim().to_owned(), tables)
}

fn push_text(text: &mut String, cell: &mut Option<String>, raw: &str, skipping: bool) {
    if skipping || raw.is_empty() {
        return;
    }
    let decoded = decode_entities(raw);
    let squashed: String = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    if squashed.is_empty() {
        return;
    }
    let leading = decoded.starts_with(char::is_whitespace);
    match cell {
        Some(c) => {
            if !c.is_empty() && leading {
                c.push(' ');
            }
            c.push_str(&squashed);
        }
        None => {
            if leading && !text.ends_with(['\n', ' ', '\t']) && !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&squashed);
            if decoded.ends_with(char::is_whitespace) {
                text.push(' ');
            }
        }
    }
}

/// Ends the open cell: into the table's row, and into the text followed by a tab.
fn finish_cell(cell: &mut Option<String>, tables: &mut [Vec<Vec<String>>], text: &mut String) {
    if let Some(c) = cell.take() {
        let c = c.trim().to_owned();
        text.push_str(&c);
        text.push('\t');
        if let Some(row) = tables.last_mut().and_then(|t| t.last_mut()) {
            row.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_stay_tables() {
        let html = "<html><head><style>td{}</style></head><body><p>Guten Tag,</p><p>bitte liefern Sie:</p>\
<table><tr><th>Artikel</th><th>Menge</th></tr><tr><td>HB-M8-40-A2</td><td>500&nbsp;Stk</td></tr></table>\
<script>alert(1)</script><p>Gr&uuml;&szlig;e &amp; Dank</p></body></html>";
        let (text, tables) = to_text(html);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].row(1), vec!["HB-M8-40-A2", "500 Stk"]);
        assert_eq!(tables[0].header_rows, 1);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines.contains(&"Guten Tag,") && lines.contains(&"bitte liefern Sie:"),
            "{text}"
        );
        assert!(text.contains("HB-M8-40-A2\t500 Stk"), "{text}");
        assert!(text.contains("Grüße & Dank") && !text.contains("alert"), "{text}");
    }

    #[test]
    fn broken_html_does_not_panic() {
        for html in [
            "<",
            "<table><td>x",
            "&#xFFFFFFFF;",
            "<!-- unclosed",
            "<td></tr></table></table>",
            "&",
        ] {
            let _ = to_text(html);
        }
    }
}

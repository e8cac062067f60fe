//! Small bar charts as inline SVG for the KPI trends: drawn on the server,
//! no script, only presentation attributes (so the page's CSP holds), with a
//! title and description for screen readers beside the data table the page
//! prints of the same numbers.

/// Escapes text for SVG content and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A value axis maximum that reads well: 1, 2 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * power)
}

/// One series of bars, one per label (oldest first; short, as the axis shows them); `None` draws no bar
/// (nothing to measure that day). `unit` follows the axis maximum.
pub fn bars(id: &str, title: &str, labels: &[String], values: &[Option<f64>], unit: &str) -> String {
    const W: f64 = 520.0;
    const H: f64 = 150.0;
    const LEFT: f64 = 40.0;
    const BOTTOM: f64 = 22.0;
    const TOP: f64 = 10.0;
    let max = nice_max(values.iter().flatten().copied().fold(0.0, f64::max));
    let n = labels.len().max(1) as f64;
    let slot = (W - LEFT - 4.0) / n;
    let plot = H - BOTTOM - TOP;
    let measured: Vec<String> = labels
        .iter()
        .zip(values)
        .filter_map(|(l, v)| v.map(|v| format!("{l}: {}", trim(v))))
        .collect();
    let mut svg = format!(
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(&if measured.is_empty() {
            "nothing measured in these days".to_owned()
        } else {
            measured.join("; ")
        }),
    );
    // Axis and the maximum's grid line.
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{}\" y2=\"{TOP}\" stroke=\"#dde3ea\" stroke-width=\"1\"/>\
         <line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\" stroke-width=\"1\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\" fill=\"#5b6773\">{}<title>{} {}</title></text>\
         <text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\" fill=\"#5b6773\">0</text>",
        W - 4.0,
        H - BOTTOM,
        W - 4.0,
        H - BOTTOM,
        LEFT - 4.0,
        TOP + 4.0,
        trim(max),
        trim(max),
        esc(unit),
        LEFT - 4.0,
        H - BOTTOM,
    ));
    for (i, (label, value)) in labels.iter().zip(values).enumerate() {
        let x = LEFT + 2.0 + i as f64 * slot;
        if let Some(v) = value {
            let h = (v / max * plot).clamp(0.0, plot);
            svg.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#2f6fb0\"><title>{}: {} {}</title></rect>",
                x + slot * 0.15,
                H - BOTTOM - h,
                slot * 0.7,
                h.max(0.5),
                esc(label),
                trim(*v),
                esc(unit)
            ));
        }
        // Every seventh day back from the last is named; the last at the right edge.
        let from_end = labels.len() - 1 - i;
        if from_end.is_multiple_of(7) {
            let (x, anchor) = if from_end == 0 {
                (W - 4.0, "end")
            } else {
                (x + slot / 2.0, "middle")
            };
            svg.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{}\" font-size=\"9\" text-anchor=\"{anchor}\" fill=\"#5b6773\">{}</text>",
                H - 6.0,
                esc(label)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A number without needless decimals.
fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_a_bar_per_measured_day_and_reads_aloud() {
        let labels: Vec<String> = (1..=14).map(|d| format!("2026-11-{d:02}")).collect();
        let mut values: Vec<Option<f64>> = (1..=14).map(|d| Some(f64::from(d))).collect();
        values[3] = None;
        let svg = bars("orders", "Orders <confirmed> & more", &labels, &values, "orders");
        assert_eq!(svg.matches("<rect").count(), 13, "no bar where nothing was measured");
        assert!(svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"orders-title orders-desc\""));
        assert!(svg.contains("Orders &lt;confirmed&gt; &amp; more"));
        assert!(svg.contains("2026-11-14: 14"), "the description carries the numbers");
        assert!(
            svg.contains(">2026-11-14</text>"),
            "the axis names the last day as given"
        );
        assert!(
            svg.contains(">20<title>20 orders</title>"),
            "the axis ends at a round 20"
        );
        assert!(!svg.contains("style="), "no inline style under the CSP");
    }

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(100.0), 100.0);
        assert_eq!(nice_max(101.0), 200.0);
        assert_eq!(nice_max(0.3), 0.5);
    }
}

//! The test corpus on disk and how well drafts match its truth.
//!
//! [`generate_corpus`] writes the corpus generator's files into a directory,
//! each beside its truth (`NAME.truth.json`). [`measure`] drafts every file
//! against the current master data and compares field by field: per-field
//! precision and recall, order-level exact match, the straight-through rate
//! of clean orders and the false-accept rate (a draft passed straight through
//! with any field wrong), plus per-format latency.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use corpus::Truth;
use matching::Catalog;
use store::Store;

use app::Config;
use app::draft::{Draft, load_master_data};

#[derive(Debug, thiserror::Error)]
pub enum CorpusRunError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: the truth file cannot be read: {source}", path.display())]
    Truth { path: PathBuf, source: serde_json::Error },
    #[error(transparent)]
    Corpus(#[from] corpus::CorpusError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Writes `count` generated files and their truth into `dir`; returns how many.
pub async fn generate_corpus(store: &Store, seed: u64, count: usize, dir: &Path) -> Result<usize, CorpusRunError> {
    let data = load_master_data(store).await?;
    let master = corpus::Master {
        products: &data.products,
        customers: &data.customers,
        addresses: &data.addresses,
        customer_items: &data.customer_items,
        prices: &data.prices,
        stock: &data.stock,
    };
    let generated = corpus::generate(master, seed, count)?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| CorpusRunError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for g in &generated {
        let file = dir.join(&g.file_name);
        std::fs::write(&file, &g.bytes).map_err(io(&file))?;
        let truth = dir.join(format!("{}.truth.json", g.file_name));
        let json = serde_json::to_vec_pretty(&g.truth).unwrap_or_default();
        std::fs::write(&truth, json).map_err(io(&truth))?;
    }
    Ok(generated.len())
}

/// Counts for one field.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FieldScore {
    /// The draft holds the right value.
    pub correct: u64,
    /// The draft holds a value, right or wrong.
    pub predicted: u64,
    /// The truth holds a value.
    pub expected: u64,
}

impl FieldScore {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.expected)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The result of drafting a whole corpus.
#[derive(Debug, Default, Clone)]
pub struct AccuracyReport {
    pub documents: u64,
    pub fields: BTreeMap<&'static str, FieldScore>,
    /// Orders whose every compared field is right.
    pub exact: u64,
    pub orders: u64,
    pub clean_orders: u64,
    pub clean_straight_through: u64,
    pub straight_through: u64,
    /// Straight through with any field wrong.
    pub false_accepts: u64,
    /// Expected exception codes raised / expected.
    pub exceptions_found: u64,
    pub exceptions_expected: u64,
    /// Milliseconds per document, by format.
    pub latency_ms: BTreeMap<String, Vec<f64>>,
    /// Files whose draft had a wrong field, with what was wrong (the first few).
    pub mistakes: Vec<String>,
}

fn score(report: &mut AccuracyReport, field: &'static str, expected: Option<&str>, got: Option<&str>) -> bool {
    let s = report.fields.entry(field).or_default();
    if expected.is_some() {
        s.expected += 1;
    }
    if got.is_some() {
        s.predicted += 1;
    }
    let right = expected == got;
    if right && expected.is_some() {
        s.correct += 1;
    }
    right
}

/// Compares one draft with its truth; returns what was wrong.
pub fn compare(report: &mut AccuracyReport, truth: &Truth, draft: &Draft) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut check = |report: &mut AccuracyReport, field: &'static str, e: Option<&str>, g: Option<&str>| {
        if !score(report, field, e, g) {
            wrong.push(format!("{field}: expected {e:?}, got {g:?}"));
        }
    };
    let text = |d: Option<rust_decimal::Decimal>| d.map(|d| d.normalize().to_string());
    let day = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string());
    check(report, "kind", Some(&truth.kind), Some(draft.kind.as_str()));
    check(
        report,
        "customer_no",
        truth.customer_no.as_deref(),
        draft.customer.as_ref().map(|c| c.customer_no.as_str()),
    );
    check(
        report,
        "po_number",
        truth.po_number.as_deref(),
        draft.po_number.as_deref(),
    );
    check(
        report,
        "order_date",
        truth.order_date.as_deref(),
        day(draft.order_date).as_deref(),
    );
    check(
        report,
        "requested_delivery_date",
        truth.requested_delivery_date.as_deref(),
        day(draft.requested_delivery_date).as_deref(),
    );
    if truth.customer_no.is_some() {
        check(
            report,
            "currency",
            truth.currency.as_deref(),
            draft.currency.map(|c| c.to_string()).as_deref(),
        );
    }
    check(
        report,
        "stated_total",
        truth.stated_total.as_deref(),
        text(draft.stated_total).as_deref(),
    );
    if truth.customer_no.is_some() {
        check(
            report,
            "ship_to",
            truth.ship_to_address_id.as_deref(),
            draft.ship_to.as_ref().and_then(|s| s.address_id.as_deref()),
        );
    }
    check(
        report,
        "line_count",
        Some(&truth.lines.len().to_string()),
        Some(&draft.lines.len().to_string()),
    );
    for (i, t) in truth.lines.iter().enumerate() {
        let d = draft.lines.get(i);
        check(report, "line.sku", t.sku.as_deref(), d.and_then(|l| l.sku.as_deref()));
        check(
            report,
            "line.quantity",
            Some(&t.quantity),
            text(d.and_then(|l| l.quantity)).as_deref(),
        );
        check(report, "line.uom", Some(&t.uom), d.and_then(|l| l.uom.as_deref()));
        check(
            report,
            "line.unit_price",
            t.unit_price.as_deref(),
            text(d.and_then(|l| l.unit_price)).as_deref(),
        );
    }
    wrong
}

/// Drafts every file of the corpus in `dir` and compares it with its truth.
pub async fn measure(
    store: &Store,
    catalog: &Catalog,
    dir: &Path,
    config: &Config,
) -> Result<AccuracyReport, CorpusRunError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| CorpusRunError::Io { path, source }
    };
    let mut truths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    truths.sort();
    let mut report = AccuracyReport::default();
    for truth_path in truths {
        let text = std::fs::read(&truth_path).map_err(io(&truth_path))?;
        let truth: Truth = serde_json::from_slice(&text).map_err(|source| CorpusRunError::Truth {
            path: truth_path.clone(),
            source,
        })?;
        let file = dir.join(&truth.file);
        let bytes = std::fs::read(&file).map_err(io(&file))?;
        let started = Instant::now();
        let draft = app::draft::extract_bytes(store, catalog, &bytes, Some(&truth.file), None, config).await?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        report.latency_ms.entry(truth.format.clone()).or_default().push(ms);
        report.documents += 1;
        let wrong = compare(&mut report, &truth, &draft);
        let is_order = truth.kind == "order";
        if is_order {
            report.orders += 1;
            if wrong.is_empty() {
                report.exact += 1;
            }
        }
        let stp = draft.decision == domain::validation::Decision::StraightThrough;
        if stp {
            report.straight_through += 1;
            if !wrong.is_empty() || !truth.clean {
                report.false_accepts += 1;
            }
        }
        if truth.clean {
            report.clean_orders += 1;
            if stp {
                report.clean_straight_through += 1;
            }
        }
        for code in &truth.expected_exceptions {
            report.exceptions_expected += 1;
            if draft.exceptions.iter().any(|e| e.code.as_str() == code) {
                report.exceptions_found += 1;
            }
        }
        // Every false accept is listed; other mistakes up to 40.
        if (!wrong.is_empty() || (truth.clean && !stp)) && (stp || report.mistakes.len() < 40) {
            let why = if wrong.is_empty() {
                let reasons: Vec<String> = draft.review_reasons.iter().map(ToString::to_string).collect();
                format!("review: {}", reasons.join("; "))
            } else {
                wrong.join("; ")
            };
            let stp = if stp { " [straight through]" } else { "" };
            report.mistakes.push(format!(
                "{} ({} {}){stp}: {why}",
                truth.file, truth.format, truth.layout
            ));
        }
    }
    Ok(report)
}

impl AccuracyReport {
    /// All fields together: correct / expected.
    pub fn field_accuracy(&self) -> f64 {
        let (c, e) = self
            .fields
            .values()
            .fold((0, 0), |(c, e), s| (c + s.correct, e + s.expected.max(s.predicted)));
        ratio(c, e)
    }

    pub fn print(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("documents: {}\n", self.documents));
        out.push_str(&format!(
            "{:<26} {:>10} {:>10} {:>9}\n",
            "field", "precision", "recall", "expected"
        ));
        for (name, s) in &self.fields {
            out.push_str(&format!(
                "{:<26} {:>9.2}% {:>9.2}% {:>9}\n",
                name,
                s.precision() * 100.0,
                s.recall() * 100.0,
                s.expected
            ));
        }
        out.push_str(&format!(
            "field-level accuracy: {:.2}%\n",
            self.field_accuracy() * 100.0
        ));
        out.push_str(&format!(
            "order-level exact match: {:.2}% ({} of {} orders)\n",
            ratio(self.exact, self.orders) * 100.0,
            self.exact,
            self.orders
        ));
        out.push_str(&format!(
            "straight-through rate of clean orders: {:.2}% ({} of {})\n",
            ratio(self.clean_straight_through, self.clean_orders) * 100.0,
            self.clean_straight_through,
            self.clean_orders
        ));
        out.push_str(&format!(
            "false-accept rate: {:.2}% ({} of {} straight-through drafts had a wrong field or a problem)\n",
            if self.straight_through == 0 {
                0.0
            } else {
                ratio(self.false_accepts, self.straight_through) * 100.0
            },
            self.false_accepts,
            self.straight_through
        ));
        out.push_str(&format!(
            "deliberate problems caught: {:.2}% ({} of {})\n",
            ratio(self.exceptions_found, self.exceptions_expected) * 100.0,
            self.exceptions_found,
            self.exceptions_expected
        ));
        out.push_str("latency per document (read, extract, match, check), by format:\n");
        for (format, times) in &self.latency_ms {
            let mut t = times.clone();
            t.sort_by(f64::total_cmp);
            let p = |q: f64| t[((t.len() as f64 * q) as usize).min(t.len() - 1)];
            out.push_str(&format!(
                "  {:<16} n={:<5} p50 {:>7.2} ms  p99 {:>7.2} ms\n",
                format,
                t.len(),
                p(0.5),
                p(0.99)
            ));
        }
        out
    }
}

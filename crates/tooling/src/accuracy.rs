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
use domain::review::ReadField;

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
    generate_families(store, seed, count, dir, &[]).await
}

/// The families written from descriptions of real documents, by name.
pub const DESCRIBED_FAMILIES: [&str; 4] = [
    corpus::Format::DESCRIBED[0].0,
    corpus::Format::DESCRIBED[1].0,
    corpus::Format::DESCRIBED[2].0,
    corpus::Format::DESCRIBED[3].0,
];

/// The format of a described family.
pub fn described_family(name: &str) -> Option<corpus::Format> {
    corpus::Format::described(name)
}

/// Like [`generate_corpus`], in the given formats only (empty: the usual mix).
pub async fn generate_families(
    store: &Store,
    seed: u64,
    count: usize,
    dir: &Path,
    formats: &[corpus::Format],
) -> Result<usize, CorpusRunError> {
    let data = load_master_data(store).await?;
    let generated = corpus::generate_families(crate::corpus_master(&data), seed, count, formats)?;
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
    /// Calibration: by confidence bucket, how many values the drafts held and how many were right.
    pub reliability: BTreeMap<usize, (u64, u64)>,
    /// Values held with a confidence of 0.9 or more that were wrong, by field.
    pub sure_but_wrong: BTreeMap<&'static str, u64>,
    /// The same figures by family (the generator's layout), for measuring
    /// on families that were not looked at while writing the rules.
    pub families: BTreeMap<String, FamilyScore>,
}

/// The figures of one family of documents.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FamilyScore {
    pub documents: u64,
    pub correct: u64,
    pub expected: u64,
    pub orders: u64,
    pub exact: u64,
    pub straight_through: u64,
    pub false_accepts: u64,
}

/// The lower bounds of the confidence buckets of the reliability table.
const BUCKETS: [f64; 6] = [0.0, 0.5, 0.7, 0.9, 0.95, 0.99];

fn bucket(confidence: f64) -> usize {
    BUCKETS.iter().rposition(|b| confidence >= *b).unwrap_or(0)
}

impl AccuracyReport {
    /// Counts one value the draft held with `confidence`, right or not.
    fn calibrate(&mut self, field: &'static str, confidence: f64, right: bool) {
        let entry = self.reliability.entry(bucket(confidence)).or_default();
        entry.0 += 1;
        entry.1 += u64::from(right);
        if confidence >= 0.9 && !right {
            *self.sure_but_wrong.entry(field).or_default() += 1;
        }
    }
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
    // Calibration: each value held with its confidence, and whether it is right.
    let held = |f: ReadField| draft.fields.get(&f).map(|i| i.confidence);
    let same = |e: Option<&str>, g: Option<String>| g.is_some() && e == g.as_deref();
    let mut calibrations = vec![
        (
            "customer",
            draft.customer.as_ref().map(|c| c.confidence),
            same(
                truth.customer_no.as_deref(),
                draft.customer.as_ref().map(|c| c.customer_no.clone()),
            ),
        ),
        (
            "po_number",
            held(ReadField::PoNumber),
            same(truth.po_number.as_deref(), draft.po_number.clone()),
        ),
        (
            "order_date",
            held(ReadField::OrderDate),
            same(truth.order_date.as_deref(), day(draft.order_date)),
        ),
        (
            "requested_delivery_date",
            held(ReadField::RequestedDeliveryDate),
            same(
                truth.requested_delivery_date.as_deref(),
                day(draft.requested_delivery_date),
            ),
        ),
        (
            "stated_total",
            held(ReadField::StatedTotal),
            same(truth.stated_total.as_deref(), text(draft.stated_total)),
        ),
    ];
    // A line is right when the truth has it, wherever: a line missed above
    // must not make the lines below it count as wrong.
    for line in &draft.lines {
        let right = truth.lines.iter().any(|t| {
            t.sku.as_deref() == line.sku.as_deref()
                && Some(t.quantity.as_str()) == text(line.quantity).as_deref()
                && Some(t.uom.as_str()) == line.uom.as_deref()
        });
        calibrations.push(("line", Some(line.confidence), right));
    }
    for (field, confidence, right) in calibrations {
        if let Some(c) = confidence {
            report.calibrate(field, c, right);
        }
    }
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
///
/// With `families`, only the files of those families (layouts such as
/// `pdf-3`, or formats such as `csv`) are drafted.
pub async fn measure(
    store: &Store,
    catalog: &Catalog,
    dir: &Path,
    config: &Config,
    families: &[String],
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
        if !families.is_empty() && !families.iter().any(|f| *f == truth.layout || *f == truth.format) {
            continue;
        }
        let file = dir.join(&truth.file);
        let bytes = std::fs::read(&file).map_err(io(&file))?;
        let started = Instant::now();
        let draft = app::draft::extract_bytes(store, catalog, &bytes, Some(&truth.file), None, config).await?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        report.latency_ms.entry(truth.format.clone()).or_default().push(ms);
        report.documents += 1;
        let before: (u64, u64) = report
            .fields
            .values()
            .fold((0, 0), |(c, e), f| (c + f.correct, e + f.expected.max(f.predicted)));
        let wrong = compare(&mut report, &truth, &draft);
        let after: (u64, u64) = report
            .fields
            .values()
            .fold((0, 0), |(c, e), f| (c + f.correct, e + f.expected.max(f.predicted)));
        let family = report.families.entry(truth.layout.clone()).or_default();
        family.documents += 1;
        family.correct += after.0 - before.0;
        family.expected += after.1 - before.1;
        let is_order = truth.kind == "order";
        if is_order {
            report.orders += 1;
            if wrong.is_empty() {
                report.exact += 1;
            }
        }
        let stp = draft.decision == domain::validation::Decision::StraightThrough;
        let family = report.families.entry(truth.layout.clone()).or_default();
        family.orders += u64::from(is_order);
        family.exact += u64::from(is_order && wrong.is_empty());
        family.straight_through += u64::from(stp);
        family.false_accepts += u64::from(stp && (!wrong.is_empty() || !truth.clean));
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
        out.push_str("by family:                 fields   exact orders   straight through   false accepts\n");
        for (name, f) in &self.families {
            out.push_str(&format!(
                "  {:<22} {:>7.2}%   {:>6.2}% of {:<4}  {:>5}              {}\n",
                name,
                ratio(f.correct, f.expected) * 100.0,
                ratio(f.exact, f.orders) * 100.0,
                f.orders,
                f.straight_through,
                f.false_accepts
            ));
        }
        out.push_str("reliability (values the drafts held, by confidence: how many, and the share right):\n");
        for (b, (n, right)) in &self.reliability {
            let upper = BUCKETS.get(b + 1).map_or("1.00".to_owned(), |u| format!("{u:.2}"));
            out.push_str(&format!(
                "  {:.2}–{upper}  n={n:<6} right {:>7.2}%\n",
                BUCKETS[*b],
                ratio(*right, *n) * 100.0
            ));
        }
        if !self.sure_but_wrong.is_empty() {
            let list: Vec<String> = self.sure_but_wrong.iter().map(|(f, n)| format!("{f} {n}")).collect();
            out.push_str(&format!("  wrong at 0.90 or more: {}\n", list.join(", ")));
        }
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

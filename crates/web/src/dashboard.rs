//! The home page for managers: the six KPIs for today, this week, this
//! month and a chosen range, each with its definition one click away; their
//! trends over 30 days as charts with the numbers beside; the queue's
//! service levels now; breakdowns by customer, channel, format, clerk and
//! kind; master data and the latest activity below.

use crate::error::Missing;
use crate::i18n::{Tr, mark};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use domain::kpi::{Group, OrderFact, ResponseFact};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use store::master::MasterTable;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::pages::{EventRow, UserView, render};

pub(crate) struct Tile {
    label: &'static str,
    href: &'static str,
    count: i64,
}

/// One KPI over the periods shown.
pub(crate) struct KpiRow {
    name: &'static str,
    definition: &'static str,
    values: Vec<String>,
}

/// One day of the trend.
pub(crate) struct TrendRow {
    day: Date,
    orders: usize,
    median: String,
    stp: String,
    response: String,
}

/// A breakdown's table: its title and rows.
pub(crate) struct Breakdown {
    title: &'static str,
    id: &'static str,
    rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    tr: crate::i18n::Tr,
    nav: &'static str,
    user: Option<UserView>,
    zone: String,
    periods: Vec<String>,
    kpis: Vec<KpiRow>,
    charts: Vec<(String, String)>,
    trend: Vec<TrendRow>,
    sla: Vec<(String, usize)>,
    near_due: usize,
    overdue: usize,
    waiting: usize,
    breakdowns: Vec<Breakdown>,
    kinds: Vec<Vec<String>>,
    breakdown_period: String,
    from: String,
    to: String,
    /// `&from=…&to=…` for the CSV links when a range is chosen.
    range_query: String,
    range_error: String,
    tiles: Vec<Tile>,
    recent: Vec<EventRow>,
    /// The signed-in person's day: their queue and what they did today.
    mine: usize,
    mine_overdue: usize,
    my_day: Vec<(String, i64)>,
}

#[derive(Deserialize, Default)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// A duration as people say it: seconds under a minute, minutes under two
/// hours (`3 h 5 min`; German `3 Std. 5 Min.`).
pub(crate) fn minutes(d: SignedDuration, tr: &Tr) -> String {
    let s = d.as_secs().max(0);
    let m = s / 60;
    let (min, h) = if tr.german() { ("Min.", "Std.") } else { ("min", "h") };
    if s < 60 {
        format!("{s} s")
    } else if m >= 120 {
        format!("{} {h} {} {min}", m / 60, m % 60)
    } else {
        format!("{m} {min}")
    }
}

fn spread_text(s: Option<domain::kpi::Spread>, tr: &Tr) -> String {
    s.map_or("–".into(), |s| {
        format!("{} (p90 {}, n={})", minutes(s.median, tr), minutes(s.p90, tr), s.count)
    })
}

fn funnel_text(f: &domain::kpi::QuoteFunnel, tr: &Tr) -> String {
    if f.quoted == 0 {
        return "–".into();
    }
    let mut text = tr.fill(
        "{} quoted → {} sent → {} accepted → {} ordered",
        &[&f.quoted, &f.sent, &f.accepted, &f.ordered],
    );
    if !f.lost.is_empty() {
        let lost: Vec<String> = f
            .lost
            .iter()
            .map(|(reason, n)| format!("{} {n}", tr.label(reason.map_or("expired", |r| r.as_str()))))
            .collect();
        text.push_str(&tr.f("; lost: {}", lost.join(", ")));
    }
    text
}

fn rate_text(r: domain::kpi::Rate, tr: &Tr) -> String {
    r.percent().map_or("–".into(), |p| {
        // One decimal always (`0.0 %`), with the language's decimal sign.
        let share = format!("{p:.1}");
        let share = if tr.german() { share.replace('.', ",") } else { share };
        tr.fill("{} % ({} of {})", &[&share, &r.part, &r.whole])
    })
}

/// Midnight of `day` in `zone`.
fn start_of(day: Date, zone: &TimeZone) -> Option<Timestamp> {
    day.to_zoned(zone.clone()).ok().map(|z| z.timestamp())
}

/// The periods of the KPI table: today, this week (since Monday), this
/// month, and the chosen range (whole days, `to` included) when one is.
fn periods(now: Timestamp, zone: &TimeZone, range: Option<(Date, Date)>) -> Vec<(String, Timestamp, Timestamp)> {
    let today = now.to_zoned(zone.clone()).date();
    let monday = today - jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset()));
    let first = today.first_of_month();
    let mut out = Vec::new();
    for (name, day) in [
        (mark("Today"), today),
        (mark("This week"), monday),
        (mark("This month"), first),
    ] {
        if let Some(from) = start_of(day, zone) {
            out.push((name.to_owned(), from, now));
        }
    }
    if let Some((from, to)) = range
        && let (Some(a), Some(b)) = (start_of(from, zone), start_of(to + jiff::Span::new().days(1), zone))
    {
        out.push((format!("{from} – {to}"), a, b));
    }
    out
}

/// The facts of one period, read once for all the figures of the page.
#[derive(Clone, Default)]
struct Facts {
    // Shared, not copied: the same fact stands in a day, a period and a group.
    orders: Vec<Arc<OrderFact>>,
    responses: Vec<Arc<ResponseFact>>,
    threads: Vec<Arc<domain::kpi::ThreadFact>>,
    /// Quotes sent in the period (turnaround) …
    quotes_sent: Vec<Arc<domain::kpi::QuoteFact>>,
    /// … and quotes whose RFQ arrived in it (the funnel).
    quotes_begun: Vec<Arc<domain::kpi::QuoteFact>>,
}

impl Facts {
    async fn read(store: &store::Store, from: Timestamp, to: Timestamp) -> Result<Facts, WebError> {
        let inside = |t: Timestamp| t >= from && t < to;
        let quotes: Vec<Arc<domain::kpi::QuoteFact>> =
            store.kpi_quotes(from, to).await?.into_iter().map(Arc::new).collect();
        Ok(Facts {
            orders: store.kpi_orders(from, to).await?.into_iter().map(Arc::new).collect(),
            responses: store.kpi_responses(from, to).await?.into_iter().map(Arc::new).collect(),
            threads: store.kpi_threads(from, to).await?.into_iter().map(Arc::new).collect(),
            quotes_sent: quotes
                .iter()
                .filter(|q| q.sent_at.is_some_and(inside))
                .cloned()
                .collect(),
            quotes_begun: quotes.into_iter().filter(|q| inside(q.rfq_received_at)).collect(),
        })
    }

    fn orders(&self) -> impl Iterator<Item = &OrderFact> {
        self.orders.iter().map(Arc::as_ref)
    }

    fn responses(&self) -> impl Iterator<Item = &ResponseFact> {
        self.responses.iter().map(Arc::as_ref)
    }

    fn extend(&mut self, other: &Facts) {
        self.orders.extend(other.orders.iter().cloned());
        self.responses.extend(other.responses.iter().cloned());
        self.threads.extend(other.threads.iter().cloned());
        self.quotes_sent.extend(other.quotes_sent.iter().cloned());
        self.quotes_begun.extend(other.quotes_begun.iter().cloned());
    }

    /// These facts by the day (in `zone`) each belongs to: an order by its
    /// confirmation, a message by its receipt, a thread by its beginning.
    fn by_day(self, zone: &TimeZone) -> BTreeMap<Date, Facts> {
        let mut out: BTreeMap<Date, Facts> = BTreeMap::new();
        for o in self.orders {
            out.entry(day_of(o.confirmed_at, zone)).or_default().orders.push(o);
        }
        for r in self.responses {
            out.entry(day_of(r.received_at, zone)).or_default().responses.push(r);
        }
        for t in self.threads {
            out.entry(day_of(t.started_at, zone)).or_default().threads.push(t);
        }
        for q in self.quotes_sent {
            if let Some(sent) = q.sent_at {
                out.entry(day_of(sent, zone)).or_default().quotes_sent.push(q);
            }
        }
        for q in self.quotes_begun {
            out.entry(day_of(q.rfq_received_at, zone))
                .or_default()
                .quotes_begun
                .push(q);
        }
        out
    }

    /// The part of these facts in `[from, to)`.
    fn within(&self, from: Timestamp, to: Timestamp) -> Facts {
        let inside = |t: Timestamp| t >= from && t < to;
        Facts {
            orders: self.orders.iter().filter(|o| inside(o.confirmed_at)).cloned().collect(),
            responses: self
                .responses
                .iter()
                .filter(|r| inside(r.received_at))
                .cloned()
                .collect(),
            threads: self.threads.iter().filter(|t| inside(t.started_at)).cloned().collect(),
            quotes_sent: self
                .quotes_sent
                .iter()
                .filter(|q| q.sent_at.is_some_and(inside))
                .cloned()
                .collect(),
            quotes_begun: self
                .quotes_begun
                .iter()
                .filter(|q| inside(q.rfq_received_at))
                .cloned()
                .collect(),
        }
    }
}

/// The facts of closed days (before today, in the desk's zone), kept so that
/// a page reads only today's: pre-aggregated per day, refreshed in the
/// background by [`refresh`] (`serve` runs it every few minutes), filled on
/// demand for days not held yet.
#[derive(Default)]
pub struct KpiDays {
    days: Mutex<BTreeMap<Date, Facts>>,
}

impl KpiDays {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Date, Facts>> {
        self.days.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Reads `[from_day, to_day)` in one go and keeps each day's facts.
async fn keep_days(state: &AppState, from_day: Date, to_day: Date, zone: &TimeZone) -> Result<(), WebError> {
    let (Some(from), Some(to)) = (start_of(from_day, zone), start_of(to_day, zone)) else {
        return Ok(());
    };
    let mut read = Facts::read(&state.store, from, to).await?.by_day(zone);
    let mut held = state.kpi_days.lock();
    let mut day = from_day;
    while day < to_day {
        held.insert(day, read.remove(&day).unwrap_or_default());
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    Ok(())
}

/// The facts of `first` up to `now`: closed days from what is kept (reading
/// those not held yet), today read fresh.
async fn facts_since(state: &AppState, first: Date, now: Timestamp, zone: &TimeZone) -> Result<Facts, WebError> {
    let today = now.to_zoned(zone.clone()).date();
    let missing = {
        let held = state.kpi_days.lock();
        let mut day = first;
        let mut missing = None;
        while day < today {
            if !held.contains_key(&day) {
                missing = Some(day);
                break;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        missing
    };
    if let Some(from_day) = missing {
        keep_days(state, from_day, today, zone).await?;
    }
    let mut all = Facts::default();
    {
        let held = state.kpi_days.lock();
        for (_, facts) in held.range(first..today) {
            all.extend(facts);
        }
    }
    if let Some(midnight) = start_of(today, zone) {
        all.extend(&Facts::read(&state.store, midnight, now).await?);
    }
    Ok(all)
}

/// Reads the closed days the dashboard shows again (amendments, late
/// answers and replies change them) and forgets older ones.
pub async fn refresh(state: &AppState) -> Result<(), WebError> {
    let zone = state.config.zone();
    let today = Timestamp::now().to_zoned(zone.clone()).date();
    let first = today - jiff::Span::new().days(KEPT_DAYS);
    keep_days(state, first, today, &zone).await?;
    state.kpi_days.lock().retain(|day, _| *day >= first);
    Ok(())
}

/// Closed days kept: a month and the days of a week before it.
const KEPT_DAYS: i64 = 40;

fn kpi_rows(
    per_period: &[Facts],
    hours: Option<(&domain::sla::BusinessHours, &TimeZone)>,
    now: Timestamp,
    tr: &Tr,
) -> Vec<KpiRow> {
    let (mut processing, mut stp, mut errors, mut response) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut in_hours = Vec::new();
    let mut fcr = Vec::new();
    let (mut turnaround, mut funnel) = (Vec::new(), Vec::new());
    for facts in per_period {
        turnaround.push(spread_text(
            domain::kpi::quote_turnaround(facts.quotes_sent.iter().map(Arc::as_ref)),
            tr,
        ));
        funnel.push(funnel_text(
            &domain::kpi::quote_funnel(facts.quotes_begun.iter().map(Arc::as_ref)),
            tr,
        ));
        let (rate, open) = domain::kpi::first_contact_resolution(facts.threads.iter().map(Arc::as_ref), now);
        fcr.push(format!(
            "{}{}",
            rate_text(rate, tr),
            if open > 0 {
                tr.f("; {} within their 7 days", open)
            } else {
                String::new()
            }
        ));
        processing.push(spread_text(domain::kpi::processing_time(facts.orders()), tr));
        if let Some((hours, zone)) = hours {
            in_hours.push(spread_text(
                domain::kpi::processing_time_by(facts.orders(), |a, b| hours.between(a, b, zone)),
                tr,
            ));
        }
        stp.push(rate_text(domain::kpi::straight_through_rate(facts.orders()), tr));
        errors.push(rate_text(domain::kpi::entry_error_rate(facts.orders()), tr));
        let (spread, unanswered) = domain::kpi::response_time(facts.responses());
        response.push(format!(
            "{}{}",
            spread_text(spread, tr),
            if unanswered > 0 {
                tr.f("; {} unanswered", unanswered)
            } else {
                String::new()
            }
        ));
    }
    let mut rows = vec![
        KpiRow {
            name: mark("Order processing time"),
            definition: mark("confirmed − received, per order confirmed in the period: median (p90, number of orders)"),
            values: processing,
        },
        KpiRow {
            name: mark("Straight-through rate"),
            definition: mark("orders confirmed with no person ÷ orders confirmed in the period"),
            values: stp,
        },
        KpiRow {
            name: mark("Order entry error rate"),
            definition: mark("orders confirmed in the period and later amended as our entry error ÷ orders confirmed"),
            values: errors,
        },
        KpiRow {
            name: mark("Response time"),
            definition: mark(
                "first mail out (acknowledgement, confirmation or answer) − receipt, per order, change, cancellation, RFQ or inquiry received in the period",
            ),
            values: response,
        },
        KpiRow {
            name: mark("Quote turnaround"),
            definition: mark(
                "quote first sent − RFQ received, per quote sent in the period: median (p90, number of quotes)",
            ),
            values: turnaround,
        },
        KpiRow {
            name: mark("Quote funnel"),
            definition: mark(
                "quotes made from RFQs received in the period → sent → accepted → ordered; lost (rejected or expired) by reason",
            ),
            values: funnel,
        },
        KpiRow {
            name: mark("First-contact resolution"),
            definition: mark(
                "customer threads begun in the period (order, change, cancellation, RFQ, inquiry) closed with one outgoing mail and no further message from the customer within 7 days after it ÷ threads decided; threads answered less than 7 days ago without a reply are counted apart",
            ),
            values: fcr,
        },
    ];
    if hours.is_some() {
        rows.insert(
            1,
            KpiRow {
                name: mark("Order processing time in business hours"),
                definition: mark("as above, counting only the hours the site is open ([sla] business_hours, holidays)"),
                values: in_hours,
            },
        );
    }
    rows
}

/// The day (in `zone`) a timestamp falls on.
fn day_of(t: Timestamp, zone: &TimeZone) -> Date {
    t.to_zoned(zone.clone()).date()
}

/// One day of the trend: its orders and messages.
type Day = (Date, Vec<Arc<OrderFact>>, Vec<Arc<ResponseFact>>);

/// The facts of each of the last `days` days (oldest first), bucketed once.
fn by_day(facts: &Facts, today: Date, zone: &TimeZone, days: i64) -> Vec<Day> {
    let first = today - jiff::Span::new().days(days - 1);
    let mut out: Vec<Day> = (0..days)
        .map(|d| (first + jiff::Span::new().days(d), Vec::new(), Vec::new()))
        .collect();
    // Each day's first instant, once: a fact finds its day by search, not by a time-zone sum.
    let starts: Vec<Option<Timestamp>> = out
        .iter()
        .map(|(d, _, _)| start_of(*d, zone))
        .chain(std::iter::once(start_of(today + jiff::Span::new().days(1), zone)))
        .collect();
    let starts: Vec<Timestamp> = starts.into_iter().flatten().collect();
    let count = out.len();
    let slot = |t: Timestamp| -> Option<usize> {
        if starts.len() != count + 1 || t < starts[0] || t >= starts[count] {
            return None;
        }
        Some(starts.partition_point(|s| *s <= t) - 1)
    };
    for o in &facts.orders {
        if let Some(i) = slot(o.confirmed_at) {
            out[i].1.push(Arc::clone(o));
        }
    }
    for r in &facts.responses {
        if let Some(i) = slot(r.received_at) {
            out[i].2.push(Arc::clone(r));
        }
    }
    out
}

/// One row a day, newest first.
fn trend(days: &[Day], tr: &Tr) -> Vec<TrendRow> {
    days.iter()
        .rev()
        .map(|(day, orders, responses)| {
            let (response, _) = domain::kpi::response_time(responses.iter().map(Arc::as_ref));
            TrendRow {
                day: *day,
                orders: orders.len(),
                median: domain::kpi::processing_time(orders.iter().map(Arc::as_ref))
                    .map_or("–".into(), |s| minutes(s.median, tr)),
                stp: domain::kpi::straight_through_rate(orders.iter().map(Arc::as_ref))
                    .percent()
                    .map_or("–".into(), |p| format!("{p:.0} %")),
                response: response.map_or("–".into(), |s| minutes(s.median, tr)),
            }
        })
        .collect()
}

/// The trend as charts: orders, straight-through share, processing and response time per day.
fn charts(days: &[Day], tr: &Tr) -> Vec<(String, String)> {
    // Short, so that they fit under their bars: `29.11.` / `29 Nov`.
    let short = if tr.german() { "%d.%m." } else { "%-d %b" };
    let labels: Vec<String> = days.iter().map(|(d, _, _)| d.strftime(short).to_string()).collect();
    type Measure<'a> = &'a dyn Fn(&[Arc<OrderFact>], &[Arc<ResponseFact>]) -> Option<f64>;
    let per_day = |f: Measure<'_>| -> Vec<Option<f64>> { days.iter().map(|(_, o, r)| f(o, r)).collect() };
    let mins = |d: SignedDuration| d.as_secs_f64() / 60.0;
    let series: [(&str, &str, &str, Measure<'_>); 4] = [
        ("chart-orders", mark("Orders confirmed per day"), "orders", &|o, _| {
            Some(o.len() as f64)
        }),
        ("chart-stp", mark("Straight-through rate per day (%)"), "%", &|o, _| {
            domain::kpi::straight_through_rate(o.iter().map(Arc::as_ref)).percent()
        }),
        (
            "chart-processing",
            mark("Order processing time per day (median, minutes)"),
            "min",
            &|o, _| domain::kpi::processing_time(o.iter().map(Arc::as_ref)).map(|s| mins(s.median)),
        ),
        (
            "chart-response",
            mark("Response time per day (median, minutes)"),
            "min",
            &|_, r| {
                domain::kpi::response_time(r.iter().map(Arc::as_ref))
                    .0
                    .map(|s| mins(s.median))
            },
        ),
    ];
    series
        .into_iter()
        .map(|(id, title, unit, measure)| {
            (
                tr.t(title).to_owned(),
                crate::chart::bars(id, tr.t(title), &labels, &per_day(measure), unit),
            )
        })
        .collect()
}

/// A breakdown's rows; `name` says a group's key in the user's words.
fn group_rows(groups: Vec<Group>, at_most: usize, tr: &Tr, name: impl Fn(String) -> String) -> Vec<Vec<String>> {
    groups
        .into_iter()
        .take(at_most)
        .map(|g| {
            vec![
                name(g.key),
                g.orders.to_string(),
                rate_text(g.straight_through, tr),
                rate_text(g.entry_errors, tr),
                g.processing.map_or("–".into(), |s| minutes(s.median, tr)),
            ]
        })
        .collect()
}

fn breakdowns(orders: &[Arc<OrderFact>], tr: &Tr) -> Vec<Breakdown> {
    let b = |orders: &[Arc<OrderFact>], key: fn(&OrderFact) -> String| {
        domain::kpi::breakdown(orders.iter().map(Arc::as_ref), key)
    };
    vec![
        Breakdown {
            title: mark("By customer (the ten with most orders)"),
            id: "by-customer",
            rows: group_rows(
                b(orders, |o| o.customer_no.clone().unwrap_or_else(|| "unknown".into())),
                10,
                tr,
                |key| {
                    if key == "unknown" {
                        tr.t("unknown").to_owned()
                    } else {
                        key
                    }
                },
            ),
        },
        Breakdown {
            title: mark("By channel"),
            id: "by-channel",
            rows: group_rows(b(orders, |o| o.channel.clone()), 20, tr, |key| key),
        },
        Breakdown {
            title: mark("By format"),
            id: "by-format",
            // German names the formats; the English file keeps their codes.
            rows: group_rows(b(orders, |o| o.format.clone()), 20, tr, |key| {
                if tr.german() { tr.label(&key).to_owned() } else { key }
            }),
        },
        Breakdown {
            title: mark("By clerk"),
            id: "by-clerk",
            rows: group_rows(
                b(orders, |o| o.clerk.clone().unwrap_or_else(|| "straight_through".into())),
                20,
                tr,
                |key| {
                    if key == "straight_through" {
                        tr.label(&key).to_owned()
                    } else {
                        key
                    }
                },
            ),
        },
    ]
}

/// Messages by kind: how many, answered how fast, how many not yet.
fn kinds(responses: &[Arc<ResponseFact>], tr: &Tr) -> Vec<Vec<String>> {
    let mut by: BTreeMap<&str, Vec<&ResponseFact>> = BTreeMap::new();
    for r in responses {
        by.entry(r.kind.as_str()).or_default().push(r);
    }
    by.into_iter()
        .map(|(kind, of)| {
            let (spread, unanswered) = domain::kpi::response_time(of.iter().copied());
            vec![
                tr.label(kind).to_owned(),
                of.len().to_string(),
                spread_text(spread, tr),
                unanswered.to_string(),
            ]
        })
        .collect()
}

fn parse_range(q: &RangeQuery, tr: &Tr) -> Result<Option<(Date, Date)>, String> {
    if q.from.trim().is_empty() && q.to.trim().is_empty() {
        return Ok(None);
    }
    let date = |s: &str, what: &str| {
        tr.read_date(s)
            .ok_or_else(|| tr.fill("{}: “{}” is not a date", &[&tr.t(what), &s.trim()]))
    };
    let (from, to) = (date(&q.from, mark("From"))?, date(&q.to, mark("To"))?);
    if to < from {
        return Err(tr.fill(
            "The range ends ({}) before it starts ({})",
            &[&tr.date(to), &tr.date(from)],
        ));
    }
    if (to - from).get_days() > 366 {
        return Err(tr.t("A range is at most a year").into());
    }
    Ok(Some((from, to)))
}

/// The KPI tables of the dashboard, as the page and its CSV exports show them.
struct Figures {
    periods: Vec<(String, Timestamp, Timestamp)>,
    kpis: Vec<KpiRow>,
    trend: Vec<TrendRow>,
    charts: Vec<(String, String)>,
    breakdowns: Vec<Breakdown>,
    kinds: Vec<Vec<String>>,
    breakdown_period: String,
    range_error: String,
    today: Date,
}

const DAYS: i64 = 30;

async fn figures(state: &AppState, q: &RangeQuery, now: Timestamp, tr: &Tr) -> Result<Figures, WebError> {
    let store = &state.store;
    let zone = state.config.zone();
    let (range, range_error) = match parse_range(q, tr) {
        Ok(r) => (r, String::new()),
        Err(e) => (None, e),
    };
    let periods = periods(now, &zone, range);
    let today = now.to_zoned(zone.clone()).date();
    // One read covers today, this week, this month and the last 30 days.
    let thirty = start_of(today - jiff::Span::new().days(DAYS - 1), &zone).unwrap_or(now);
    let since = periods
        .iter()
        .take(3)
        .map(|(_, from, _)| *from)
        .fold(thirty, Timestamp::min);
    let all = facts_since(state, day_of(since, &zone), now, &zone).await?;
    let mut per_period: Vec<Facts> = periods
        .iter()
        .take(3)
        .map(|(_, from, to)| all.within(*from, *to))
        .collect();
    let chosen = match periods.get(3) {
        Some((_, from, to)) => Some(Facts::read(store, *from, *to).await?),
        None => None,
    };
    let last_30 = all.within(thirty, now);
    // Breakdowns over the chosen range, else the last 30 days.
    let (breakdown_period, b_orders, b_responses) = match (&chosen, periods.get(3)) {
        (Some(c), Some((name, _, _))) => (name.clone(), c.orders.clone(), c.responses.clone()),
        _ => (
            tr.t("the last 30 days").to_owned(),
            last_30.orders.clone(),
            last_30.responses.clone(),
        ),
    };
    if let Some(c) = chosen {
        per_period.push(c);
    }
    let hours = state.config.sla.hours().ok().flatten();
    let days = by_day(&last_30, today, &zone, DAYS);
    Ok(Figures {
        kpis: kpi_rows(&per_period, hours.as_ref().map(|h| (h, &zone)), now, tr),
        periods,
        trend: trend(&days, tr),
        charts: charts(&days, tr),
        breakdowns: breakdowns(&b_orders, tr),
        kinds: kinds(&b_responses, tr),
        breakdown_period,
        range_error,
        today,
    })
}

pub async fn home(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<RangeQuery>,
) -> Result<Html<String>, WebError> {
    page(&state, &me, &q.from, &q.to).await.map(Html)
}

/// The home page's HTML for `me`, over the range `from`–`to` when one is given.
pub(crate) async fn page(state: &AppState, me: &CurrentUser, from: &str, to: &str) -> Result<String, WebError> {
    let q = RangeQuery {
        from: from.to_owned(),
        to: to.to_owned(),
    };
    let store = &state.store;
    let mut tiles = Vec::new();
    for (label, href, table) in [
        (mark("Customers"), "/customers", MasterTable::Customers),
        (mark("Ship-to addresses"), "/customers", MasterTable::Addresses),
        (mark("Products"), "/products", MasterTable::Products),
        (mark("Prices"), "/products", MasterTable::Prices),
        (mark("Customer part numbers"), "/customers", MasterTable::CustomerItems),
        (mark("Stock positions"), "/products", MasterTable::Stock),
    ] {
        tiles.push(Tile {
            label,
            href,
            count: store.count(table).await?,
        });
    }
    let recent = store.recent_events(10).await?.iter().map(EventRow::from).collect();
    let now = Timestamp::now();
    let zone = state.config.zone();
    let f = figures(state, &q, now, &me.tr).await?;
    let sla = domain::kpi::sla_picture(&store.kpi_waiting().await?, now);
    let midnight = start_of(f.today, &zone).unwrap_or(now);
    let ((mine, mine_overdue), done) = store.my_work(&me.username, midnight, now).await?;
    let my_day = done
        .into_iter()
        .map(|(action, n)| (action.replace('_', " "), n))
        .collect();
    let range_query = if q.from.trim().is_empty() {
        String::new()
    } else {
        format!("&from={}&to={}", q.from.trim(), q.to.trim())
    };
    let Html(html) = render(HomePage {
        tr: me.tr.clone(),
        nav: "",
        user: Some(me.into()),
        zone: state.config.time_zone.clone(),
        periods: f.periods.iter().map(|(name, _, _)| name.clone()).collect(),
        charts: f.charts,
        kpis: f.kpis,
        trend: f.trend,
        sla: domain::kpi::AGE_BANDS
            .iter()
            .zip(sla.by_age)
            .map(|((label, _), n)| (me.tr.t(label).to_owned(), n))
            .collect(),
        near_due: sla.near_due,
        overdue: sla.overdue,
        waiting: sla.waiting,
        breakdowns: f.breakdowns,
        kinds: f.kinds,
        breakdown_period: f.breakdown_period,
        from: q.from.trim().to_owned(),
        to: q.to.trim().to_owned(),
        range_query,
        range_error: f.range_error,
        tiles,
        recent,
        mine: usize::try_from(mine).unwrap_or(0),
        mine_overdue: usize::try_from(mine_overdue).unwrap_or(0),
        my_day,
    })?;
    Ok(html)
}

#[derive(Deserialize, Default)]
pub struct CsvQuery {
    #[serde(default)]
    table: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// One KPI table of the dashboard as CSV (`table` = `kpis`, `trend`,
/// `by-customer`, `by-channel`, `by-format`, `by-clerk`, `by-kind`).
pub async fn csv(State(state): State<AppState>, Query(q): Query<CsvQuery>) -> Result<Response, WebError> {
    let range = RangeQuery {
        from: q.from.clone(),
        to: q.to.clone(),
    };
    // A file for programs: English words, ISO days.
    let f = figures(&state, &range, Timestamp::now(), &Tr::default()).await?;
    let group_head = [
        "group",
        "orders",
        "straight_through",
        "entry_errors",
        "processing_median",
    ];
    let (head, rows): (Vec<String>, Vec<Vec<String>>) = match q.table.as_str() {
        "kpis" => (
            std::iter::once("kpi".to_owned())
                .chain(f.periods.iter().map(|(n, _, _)| n.clone()))
                .collect(),
            f.kpis
                .iter()
                .map(|k| {
                    std::iter::once(k.name.to_owned())
                        .chain(k.values.iter().cloned())
                        .collect()
                })
                .collect(),
        ),
        "trend" => (
            [
                "day",
                "orders_confirmed",
                "processing_median",
                "straight_through",
                "response_median",
            ]
            .map(str::to_owned)
            .to_vec(),
            f.trend
                .iter()
                .map(|d| {
                    vec![
                        d.day.to_string(),
                        d.orders.to_string(),
                        d.median.clone(),
                        d.stp.clone(),
                        d.response.clone(),
                    ]
                })
                .collect(),
        ),
        "by-kind" => (
            ["kind", "received", "response_median", "unanswered"]
                .map(str::to_owned)
                .to_vec(),
            f.kinds,
        ),
        other => match f.breakdowns.into_iter().find(|b| b.id == other) {
            Some(b) => (group_head.map(str::to_owned).to_vec(), b.rows),
            None => {
                return Err(WebError::NotFound(Missing::KpiTable(other.to_owned())));
            }
        },
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let written = out
        .write_record(&head)
        .and_then(|()| rows.iter().try_for_each(|r| out.write_record(r)));
    let bytes = written
        .map_err(|e| WebError::Corrupt(format!("writing the CSV: {e}")))
        .and_then(|()| {
            out.into_inner()
                .map_err(|e| WebError::Corrupt(format!("writing the CSV: {e}")))
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"kpi-{}.csv\"",
                    q.table.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "")
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_at_midnight_monday_and_the_first_in_the_desks_zone() {
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        // Wednesday 2 December 2026, 00:30 in Berlin (23:30 UTC the day before).
        let now: Timestamp = "2026-12-01T23:30:00Z".parse().unwrap();
        let p = periods(
            now,
            &zone,
            Some((jiff::civil::date(2026, 11, 1), jiff::civil::date(2026, 11, 30))),
        );
        let names: Vec<&str> = p.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["Today", "This week", "This month", "2026-11-01 – 2026-11-30"]);
        assert_eq!(
            p[0].1.to_string(),
            "2026-12-01T23:00:00Z",
            "today began at midnight in Berlin"
        );
        assert_eq!(p[1].1.to_string(), "2026-11-29T23:00:00Z", "the week began on Monday");
        assert_eq!(p[2].1.to_string(), "2026-11-30T23:00:00Z", "the month began on the 1st");
        assert_eq!(
            p[3].2.to_string(),
            "2026-11-30T23:00:00Z",
            "the range's last day is whole"
        );
        let utc = periods(now, &TimeZone::UTC, None);
        assert_eq!(utc.len(), 3);
        assert_eq!(utc[0].1.to_string(), "2026-12-01T00:00:00Z");
        let english = Tr::default();
        let german = Tr::new(printout::Language::German, TimeZone::UTC);
        assert_eq!(minutes(SignedDuration::from_secs(4), &english), "4 s");
        assert_eq!(minutes(SignedDuration::from_secs(95), &english), "1 min");
        assert_eq!(minutes(SignedDuration::from_mins(185), &english), "3 h 5 min");
        assert_eq!(minutes(SignedDuration::from_mins(185), &german), "3 Std. 5 Min.");
        let range = |from: &str, to: &str, tr: &Tr| {
            parse_range(
                &RangeQuery {
                    from: from.into(),
                    to: to.into(),
                },
                tr,
            )
        };
        assert!(range("2026-11-30", "2026-11-01", &english).is_err());
        assert!(range("gestern", "2026-11-01", &english).is_err());
        assert_eq!(
            range("01.11.2026", "30.11.2026", &german).unwrap(),
            Some((jiff::civil::date(2026, 11, 1), jiff::civil::date(2026, 11, 30)))
        );
        assert_eq!(
            range("gestern", "2026-11-01", &german).unwrap_err(),
            "Von: „gestern“ ist kein Datum"
        );
        let rate = domain::kpi::Rate { part: 36, whole: 37 };
        assert_eq!(rate_text(rate, &english), "97.3 % (36 of 37)");
        assert_eq!(rate_text(rate, &german), "97,3 % (36 von 37)");
    }
}

//! The ERP link's speed against a local Tryton (`orderdesk bench erp`):
//! orders pushed per second, a first pull of a large catalog, and a pull
//! when nothing changed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use erp::server::TrytonServer;
use erp::{ErpLine, ErpOrder, PushAction, SaleState, Tryton};
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ErpBenchError {
    #[error("Tryton: {0}")]
    Server(String),
    #[error(transparent)]
    Erp(#[from] erp::ErpError),
    #[error(transparent)]
    Pull(#[from] app::erp_pull::PullError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// What the benchmark measured.
#[derive(Debug, Clone)]
pub struct ErpFigures {
    pub products: usize,
    pub seed: Duration,
    pub first_pull: Duration,
    pub first_pull_products: i64,
    pub unchanged_pull: Duration,
    pub orders: usize,
    pub concurrency: usize,
    pub workers: usize,
    pub sale_state: SaleState,
    pub push: Duration,
    pub push_latencies_ms: Vec<f64>,
}

impl std::fmt::Display for ErpFigures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = self.push_latencies_ms.clone();
        l.sort_by(f64::total_cmp);
        let pct = |p: f64| {
            l.get(((l.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        writeln!(
            f,
            "catalog: {} products made in Tryton in {:.1} s",
            self.products,
            self.seed.as_secs_f64()
        )?;
        writeln!(
            f,
            "first pull: {} products into Orderdesk in {:.2} s; pull with nothing changed: {:.3} s",
            self.first_pull_products,
            self.first_pull.as_secs_f64(),
            self.unchanged_pull.as_secs_f64()
        )?;
        write!(
            f,
            "push: {} orders (3 lines, left {}) with {} at a time to {} Tryton process(es) in {:.2} s = {:.1} orders/s; per order p50 {:.0} ms, p95 {:.0} ms",
            self.orders,
            self.sale_state.as_str(),
            self.concurrency,
            self.workers,
            self.push.as_secs_f64(),
            self.orders as f64 / self.push.as_secs_f64(),
            pct(0.5),
            pct(0.95)
        )
    }
}

async fn rpc(t: &Tryton, method: &str, params: Value) -> Result<Value, erp::ErpError> {
    let Value::Array(params) = params else {
        return Ok(Value::Null);
    };
    t.rpc(method, params).await
}

/// `products` products (P-000000 …) and 50 customers (K-0001 …) in Tryton,
/// unless a run before made them.
async fn seed(t: &Tryton, products: usize) -> Result<(), erp::ErpError> {
    let made = rpc(
        t,
        "model.product.product.search_count",
        json!([[["code", "like", "P-%"]]]),
    )
    .await?
    .as_i64()
    .unwrap_or(0) as usize;
    let there = rpc(t, "model.party.party.search_count", json!([[["code", "=", "K-0001"]]])).await?;
    let category = rpc(
        t,
        "model.product.category.search",
        json!([[["name", "=", "Goods"]], 0, 1, null]),
    )
    .await?[0]
        .clone();
    let parties: Vec<Value> = (1..=50)
        .map(|i| {
            json!({"name": format!("Kunde {i} GmbH"), "code": format!("K-{i:04}"),
                "addresses": [["create", [{"street_unstructured": format!("Industriestr. {i}"),
                    "postal_code": format!("{:05}", 10000 + i), "city": "Berlin", "invoice": true, "delivery": true}]]],
                "contact_mechanisms": [["create", [{"type": "email", "value": format!("einkauf@kunde{i}.example")}]]]})
        })
        .collect();
    if there.as_i64().unwrap_or(0) == 0 {
        rpc(t, "model.party.party.create", json!([parties])).await?;
    }
    for start in (made..products).step_by(25) {
        let batch: Vec<Value> = (start..(start + 25).min(products))
            .map(|i| {
                json!({"name": format!("Artikel {i}"), "code": format!("P-{i:06}"), "type": "goods",
                    "default_uom": 1, "sale_uom": 1, "salable": true,
                    "list_price": {"__class__": "Decimal", "decimal": format!("{}.{:02}", 1 + i % 90, i % 100)},
                    "account_category": category, "products": [["create", [{}]]]})
            })
            .collect();
        rpc(t, "model.product.template.create", json!([batch])).await?;
    }
    Ok(())
}

fn order(id: i64, products: usize) -> ErpOrder {
    let line = |n: u32| {
        let p = (id as usize * 7 + n as usize * 131) % products;
        ErpLine {
            line_no: n,
            sku: Some(format!("P-{p:06}")),
            customer_part_no: None,
            description: None,
            quantity: Some(format!("{}", 1 + (id + i64::from(n)) % 20)),
            uom: Some("C62".into()),
            unit_price: Some("4.20".into()),
            delivery_date: None,
            base_quantity: None,
        }
    };
    ErpOrder {
        schema: erp::SCHEMA.into(),
        order_id: id,
        version: 1,
        idempotency_key: erp::idempotency_key(id),
        action: PushAction::Create,
        customer_no: Some(format!("K-{:04}", 1 + id % 50)),
        customer_name: None,
        po_number: Some(format!("PO-{id}")),
        order_date: Some("2026-11-30".into()),
        requested_delivery_date: None,
        currency: Some("EUR".into()),
        ship_to: None,
        lines: (1..=3).map(line).collect(),
        total: None,
    }
}

/// Which Tryton the benchmark fills: one it starts on a copy of a prepared
/// database, or one already running (its database `erp`, user `admin`).
pub enum Target<'a> {
    Start {
        template: &'a Path,
        bin: &'a Path,
        workers: usize,
    },
    Running {
        url: String,
        password: String,
        workers: usize,
    },
}

/// Fills a Tryton, pulls it into a new Orderdesk database twice, and pushes
/// `orders` orders `concurrency` at a time.
pub async fn run(
    target: Target<'_>,
    products: usize,
    orders: usize,
    concurrency: usize,
    sale_state: SaleState,
    quiet: Duration,
) -> Result<ErpFigures, ErpBenchError> {
    let (_server, tryton, workers) = match target {
        Target::Start { template, bin, workers } => {
            let server = TrytonServer::start_with_workers(template, bin, workers).map_err(ErpBenchError::Server)?;
            let tryton = server.connector(sale_state);
            (Some(server), tryton, workers)
        }
        Target::Running { url, password, workers } => (
            None,
            Tryton::new(url, "erp", "admin", password, sale_state, Duration::from_secs(300)),
            workers,
        ),
    };
    let started = Instant::now();
    seed(&tryton, products).await?;
    let seed_time = started.elapsed();
    // A pull looks a minute further back than it started; a quiet minute
    // first, so the pull with nothing changed has truly nothing to read.
    tokio::time::sleep(quiet).await;

    let dir = tempfile::tempdir().map_err(|e| ErpBenchError::Server(e.to_string()))?;
    let store = store::Store::open(
        &format!("sqlite://{}/orderdesk.db", dir.path().display()),
        Some(&dir.path().join("blobs")),
    )
    .await?;
    let started = Instant::now();
    let first = app::erp_pull::pull(&store, &tryton, jiff::Timestamp::now()).await?;
    let first_pull = started.elapsed();
    let started = Instant::now();
    app::erp_pull::pull(&store, &tryton, jiff::Timestamp::now()).await?;
    let unchanged_pull = started.elapsed();

    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let started = Instant::now();
    // Order ids of their own per run, so that a running Tryton can be used again.
    let base = jiff::Timestamp::now().as_second() * 1_000;
    for id in base + 1..=base + orders as i64 {
        let permit = semaphore
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore stays open");
        let tryton = tryton.clone();
        tasks.spawn(async move {
            let t = Instant::now();
            let result = tryton.push(&order(id, products)).await;
            drop(permit);
            result.map(|_| t.elapsed().as_secs_f64() * 1000.0)
        });
    }
    let mut latencies = Vec::with_capacity(orders);
    while let Some(done) = tasks.join_next().await {
        latencies.push(done.map_err(|e| ErpBenchError::Server(e.to_string()))??);
    }
    let push = started.elapsed();
    Ok(ErpFigures {
        products,
        seed: seed_time,
        first_pull,
        first_pull_products: first.products,
        unchanged_pull,
        orders,
        concurrency,
        workers,
        sale_state,
        push,
        push_latencies_ms: latencies,
    })
}

/// The mail outbox's speed (`orderdesk bench mail`): `count` mails queued
/// in a new database, then sent to the SMTP server at `port` on loopback.
pub async fn mail_outbox(port: u16, count: usize) -> Result<String, ErpBenchError> {
    let dir = tempfile::tempdir().map_err(|e| ErpBenchError::Server(e.to_string()))?;
    let store = store::Store::open(
        &format!("sqlite://{}/orderdesk.db", dir.path().display()),
        Some(&dir.path().join("blobs")),
    )
    .await?;
    let now = jiff::Timestamp::now();
    let started = Instant::now();
    let mut tx = store.begin().await?;
    for i in 0..count {
        tx.queue_mail(
            &store::outbound::NewMail {
                kind: store::outbound::MailKind::Acknowledgement,
                message_id: None,
                order_id: None,
                dedupe_key: format!("bench:{i}"),
                language: "de".into(),
                to: format!("einkauf{}@kunde{}.example", i % 7, i % 50),
                subject: format!("AW: Bestellung {i}"),
                body: "Guten Tag,\n\nvielen Dank. Ihre Bestellung ist bei uns eingegangen.\n\nMit freundlichen Grüßen\nAuftragsannahme\n"
                    .into(),
                mail_message_id: format!("<bench-{i}-{:x}@lieferant.example>", fastrand::u64(..)),
                in_reply_to: Some(format!("<order-{i}@kunde.example>")),
                references: vec![format!("<order-{i}@kunde.example>")],
                attachment: None,
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    let queued = started.elapsed();
    let outbox = app::outbound::Outbox::from(app::outbound::SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: app::outbound::Security::None,
        from: "Auftragsannahme <auftrag@lieferant.example>".into(),
        ..app::outbound::SmtpConfig::default()
    });
    let started = Instant::now();
    let mut sent = 0;
    loop {
        let report = app::outbound::send_due(&store, &outbox, jiff::Timestamp::now(), 500).await?;
        sent += report.sent;
        if report.sent + report.retrying + report.failed == 0 || report.failed > 0 {
            break;
        }
    }
    let sending = started.elapsed();
    Ok(format!(
        "mail outbox: {count} mails queued in {:.2} s; {sent} sent to 127.0.0.1:{port} in {:.2} s = {:.0} mails/s",
        queued.as_secs_f64(),
        sending.as_secs_f64(),
        sent as f64 / sending.as_secs_f64()
    ))
}

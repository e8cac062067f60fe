//! What comes back from the ERP: products (with units and list prices),
//! customers with their delivery addresses, stock per warehouse, and the
//! state of the sales made for our orders.
//!
//! Master data goes through the same reader, checks and writer as an import
//! of the data contract's CSV (`import_csv_bytes`), with only the columns the
//! ERP knows, so what a person keeps in Orderdesk alone (pack sizes, sender
//! domains) stays. A row Orderdesk cannot take (a unit without a UN/ECE code)
//! is left out and counted, never the whole pull. Sale states become the
//! order's `erp_status`, its status when the goods left or the sale was
//! cancelled, and an event on its timeline. Each pull is recorded with its
//! counts and the cursor the next one starts from.

use std::collections::HashSet;

use domain::event::Actor;
use domain::order::ErpSaleStatus;
use erp::Tryton;
use erp::tryton::{PullCursor, Pulled, rec20_unit};
use jiff::Timestamp;
use masterdata::Entity;
use store::Store;
use store::erp::ErpPull;
use store::master::MasterTable;

use crate::import::{ImportError, import_csv_bytes};

#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error(transparent)]
    Erp(#[from] erp::ErpError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("pulled {what} could not be imported: {source}")]
    Import { what: &'static str, source: ImportError },
}

/// The ERP's sale state (and shipment state) in our words.
pub fn erp_status(state: &str, shipment_state: Option<&str>) -> Option<ErpSaleStatus> {
    Some(match state {
        "draft" => ErpSaleStatus::Draft,
        "quotation" => ErpSaleStatus::Quotation,
        "confirmed" => ErpSaleStatus::Confirmed,
        "processing" if shipment_state == Some("sent") => ErpSaleStatus::Shipped,
        "processing" => ErpSaleStatus::Processing,
        "done" => ErpSaleStatus::Done,
        "cancelled" => ErpSaleStatus::Cancelled,
        _ => return None,
    })
}

/// CSV of the data contract, one record a line (line breaks inside a value
/// become spaces, so row N is line N + 1 and a bad row can be left out).
struct Csv {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn new(header: &[&'static str]) -> Csv {
        Csv {
            header: header.to_vec(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(
            row.into_iter()
                .map(|v| v.replace(['\r', '\n'], " ").trim().to_owned())
                .collect(),
        );
    }

    fn bytes(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(&self.header);
        for row in &self.rows {
            let _ = writer.write_record(row);
        }
        writer.into_inner().unwrap_or_default()
    }
}

/// What a pull wrote and left out.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Tally {
    changed: i64,
    skipped: i64,
    notes: Vec<String>,
}

/// Imports `csv`; rows the checks reject are left out (and noted) and the rest imported.
async fn import(
    store: &Store,
    entity: Entity,
    what: &'static str,
    mut csv: Csv,
    actor: &Actor,
    tally: &mut Tally,
) -> Result<i64, PullError> {
    if csv.rows.is_empty() {
        return Ok(0);
    }
    let label = format!("ERP pull ({what})");
    for _ in 0..2 {
        match import_csv_bytes(store, entity, &label, csv.bytes(), actor.clone()).await {
            Ok(summary) => {
                let changed = (summary.created + summary.updated) as i64;
                tally.changed += changed;
                return Ok(changed);
            }
            Err(ImportError::Rejected { errors, .. }) => {
                let bad: HashSet<u64> = errors.iter().map(|e| e.line).collect();
                tally.skipped += bad.len() as i64;
                tally
                    .notes
                    .extend(errors.iter().take(5).map(|e| format!("{what}: {e}")));
                let mut line = 1;
                csv.rows.retain(|_| {
                    line += 1;
                    !bad.contains(&line)
                });
            }
            Err(source) => return Err(PullError::Import { what, source }),
        }
    }
    Err(PullError::Import {
        what,
        source: ImportError::Internal {
            path: label.into(),
            message: "rows were still rejected after the bad ones were left out".into(),
        },
    })
}

/// The counts of one pull.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PullReport {
    pub products: i64,
    pub customers: i64,
    pub addresses: i64,
    pub stock: i64,
    pub orders: i64,
    pub skipped: i64,
    pub notes: Vec<String>,
}

/// Pulls what changed since the last pull, writes it, and records the pull
/// (a failed pull too, with its error, keeping the old cursor).
pub async fn pull(store: &Store, tryton: &Tryton, now: Timestamp) -> Result<PullReport, PullError> {
    let cursor: PullCursor = store
        .erp_pull_cursor()
        .await?
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    let result = async {
        let pulled = tryton.pull(&cursor).await?;
        let report = apply(store, &pulled, now).await?;
        Ok::<_, PullError>((report, pulled.cursor))
    }
    .await;
    let finished = Timestamp::now();
    let record = match &result {
        Ok((r, new_cursor)) => ErpPull {
            id: 0,
            started_at: now,
            finished_at: finished,
            ok: true,
            products: r.products,
            customers: r.customers,
            addresses: r.addresses,
            stock: r.stock,
            orders: r.orders,
            skipped: r.skipped,
            note: (!r.notes.is_empty()).then(|| r.notes.join("\n")),
            cursor: serde_json::to_string(new_cursor).ok(),
        },
        Err(e) => ErpPull {
            id: 0,
            started_at: now,
            finished_at: finished,
            ok: false,
            products: 0,
            customers: 0,
            addresses: 0,
            stock: 0,
            orders: 0,
            skipped: 0,
            note: Some(e.to_string()),
            cursor: None,
        },
    };
    store.record_erp_pull(&record).await?;
    result.map(|(report, _)| report)
}

/// Writes a pull into the master data and the orders.
async fn apply(store: &Store, pulled: &Pulled, now: Timestamp) -> Result<PullReport, PullError> {
    let actor = Actor::System("erp-tryton".into());
    let mut report = PullReport::default();

    let mut products = Csv::new(&["sku", "name", "description", "uom", "list_price", "currency", "active"]);
    let mut tally = Tally::default();
    for p in &pulled.products {
        let Some(uom) = rec20_unit(&p.unit) else {
            tally.skipped += 1;
            tally.notes.push(format!(
                "product {}: unit '{}' has no UN/ECE Rec. 20 code in Orderdesk",
                p.code, p.unit
            ));
            continue;
        };
        products.push(vec![
            p.code.clone(),
            p.name.clone(),
            p.description.clone().unwrap_or_default(),
            uom.into(),
            p.list_price.clone().unwrap_or_default(),
            p.currency.clone().unwrap_or_default(),
            p.active.to_string(),
        ]);
    }
    report.products = import(store, Entity::Products, "products", products, &actor, &mut tally).await?;

    let mut customers = Csv::new(&["customer_no", "name", "emails", "street", "zip", "city", "country"]);
    let mut addresses = Csv::new(&[
        "customer_no",
        "address_id",
        "name",
        "street",
        "zip",
        "city",
        "country",
        "default",
    ]);
    for party in &pulled.parties {
        let live: Vec<_> = party.addresses.iter().filter(|a| a.active).collect();
        let billing = live.iter().find(|a| a.invoice).or(live.first());
        customers.push(vec![
            party.code.clone(),
            party.name.clone(),
            party.emails.join(";"),
            billing.and_then(|a| a.street.clone()).unwrap_or_default(),
            billing.and_then(|a| a.zip.clone()).unwrap_or_default(),
            billing.and_then(|a| a.city.clone()).unwrap_or_default(),
            billing.and_then(|a| a.country.clone()).unwrap_or_default(),
        ]);
        let delivery: Vec<_> = if live.iter().any(|a| a.delivery) {
            live.iter().filter(|a| a.delivery).collect()
        } else {
            live.iter().collect()
        };
        for (i, a) in delivery.iter().enumerate() {
            addresses.push(vec![
                party.code.clone(),
                format!("tryton-{}", a.id),
                a.name.clone().unwrap_or_else(|| party.name.clone()),
                a.street.clone().unwrap_or_default(),
                a.zip.clone().unwrap_or_default(),
                a.city.clone().unwrap_or_default(),
                a.country.clone().unwrap_or_default(),
                (i == 0).to_string(),
            ]);
        }
    }
    report.customers = import(store, Entity::Customers, "customers", customers, &actor, &mut tally).await?;
    report.addresses = import(store, Entity::Addresses, "addresses", addresses, &actor, &mut tally).await?;

    // Stock only for the products Orderdesk knows (a service has none to sell from).
    let known = store.master_keys(MasterTable::Products).await?;
    let mut stock = Csv::new(&["sku", "warehouse", "on_hand", "reserved"]);
    for s in pulled.stock.iter().filter(|s| known.contains(&s.code)) {
        let on_hand: rust_decimal::Decimal = s.quantity.parse().unwrap_or_default();
        let forecast: rust_decimal::Decimal = s.forecast_quantity.parse().unwrap_or_default();
        // What is promised and not yet shipped: on hand minus the forecast, never below zero.
        let reserved = (on_hand - forecast).max(rust_decimal::Decimal::ZERO);
        stock.push(vec![
            s.code.clone(),
            s.warehouse.clone(),
            on_hand.normalize().to_string(),
            reserved.normalize().to_string(),
        ]);
    }
    report.stock = import(store, Entity::Stock, "stock", stock, &actor, &mut tally).await?;

    for sale in &pulled.sales {
        let Some(status) = erp_status(&sale.state, sale.shipment_state.as_deref()) else {
            continue;
        };
        if store
            .apply_erp_status(sale.order_id, status, sale.number.as_deref(), &actor, now)
            .await?
        {
            report.orders += 1;
        }
    }
    report.skipped = tally.skipped;
    report.notes = tally.notes;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tryton_states_read_as_ours() {
        assert_eq!(
            erp_status("processing", Some("waiting")),
            Some(ErpSaleStatus::Processing)
        );
        assert_eq!(erp_status("processing", Some("sent")), Some(ErpSaleStatus::Shipped));
        assert_eq!(erp_status("done", Some("sent")), Some(ErpSaleStatus::Done));
        assert_eq!(erp_status("cancelled", None), Some(ErpSaleStatus::Cancelled));
        assert_eq!(erp_status("weird", None), None);
    }

    #[test]
    fn a_csv_row_stays_on_one_line() {
        let mut csv = Csv::new(&["sku", "description"]);
        csv.push(vec!["A".into(), "two\nlines".into()]);
        assert_eq!(
            String::from_utf8(csv.bytes()).unwrap(),
            "sku,description\nA,two lines\n"
        );
    }
}

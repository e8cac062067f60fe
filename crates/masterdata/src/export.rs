//! Writing records back to CSV in the import format, byte-stable for unchanged data.

use std::io::Write;

use crate::columns::Entity;
use crate::row::Record;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write the export: {0}")]
    Write(#[from] csv::Error),
    #[error("a {found} record cannot go into a {entity} export")]
    WrongEntity { entity: &'static str, found: &'static str },
}

/// Writes records as CSV in the import format: the header with every column
/// in contract order, then one line per record, `\n` line ends. Records must
/// come in key order (the store returns them so); this writer does not sort.
pub struct CsvExporter<W: Write> {
    entity: Entity,
    writer: csv::Writer<W>,
    count: u64,
}

impl<W: Write> CsvExporter<W> {
    pub fn new(entity: Entity, out: W) -> Result<Self, ExportError> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(out);
        writer.write_record(entity.columns().iter().map(|c| c.name))?;
        Ok(Self {
            entity,
            writer,
            count: 0,
        })
    }

    pub fn write(&mut self, record: &Record) -> Result<(), ExportError> {
        self.writer.write_record(cells(self.entity, record)?)?;
        self.count += 1;
        Ok(())
    }

    /// Flushes and returns how many records were written.
    pub fn finish(mut self) -> Result<u64, ExportError> {
        self.writer.flush().map_err(csv::Error::from)?;
        Ok(self.count)
    }
}

/// Writes all `records` (see [`CsvExporter`]).
pub fn write_csv<W: Write>(
    entity: Entity,
    out: W,
    records: impl IntoIterator<Item = Record>,
) -> Result<u64, ExportError> {
    let mut exporter = CsvExporter::new(entity, out)?;
    for record in records {
        exporter.write(&record)?;
    }
    exporter.finish()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn cells(entity: Entity, record: &Record) -> Result<Vec<String>, ExportError> {
    let row = match (entity, record) {
        (Entity::Products, Record::Product(p)) => vec![
            p.sku.to_string(),
            p.name.clone(),
            opt(&p.description),
            p.gtin.as_ref().map(|g| g.as_str().to_owned()).unwrap_or_default(),
            p.base_unit.to_string(),
            p.pack_size.to_string(),
            p.min_order_qty.to_string(),
            opt(&p.list_price),
            opt(&p.currency),
            opt(&p.cost),
            opt(&p.lead_time_days),
            opt(&p.product_group),
            p.active.to_string(),
            p.attributes
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(";"),
        ],
        (Entity::Customers, Record::Customer(c)) => vec![
            c.customer_no.to_string(),
            c.name.clone(),
            opt(&c.vat_id),
            c.email_domains.join(";"),
            c.emails.join(";"),
            opt(&c.language),
            opt(&c.currency),
            opt(&c.price_list),
            opt(&c.credit_limit),
            opt(&c.open_balance),
            opt(&c.payment_terms),
            opt(&c.territory),
            opt(&c.sales_rep),
            opt(&c.billing_address.street),
            opt(&c.billing_address.zip),
            opt(&c.billing_address.city),
            c.billing_address
                .country
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
        ],
        (Entity::Addresses, Record::Address(a)) => vec![
            a.customer_no.to_string(),
            a.address_id.to_string(),
            opt(&a.name),
            opt(&a.street),
            opt(&a.zip),
            opt(&a.city),
            opt(&a.region),
            a.country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            a.is_default.to_string(),
        ],
        (Entity::Prices, Record::Price(p)) => vec![
            p.price_list.to_string(),
            p.sku.to_string(),
            p.min_qty.to_string(),
            opt(&p.customer_no),
            opt(&p.valid_from),
            p.unit_price.to_string(),
            opt(&p.currency),
            opt(&p.valid_to),
        ],
        (Entity::CustomerItems, Record::CustomerItem(i)) => vec![
            i.customer_no.to_string(),
            i.customer_part_no.to_string(),
            opt(&i.sku),
            opt(&i.customer_uom),
            opt(&i.factor),
        ],
        (Entity::Stock, Record::Stock(s)) => vec![
            s.sku.to_string(),
            s.warehouse.to_string(),
            s.on_hand.to_string(),
            s.reserved.to_string(),
            opt(&s.next_receipt_date),
            opt(&s.next_receipt_qty),
        ],
        (entity, record) => {
            return Err(ExportError::WrongEntity {
                entity: entity.name(),
                found: record_kind(record),
            });
        }
    };
    Ok(row)
}

fn record_kind(record: &Record) -> &'static str {
    match record {
        Record::Product(_) => "products",
        Record::Customer(_) => "customers",
        Record::Address(_) => "addresses",
        Record::Price(_) => "prices",
        Record::CustomerItem(_) => "customer-items",
        Record::Stock(_) => "stock",
    }
}

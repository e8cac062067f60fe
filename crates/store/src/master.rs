//! Master data tables: bulk upsert by natural key, key sets, keyset-paged reads, search.
//!
//! Column names are those of the import format (docs/import-formats.md),
//! except `default` of addresses, stored as `is_default`.

use std::collections::HashSet;

use domain::customer::{CountryCode, Customer, PostalAddress, ShipToAddress};
use domain::customer_item::CustomerItem;
use domain::pricing::PriceEntry;
use domain::product::{Gtin, Product};
use domain::stock::StockLevel;
use domain::values::{AddressId, CustomerPartNo, PriceListId, WarehouseId, parse_date, parse_decimal};
use domain::{CurrencyCode, CustomerNo, Sku, UnitCode};
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::connect::{Backend, Store, StoreTx};
use crate::error::StoreError;

/// The master data tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MasterTable {
    Products,
    Customers,
    Addresses,
    Prices,
    CustomerItems,
    Stock,
}

struct Spec {
    table: &'static str,
    key: &'static [&'static str],
    /// All columns, key first, as stored.
    columns: &'static [&'static str],
}

impl MasterTable {
    pub const ALL: [MasterTable; 6] = [
        MasterTable::Products,
        MasterTable::Customers,
        MasterTable::Addresses,
        MasterTable::Prices,
        MasterTable::CustomerItems,
        MasterTable::Stock,
    ];

    fn spec(self) -> &'static Spec {
        match self {
            MasterTable::Products => &Spec {
                table: "products",
                key: &["sku"],
                columns: &[
                    "sku",
                    "name",
                    "description",
                    "gtin",
                    "uom",
                    "pack_size",
                    "min_order_qty",
                    "list_price",
                    "currency",
                    "cost",
                    "lead_time_days",
                    "product_group",
                    "active",
                    "attributes",
                ],
            },
            MasterTable::Customers => &Spec {
                table: "customers",
                key: &["customer_no"],
                columns: &[
                    "customer_no",
                    "name",
                    "vat_id",
                    "email_domains",
                    "emails",
                    "language",
                    "currency",
                    "price_list",
                    "credit_limit",
                    "open_balance",
                    "payment_terms",
                    "territory",
                    "sales_rep",
                    "street",
                    "zip",
                    "city",
                    "country",
                ],
            },
            MasterTable::Addresses => &Spec {
                table: "ship_to_addresses",
                key: &["customer_no", "address_id"],
                columns: &[
                    "customer_no",
                    "address_id",
                    "name",
                    "street",
                    "zip",
                    "city",
                    "region",
                    "country",
                    "is_default",
                ],
            },
            MasterTable::Prices => &Spec {
                table: "prices",
                key: &["price_list", "sku", "min_qty", "customer_no", "valid_from"],
                columns: &[
                    "price_list",
                    "sku",
                    "min_qty",
                    "customer_no",
                    "valid_from",
                    "unit_price",
                    "currency",
                    "valid_to",
                ],
            },
            MasterTable::CustomerItems => &Spec {
                table: "customer_items",
                key: &["customer_no", "customer_part_no"],
                columns: &["customer_no", "customer_part_no", "sku", "customer_uom", "factor"],
            },
            MasterTable::Stock => &Spec {
                table: "stock",
                key: &["sku", "warehouse"],
                columns: &[
                    "sku",
                    "warehouse",
                    "on_hand",
                    "reserved",
                    "next_receipt_date",
                    "next_receipt_qty",
                ],
            },
        }
    }

    pub fn table_name(self) -> &'static str {
        self.spec().table
    }

    /// The stored column for an import-format column name.
    fn stored_column(self, format_column: &str) -> Option<&'static str> {
        let wanted = if format_column == "default" {
            "is_default"
        } else {
            format_column
        };
        self.spec().columns.iter().copied().find(|c| *c == wanted)
    }

    /// Upper bound of rows per INSERT, well within both databases' bind limits.
    pub fn batch_rows(self) -> usize {
        16_000 / self.spec().columns.len()
    }
}

/// One value to bind. Decimals, dates and codes travel as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Text(Option<String>),
    Int(Option<i64>),
}

fn text<T: ToString>(v: &Option<T>) -> SqlValue {
    SqlValue::Text(v.as_ref().map(ToString::to_string))
}
fn always<T: ToString>(v: &T) -> SqlValue {
    SqlValue::Text(Some(v.to_string()))
}
/// Decimals are stored normalised (`3.40` → `3.4`), so the same value from a
/// spreadsheet and from CSV is the same text and re-imports change nothing.
fn number(v: Decimal) -> SqlValue {
    SqlValue::Text(Some(v.normalize().to_string()))
}
fn opt_number(v: Option<Decimal>) -> SqlValue {
    SqlValue::Text(v.map(|d| d.normalize().to_string()))
}
fn flag(b: bool) -> SqlValue {
    SqlValue::Int(Some(i64::from(b)))
}

/// A master data record in the column order of its table.
pub fn product_values(p: &Product) -> Vec<SqlValue> {
    vec![
        always(&p.sku),
        always(&p.name),
        text(&p.description),
        SqlValue::Text(p.gtin.as_ref().map(|g| g.as_str().to_owned())),
        always(&p.base_unit),
        number(p.pack_size),
        number(p.min_order_qty),
        opt_number(p.list_price),
        text(&p.currency),
        opt_number(p.cost),
        SqlValue::Int(p.lead_time_days.map(i64::from)),
        text(&p.product_group),
        flag(p.active),
        SqlValue::Text(Some(
            p.attributes
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(";"),
        )),
    ]
}

pub fn customer_values(c: &Customer) -> Vec<SqlValue> {
    vec![
        always(&c.customer_no),
        always(&c.name),
        text(&c.vat_id),
        SqlValue::Text(Some(c.email_domains.join(";"))),
        SqlValue::Text(Some(c.emails.join(";"))),
        text(&c.language),
        text(&c.currency),
        text(&c.price_list),
        opt_number(c.credit_limit),
        opt_number(c.open_balance),
        text(&c.payment_terms),
        text(&c.territory),
        text(&c.sales_rep),
        text(&c.billing_address.street),
        text(&c.billing_address.zip),
        text(&c.billing_address.city),
        SqlValue::Text(c.billing_address.country.map(|c| c.as_str().to_owned())),
    ]
}

pub fn address_values(a: &ShipToAddress) -> Vec<SqlValue> {
    vec![
        always(&a.customer_no),
        always(&a.address_id),
        text(&a.name),
        text(&a.street),
        text(&a.zip),
        text(&a.city),
        text(&a.region),
        SqlValue::Text(a.country.map(|c| c.as_str().to_owned())),
        flag(a.is_default),
    ]
}

pub fn price_values(p: &PriceEntry) -> Vec<SqlValue> {
    vec![
        always(&p.price_list),
        always(&p.sku),
        number(p.min_qty),
        SqlValue::Text(Some(
            p.customer_no.as_ref().map(ToString::to_string).unwrap_or_default(),
        )),
        SqlValue::Text(Some(p.valid_from.map(|d| d.to_string()).unwrap_or_default())),
        number(p.unit_price),
        text(&p.currency),
        text(&p.valid_to),
    ]
}

pub fn customer_item_values(i: &CustomerItem) -> Vec<SqlValue> {
    vec![
        always(&i.customer_no),
        always(&i.customer_part_no),
        text(&i.sku),
        text(&i.customer_uom),
        opt_number(i.factor),
    ]
}

pub fn stock_values(s: &StockLevel) -> Vec<SqlValue> {
    vec![
        always(&s.sku),
        always(&s.warehouse),
        number(s.on_hand),
        number(s.reserved),
        text(&s.next_receipt_date),
        opt_number(s.next_receipt_qty),
    ]
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// A query whose text is built here from the static table specs above, never
/// from user input (values are always bound).
fn dynamic_query(sql: String) -> Query<'static> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
}

fn bind_value<'q>(query: Query<'q>, value: &SqlValue) -> Query<'q> {
    match value {
        SqlValue::Text(v) => query.bind(v.clone()),
        SqlValue::Int(v) => query.bind(*v),
    }
}

impl StoreTx {
    /// Inserts new rows and updates existing ones by natural key. Only the
    /// `present` columns (import-format names) are updated on existing rows;
    /// rows whose present columns already hold these values are not touched.
    /// Returns how many rows were inserted or changed.
    pub async fn upsert_master(
        &mut self,
        table: MasterTable,
        present: &[&str],
        rows: &[Vec<SqlValue>],
    ) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let spec = table.spec();
        let updated: Vec<&str> = present
            .iter()
            .filter_map(|c| table.stored_column(c))
            .filter(|c| !spec.key.contains(c))
            .collect();
        let mut sql = format!("INSERT INTO {} ({}) VALUES ", spec.table, spec.columns.join(", "));
        let width = spec.columns.len();
        for r in 0..rows.len() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                // SQLite looks up each named parameter by walking the list of
                // names, which makes binding thousands of `$N` quadratic;
                // anonymous `?` parameters bind in constant time.
                match self.backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => {
                        sql.push('$');
                        sql.push_str(&(r * width + c + 1).to_string());
                    }
                }
            }
            sql.push(')');
        }
        sql.push_str(&format!(" ON CONFLICT ({}) ", spec.key.join(", ")));
        if updated.is_empty() {
            sql.push_str("DO NOTHING");
        } else {
            let set: Vec<String> = updated.iter().map(|c| format!("{c} = excluded.{c}")).collect();
            let differs: Vec<String> = updated
                .iter()
                .map(|c| format!("{}.{c} {} excluded.{c}", spec.table, self.backend.distinct()))
                .collect();
            sql.push_str(&format!(
                "DO UPDATE SET {} WHERE {}",
                set.join(", "),
                differs.join(" OR ")
            ));
        }
        let mut query = dynamic_query(sql);
        for row in rows {
            debug_assert_eq!(row.len(), width, "row of {} has the wrong width", spec.table);
            for value in row {
                query = bind_value(query, value);
            }
        }
        let changed = query.execute(&mut *self.tx).await?.rows_affected();
        if changed > 0 {
            sqlx::query("UPDATE master_generation SET generation = generation + 1 WHERE id = 1")
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(changed)
    }
}

/// Which state of the master data the database holds: a saved catalog built
/// from generation `generation` of database `database_id` is current while
/// both are unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MasterGeneration {
    pub database_id: String,
    pub generation: i64,
}

impl Store {
    /// The natural keys of every stored row of `table`, as `domain::natural_key` builds them.
    pub async fn master_keys(&self, table: MasterTable) -> Result<HashSet<String>, StoreError> {
        let spec = table.spec();
        let rows = dynamic_query(format!("SELECT {} FROM {}", spec.key.join(", "), spec.table))
            .fetch_all(&self.pool)
            .await?;
        let mut keys = HashSet::with_capacity(rows.len());
        for row in rows {
            let parts: Vec<String> = (0..spec.key.len())
                .map(|i| row.try_get::<String, _>(i))
                .collect::<Result<_, _>>()?;
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            keys.insert(domain::natural_key(&parts));
        }
        Ok(keys)
    }

    /// The master data's generation, raised by every write to it.
    pub async fn master_generation(&self) -> Result<MasterGeneration, StoreError> {
        let row = sqlx::query("SELECT database_id, generation FROM master_generation WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(MasterGeneration {
            database_id: row.try_get(0)?,
            generation: row.try_get(1)?,
        })
    }

    pub async fn count(&self, table: MasterTable) -> Result<i64, StoreError> {
        let row = dynamic_query(format!("SELECT COUNT(*) FROM {}", table.spec().table))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Up to `limit` rows after the key `after` (key parts in key order), in key order.
    async fn page(&self, table: MasterTable, after: Option<&[String]>, limit: i64) -> Result<Vec<AnyRow>, StoreError> {
        let spec = table.spec();
        let order = spec.key.join(", ");
        let mut sql = format!("SELECT {} FROM {}", spec.columns.join(", "), spec.table);
        let mut binds = Vec::new();
        if let Some(after) = after {
            let placeholders: Vec<String> = (1..=spec.key.len()).map(|i| format!("${i}")).collect();
            sql.push_str(&format!(" WHERE ({order}) > ({})", placeholders.join(", ")));
            binds.extend(after.iter().cloned());
        }
        sql.push_str(&format!(" ORDER BY {order} LIMIT ${}", binds.len() + 1));
        let mut query = dynamic_query(sql);
        for b in binds {
            query = query.bind(b);
        }
        Ok(query.bind(limit).fetch_all(&self.pool).await?)
    }

    /// The key parts of a stored row, to continue paging after it.
    fn key_of(table: MasterTable, row: &AnyRow) -> Result<Vec<String>, StoreError> {
        (0..table.spec().key.len())
            .map(|i| Ok(row.try_get::<String, _>(i)?))
            .collect()
    }

    /// Calls `each` with every product in SKU order, `page_size` rows at a time.
    pub async fn for_each_page<T>(
        &self,
        table: MasterTable,
        page_size: i64,
        decode: fn(&AnyRow) -> Result<T, StoreError>,
        mut each: impl FnMut(Vec<T>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after: Option<Vec<String>> = None;
        loop {
            let rows = self.page(table, after.as_deref(), page_size).await?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = Some(Self::key_of(table, last)?);
            let done = (rows.len() as i64) < page_size;
            each(rows.iter().map(decode).collect::<Result<Vec<T>, _>>()?)?;
            if done {
                return Ok(());
            }
        }
    }

    /// Every row of `table`, read page by page.
    pub async fn all_rows<T>(
        &self,
        table: MasterTable,
        decode: fn(&AnyRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut rows = Vec::new();
        self.for_each_page(table, 20_000, decode, |page| {
            rows.extend(page);
            Ok(())
        })
        .await?;
        Ok(rows)
    }

    /// Products whose SKU, name or GTIN contains `needle` (case-insensitive; all
    /// when empty), in SKU order, after the SKU `after` (keyset paging).
    pub async fn search_products(
        &self,
        needle: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Product>, StoreError> {
        let like = self.backend.ilike();
        let rows = dynamic_query(format!(
            "SELECT {} FROM products WHERE ($1 = '%%' OR sku {like} $1 ESCAPE '\\' OR name {like} $1 ESCAPE '\\' \
             OR gtin = $2) AND sku > $3 ORDER BY sku LIMIT $4",
            MasterTable::Products.spec().columns.join(", ")
        ))
        .bind(like_pattern(needle))
        .bind(needle.trim().to_owned())
        .bind(after.unwrap_or("").to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_product).collect()
    }

    /// Customers whose number, name, city or mail domain contains `needle` (all
    /// when empty), by number, after the number `after`.
    pub async fn search_customers(
        &self,
        needle: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Customer>, StoreError> {
        let like = self.backend.ilike();
        let rows = dynamic_query(format!(
            "SELECT {} FROM customers WHERE ($1 = '%%' OR customer_no {like} $1 ESCAPE '\\' OR name {like} $1 ESCAPE '\\' \
             OR city {like} $1 ESCAPE '\\' OR email_domains {like} $1 ESCAPE '\\') AND customer_no > $2 \
             ORDER BY customer_no LIMIT $3",
            MasterTable::Customers.spec().columns.join(", ")
        ))
        .bind(like_pattern(needle))
        .bind(after.unwrap_or("").to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_customer).collect()
    }

    pub async fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        let row = dynamic_query(format!(
            "SELECT {} FROM products WHERE sku = $1",
            MasterTable::Products.spec().columns.join(", ")
        ))
        .bind(sku.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_product).transpose()
    }

    pub async fn customer(&self, customer_no: &str) -> Result<Option<Customer>, StoreError> {
        let row = dynamic_query(format!(
            "SELECT {} FROM customers WHERE customer_no = $1",
            MasterTable::Customers.spec().columns.join(", ")
        ))
        .bind(customer_no.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_customer).transpose()
    }

    pub async fn addresses_of(&self, customer_no: &str) -> Result<Vec<ShipToAddress>, StoreError> {
        self.rows_where(MasterTable::Addresses, "customer_no", customer_no, decode_address)
            .await
    }

    pub async fn prices_of_sku(&self, sku: &str) -> Result<Vec<PriceEntry>, StoreError> {
        self.rows_where(MasterTable::Prices, "sku", sku, decode_price).await
    }

    pub async fn customer_items_of(&self, customer_no: &str) -> Result<Vec<CustomerItem>, StoreError> {
        self.rows_where(
            MasterTable::CustomerItems,
            "customer_no",
            customer_no,
            decode_customer_item,
        )
        .await
    }

    pub async fn stock_of(&self, sku: &str) -> Result<Vec<StockLevel>, StoreError> {
        self.rows_where(MasterTable::Stock, "sku", sku, decode_stock).await
    }

    async fn rows_where<T>(
        &self,
        table: MasterTable,
        column: &str,
        value: &str,
        decode: fn(&AnyRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let spec = table.spec();
        let rows = dynamic_query(format!(
            "SELECT {} FROM {} WHERE {column} = $1 ORDER BY {}",
            spec.columns.join(", "),
            spec.table,
            spec.key.join(", ")
        ))
        .bind(value.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }
}

/// `%needle%` with LIKE's wildcards escaped.
pub(crate) fn like_pattern(needle: &str) -> String {
    let escaped = needle
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Reads typed columns of one row, turning bad stored text into [`StoreError::Corrupt`].
struct Fields<'r> {
    row: &'r AnyRow,
    table: &'static str,
}

impl Fields<'_> {
    fn corrupt(&self, column: &str, message: impl std::fmt::Display) -> StoreError {
        let key = self.row.try_get::<String, _>(0).unwrap_or_default();
        StoreError::Corrupt {
            table: self.table,
            key,
            message: format!("{column}: {message}"),
        }
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        Ok(self.row.try_get::<Option<String>, _>(column)?.filter(|s| !s.is_empty()))
    }
    fn text(&self, column: &str) -> Result<String, StoreError> {
        Ok(self.row.try_get::<Option<String>, _>(column)?.unwrap_or_default())
    }
    fn opt<T, E: std::fmt::Display>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, StoreError> {
        match self.opt_text(column)? {
            None => Ok(None),
            Some(raw) => parse(&raw).map(Some).map_err(|e| self.corrupt(column, e)),
        }
    }
    fn req<T, E: std::fmt::Display>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        self.opt(column, parse)?.ok_or_else(|| self.corrupt(column, "is empty"))
    }
    fn decimal(&self, column: &str) -> Result<Option<Decimal>, StoreError> {
        self.opt(column, parse_decimal)
    }
    fn flag(&self, column: &str) -> Result<bool, StoreError> {
        Ok(self.row.try_get::<i64, _>(column)? != 0)
    }
    fn list(&self, column: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .text(column)?
            .split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    }
}

pub fn decode_product(row: &AnyRow) -> Result<Product, StoreError> {
    let f = Fields { row, table: "products" };
    let attributes = f
        .text("attributes")?
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Ok(Product {
        sku: f.req("sku", Sku::parse)?,
        name: f.text("name")?,
        description: f.opt_text("description")?,
        gtin: f.opt("gtin", Gtin::parse)?,
        base_unit: f.req("uom", UnitCode::parse)?,
        pack_size: f.decimal("pack_size")?.unwrap_or(Decimal::ONE),
        min_order_qty: f.decimal("min_order_qty")?.unwrap_or(Decimal::ONE),
        list_price: f.decimal("list_price")?,
        currency: f.opt("currency", CurrencyCode::parse)?,
        cost: f.decimal("cost")?,
        lead_time_days: row.try_get::<Option<i64>, _>("lead_time_days")?.map(|d| d as u32),
        product_group: f.opt_text("product_group")?,
        active: f.flag("active")?,
        attributes,
    })
}

pub fn decode_customer(row: &AnyRow) -> Result<Customer, StoreError> {
    let f = Fields {
        row,
        table: "customers",
    };
    Ok(Customer {
        customer_no: f.req("customer_no", CustomerNo::parse)?,
        name: f.text("name")?,
        vat_id: f.opt_text("vat_id")?,
        email_domains: f.list("email_domains")?,
        emails: f.list("emails")?,
        language: f.opt_text("language")?,
        currency: f.opt("currency", CurrencyCode::parse)?,
        price_list: f.opt("price_list", PriceListId::parse)?,
        credit_limit: f.decimal("credit_limit")?,
        open_balance: f.decimal("open_balance")?,
        payment_terms: f.opt_text("payment_terms")?,
        territory: f.opt_text("territory")?,
        sales_rep: f.opt_text("sales_rep")?,
        billing_address: PostalAddress {
            street: f.opt_text("street")?,
            zip: f.opt_text("zip")?,
            city: f.opt_text("city")?,
            country: f.opt("country", CountryCode::parse)?,
        },
    })
}

pub fn decode_address(row: &AnyRow) -> Result<ShipToAddress, StoreError> {
    let f = Fields {
        row,
        table: "ship_to_addresses",
    };
    Ok(ShipToAddress {
        customer_no: f.req("customer_no", CustomerNo::parse)?,
        address_id: f.req("address_id", AddressId::parse)?,
        name: f.opt_text("name")?,
        street: f.opt_text("street")?,
        zip: f.opt_text("zip")?,
        city: f.opt_text("city")?,
        region: f.opt_text("region")?,
        country: f.opt("country", CountryCode::parse)?,
        is_default: f.flag("is_default")?,
    })
}

pub fn decode_price(row: &AnyRow) -> Result<PriceEntry, StoreError> {
    let f = Fields { row, table: "prices" };
    Ok(PriceEntry {
        price_list: f.req("price_list", PriceListId::parse)?,
        sku: f.req("sku", Sku::parse)?,
        min_qty: f.req("min_qty", parse_decimal)?,
        customer_no: f.opt("customer_no", CustomerNo::parse)?,
        valid_from: f.opt("valid_from", parse_date)?,
        valid_to: f.opt("valid_to", parse_date)?,
        unit_price: f.req("unit_price", parse_decimal)?,
        currency: f.opt("currency", CurrencyCode::parse)?,
    })
}

pub fn decode_customer_item(row: &AnyRow) -> Result<CustomerItem, StoreError> {
    let f = Fields {
        row,
        table: "customer_items",
    };
    Ok(CustomerItem {
        customer_no: f.req("customer_no", CustomerNo::parse)?,
        customer_part_no: f.req("customer_part_no", CustomerPartNo::parse)?,
        sku: f.opt("sku", Sku::parse)?,
        customer_uom: f.opt("customer_uom", UnitCode::parse)?,
        factor: f.decimal("factor")?,
    })
}

pub fn decode_stock(row: &AnyRow) -> Result<StockLevel, StoreError> {
    let f = Fields { row, table: "stock" };
    Ok(StockLevel {
        sku: f.req("sku", Sku::parse)?,
        warehouse: f.req("warehouse", WarehouseId::parse)?,
        on_hand: f.decimal("on_hand")?.unwrap_or(Decimal::ZERO),
        reserved: f.decimal("reserved")?.unwrap_or(Decimal::ZERO),
        next_receipt_date: f.opt("next_receipt_date", parse_date)?,
        next_receipt_qty: f.decimal("next_receipt_qty")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" 50%_off "), "%50\\%\\_off%");
    }

    #[test]
    fn every_table_fits_a_batch_in_the_bind_limits() {
        for t in MasterTable::ALL {
            assert!(t.batch_rows() * t.spec().columns.len() <= 16_000);
            assert!(t.spec().key.iter().all(|k| t.spec().columns.contains(k)));
        }
        assert_eq!(MasterTable::Addresses.stored_column("default"), Some("is_default"));
    }
}

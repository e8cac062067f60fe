//! One raw row → one validated domain record, or every problem in the row.

use std::fmt;

use domain::customer::{CountryCode, Customer, PostalAddress, ShipToAddress};
use domain::customer_item::CustomerItem;
use domain::pricing::PriceEntry;
use domain::product::{Gtin, Product};
use domain::stock::StockLevel;
use domain::values::{
    AddressId, CustomerPartNo, PriceListId, WarehouseId, parse_bool, parse_date, parse_decimal, parse_non_negative,
};
use domain::{CurrencyCode, CustomerNo, Sku, UnitCode, ValueError};
use rust_decimal::Decimal;

use crate::columns::Entity;
use crate::reader::{Header, RawRow};

/// A problem with one row (and, where known, one column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {}: {}", self.line, column, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A validated master data record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Product(Product),
    Customer(Customer),
    Address(ShipToAddress),
    Price(PriceEntry),
    CustomerItem(CustomerItem),
    Stock(StockLevel),
}

impl Record {
    /// The natural key as one string, for duplicate detection within a file.
    pub fn key(&self) -> String {
        match self {
            Record::Product(p) => p.natural_key(),
            Record::Customer(c) => c.natural_key(),
            Record::Address(a) => a.natural_key(),
            Record::Price(p) => p.natural_key(),
            Record::CustomerItem(i) => i.natural_key(),
            Record::Stock(s) => s.natural_key(),
        }
    }

    /// The key as the user wrote it, for messages (`sku HB-1`, `customer 10042, address 2`).
    pub fn describe_key(&self) -> String {
        self.key().replace('\u{1f}', " / ")
    }
}

/// Collects typed cells of one row and every error on the way.
struct Cells<'a> {
    header: &'a Header,
    row: &'a RawRow,
    errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    fn text(&self, column: &str) -> Option<String> {
        self.header.cell(self.row, column).map(str::to_owned)
    }

    fn fail(&mut self, column: &str, message: String) {
        self.errors.push(RowError {
            line: self.row.line,
            column: Some(column.to_owned()),
            message,
        });
    }

    fn opt<T>(&mut self, column: &str, parse: impl FnOnce(&str) -> Result<T, ValueError>) -> Option<T> {
        let raw = self.header.cell(self.row, column)?;
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(column, e.to_string());
                None
            }
        }
    }

    fn required<T>(&mut self, column: &str, parse: impl FnOnce(&str) -> Result<T, ValueError>) -> Option<T> {
        if self.header.cell(self.row, column).is_none() {
            self.fail(column, "is empty, but it is part of the key".to_owned());
            return None;
        }
        self.opt(column, parse)
    }

    fn non_negative(&mut self, column: &'static str) -> Option<Decimal> {
        self.opt(column, |raw| parse_non_negative(column, raw))
    }

    fn positive(&mut self, column: &'static str) -> Option<Decimal> {
        let value = self.non_negative(column)?;
        if value.is_zero() {
            self.fail(column, "must be greater than 0".to_owned());
            return None;
        }
        Some(value)
    }

    fn list(&mut self, column: &str) -> Vec<String> {
        self.text(column)
            .map(|raw| {
                raw.split(';')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<RowError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

/// Parses one row of `header`'s entity.
pub fn parse_row(header: &Header, row: &RawRow) -> Result<Record, Vec<RowError>> {
    let mut cells = Cells {
        header,
        row,
        errors: Vec::new(),
    };
    let record = match header.entity() {
        Entity::Products => product(&mut cells).map(Record::Product),
        Entity::Customers => customer(&mut cells).map(Record::Customer),
        Entity::Addresses => address(&mut cells).map(Record::Address),
        Entity::Prices => price(&mut cells).map(Record::Price),
        Entity::CustomerItems => customer_item(&mut cells).map(Record::CustomerItem),
        Entity::Stock => stock(&mut cells).map(Record::Stock),
    };
    cells.finish(record)
}

fn product(c: &mut Cells) -> Option<Product> {
    let sku = c.required("sku", Sku::parse);
    let name = c.text("name");
    if name.is_none() && c.header.has("name") {
        c.fail("name", "is empty: every product needs a name".to_owned());
    }
    let gtin = c.opt("gtin", |raw| Gtin::parse(raw).map_err(ValueError::from));
    let base_unit = c.opt("uom", UnitCode::parse).unwrap_or(UnitCode::PIECE);
    let pack_size = c.positive("pack_size").unwrap_or(Decimal::ONE);
    let min_order_qty = c.non_negative("min_order_qty").unwrap_or(Decimal::ONE);
    let list_price = c.non_negative("list_price");
    let currency = c.opt("currency", CurrencyCode::parse);
    // With no currency column at all, the stored currency stays (a price-only update).
    if list_price.is_some()
        && currency.is_none()
        && c.header.has("currency")
        && c.errors.iter().all(|e| e.column.as_deref() != Some("currency"))
    {
        c.fail(
            "currency",
            "is empty, but list_price is set: say which currency the price is in".to_owned(),
        );
    }
    let cost = c.non_negative("cost");
    let lead_time_days = c.opt("lead_time_days", |raw| {
        raw.parse::<u32>()
            .map_err(|_| ValueError::Decimal(format!("{raw} (whole days)")))
    });
    let product_group = c.text("product_group");
    let active = c.opt("active", parse_bool).unwrap_or(true);
    let attributes = match c.text("attributes") {
        None => Vec::new(),
        Some(raw) => match parse_attributes(&raw) {
            Ok(a) => a,
            Err(message) => {
                c.fail("attributes", message);
                Vec::new()
            }
        },
    };
    Some(Product {
        sku: sku?,
        name: name.unwrap_or_default(),
        description: c.text("description"),
        gtin,
        base_unit,
        pack_size,
        min_order_qty,
        list_price,
        currency,
        cost,
        lead_time_days,
        product_group,
        active,
        attributes,
    })
}

/// `key=value;key=value` → pairs, in order.
fn parse_attributes(raw: &str) -> Result<Vec<(String, String)>, String> {
    raw.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
            _ => Err(format!(
                "'{pair}' is not key=value (write attributes as thread=M8;length_mm=40)"
            )),
        })
        .collect()
}

fn country(raw: &str) -> Result<CountryCode, ValueError> {
    CountryCode::parse(raw)
}

fn customer(c: &mut Cells) -> Option<Customer> {
    let customer_no = c.required("customer_no", CustomerNo::parse);
    let name = c.text("name");
    if name.is_none() && c.header.has("name") {
        c.fail("name", "is empty: every customer needs a name".to_owned());
    }
    let email_domains = c.list("email_domains");
    for d in &email_domains {
        if d.contains('@') || !d.contains('.') {
            c.fail(
                "email_domains",
                format!("'{d}' is not a mail domain (write example.com, without @)"),
            );
        }
    }
    let emails = c.list("emails");
    for e in &emails {
        if !e.contains('@') {
            c.fail("emails", format!("'{e}' is not a mail address"));
        }
    }
    let language = c.opt("language", |raw| {
        let lower = raw.to_ascii_lowercase();
        if lower.len() == 2 && lower.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(lower)
        } else {
            Err(ValueError::BadCharacters {
                what: "language (ISO 639-1, e.g. de or en)",
                value: raw.to_owned(),
            })
        }
    });
    let currency = c.opt("currency", CurrencyCode::parse);
    let price_list = c.opt("price_list", PriceListId::parse);
    let credit_limit = c.non_negative("credit_limit");
    let open_balance = c.opt("open_balance", parse_decimal);
    let billing_address = PostalAddress {
        street: c.text("street"),
        zip: c.text("zip"),
        city: c.text("city"),
        country: c.opt("country", country),
    };
    Some(Customer {
        customer_no: customer_no?,
        name: name.unwrap_or_default(),
        vat_id: c.text("vat_id"),
        email_domains,
        emails,
        language,
        currency,
        price_list,
        credit_limit,
        open_balance,
        payment_terms: c.text("payment_terms"),
        territory: c.text("territory"),
        sales_rep: c.text("sales_rep"),
        billing_address,
    })
}

fn address(c: &mut Cells) -> Option<ShipToAddress> {
    let customer_no = c.required("customer_no", CustomerNo::parse);
    let address_id = c.required("address_id", AddressId::parse);
    let country = c.opt("country", country);
    let is_default = c.opt("default", parse_bool).unwrap_or(false);
    Some(ShipToAddress {
        customer_no: customer_no?,
        address_id: address_id?,
        name: c.text("name"),
        street: c.text("street"),
        zip: c.text("zip"),
        city: c.text("city"),
        region: c.text("region"),
        country,
        is_default,
    })
}

fn price(c: &mut Cells) -> Option<PriceEntry> {
    let price_list = c.required("price_list", PriceListId::parse);
    let sku = c.required("sku", Sku::parse);
    let min_qty = c
        .opt("min_qty", |raw| parse_non_negative("min_qty", raw))
        .map(|d| d.normalize());
    let customer_no = c.opt("customer_no", CustomerNo::parse);
    let valid_from = c.opt("valid_from", parse_date);
    let valid_to = c.opt("valid_to", parse_date);
    if let (Some(from), Some(to)) = (valid_from, valid_to)
        && to < from
    {
        c.fail("valid_to", format!("{to} is before valid_from {from}"));
    }
    let unit_price = c.non_negative("unit_price");
    if unit_price.is_none() && c.errors.iter().all(|e| e.column.as_deref() != Some("unit_price")) {
        c.fail("unit_price", "is empty: a price row needs a price".to_owned());
    }
    let currency = c.opt("currency", CurrencyCode::parse);
    Some(PriceEntry {
        price_list: price_list?,
        sku: sku?,
        min_qty: min_qty.unwrap_or(Decimal::ONE),
        customer_no,
        valid_from,
        valid_to,
        unit_price: unit_price?,
        currency,
    })
}

fn customer_item(c: &mut Cells) -> Option<CustomerItem> {
    let customer_no = c.required("customer_no", CustomerNo::parse);
    let customer_part_no = c.required("customer_part_no", CustomerPartNo::parse);
    let sku = c.opt("sku", Sku::parse);
    let customer_uom = c.opt("customer_uom", UnitCode::parse);
    let factor = c.positive("factor");
    Some(CustomerItem {
        customer_no: customer_no?,
        customer_part_no: customer_part_no?,
        sku,
        customer_uom,
        factor,
    })
}

fn stock(c: &mut Cells) -> Option<StockLevel> {
    let sku = c.required("sku", Sku::parse);
    let warehouse = c.required("warehouse", WarehouseId::parse);
    let on_hand = c.opt("on_hand", parse_decimal).unwrap_or(Decimal::ZERO);
    let reserved = c.non_negative("reserved").unwrap_or(Decimal::ZERO);
    let next_receipt_date = c.opt("next_receipt_date", parse_date);
    let next_receipt_qty = c.non_negative("next_receipt_qty");
    Some(StockLevel {
        sku: sku?,
        warehouse: warehouse?,
        on_hand,
        reserved,
        next_receipt_date,
        next_receipt_qty,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entity: Entity, header: &str, line: &str) -> Result<Record, Vec<RowError>> {
        let cells = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        let header = Header::parse(entity, &cells(header)).unwrap();
        parse_row(
            &header,
            &RawRow {
                line: 2,
                cells: cells(line),
            },
        )
    }

    fn messages(errors: Vec<RowError>) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_full_product_row() {
        let Record::Product(p) = parse(
            Entity::Products,
            "sku,name,uom,pack_size,list_price,currency,active,attributes,gtin",
            "HB-M8-40-A2,Sechskantschraube M8x40 A2,C62,100,0.12,EUR,false,thread=M8;length_mm=40,4006381333931",
        )
        .unwrap() else {
            panic!("not a product")
        };
        assert_eq!(p.pack_size, Decimal::from(100));
        assert!(!p.active);
        assert_eq!(p.attribute("length_mm"), Some("40"));
        assert_eq!(p.gtin.unwrap().as_str(), "4006381333931");
    }

    #[test]
    fn every_bad_cell_is_reported_with_line_and_column() {
        let errors = parse(
            Entity::Products,
            "sku,uom,list_price,currency,pack_size",
            "X-1,kg,1.5,5,0",
        )
        .unwrap_err();
        assert_eq!(
            messages(errors),
            vec![
                "line 2, column uom: 'kg' is not a known UN/ECE Rec. 20 unit code (e.g. C62 piece, KGM, MTR, LTR, BX, PK, SET)",
                "line 2, column pack_size: must be greater than 0",
                "line 2, column currency: '5' is not an ISO 4217 currency code (three capital letters, e.g. EUR)",
            ]
        );
    }

    #[test]
    fn decimal_commas_are_rejected() {
        let errors = parse(Entity::Products, "sku,list_price,currency", "X-1,\"1,5\",EUR").unwrap_err();
        assert_eq!(errors[0].column.as_deref(), Some("list_price"));
    }

    #[test]
    fn price_keys_normalise_quantity_breaks() {
        let a = parse(Entity::Prices, "price_list,sku,min_qty,unit_price", "STD,A,1,2.00").unwrap();
        let b = parse(Entity::Prices, "price_list,sku,min_qty,unit_price", "STD,A,1.000,2.00").unwrap();
        assert_eq!(a.key(), b.key());
        let errors = parse(
            Entity::Prices,
            "price_list,sku,valid_from,valid_to,unit_price",
            "STD,A,2026-05-01,2026-04-01,",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn customers_lists_are_lower_cased_and_checked() {
        let Record::Customer(c) = parse(
            Entity::Customers,
            "customer_no,name,email_domains,emails,language",
            "10042,Muster GmbH,Muster.DE; muster.at,Einkauf@Muster.de,DE",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(c.email_domains, vec!["muster.de", "muster.at"]);
        assert_eq!(c.emails, vec!["einkauf@muster.de"]);
        assert_eq!(c.language.as_deref(), Some("de"));
        assert!(parse(Entity::Customers, "customer_no,name,email_domains", "1,A,@x.de").is_err());
    }

    #[test]
    fn unknown_and_missing_columns_are_file_errors() {
        let cells = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        let err = Header::parse(Entity::Products, &cells("sku,name,colour")).unwrap_err();
        assert!(err.to_string().starts_with("unknown column(s) colour"), "{err}");
        let err = Header::parse(Entity::Addresses, &cells("customer_no,name")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing key column(s) address_id: every addresses file needs them"
        );
        assert!(Header::parse(Entity::Prices, &cells("price_list,sku,min_qty,unit_price")).is_ok());
    }
}

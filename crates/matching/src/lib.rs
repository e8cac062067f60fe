//! Matching: who sent an order, where it goes, and which of our products each line means.
//!
//! A [`Catalog`] is built once from the master data ([`MasterData`]) and then
//! answers, in memory and without IO:
//! - [`Catalog::resolve_customer`]: from the customer number printed, an EDI
//!   party id, the VAT id, the sender's address or domain, addresses quoted in
//!   the document. An unknown sender is never guessed from a similar name.
//! - [`Catalog::resolve_line`]: by the customer part number cross-reference,
//!   our SKU, the GTIN, and only then by the description, through a tantivy
//!   full-text index with fuzzy terms, re-ranked by token similarity; with
//!   ranked alternatives and a score in [0,1].
//! - [`Catalog::resolve_ship_to`]: a printed delivery address to one of the
//!   customer's addresses.
//!
//! Codes are compared normalised ([`normalize_code`]): `DIN 933 M8x40 A2` and
//! `din933-m8x40-a2` are the same code.

mod customers;
mod rows;
mod text;

use std::collections::HashMap;

use domain::customer::{Customer, ShipToAddress};
use domain::customer_item::CustomerItem;
use domain::pricing::PriceEntry;
use domain::product::Product;
use domain::stock::StockLevel;

pub use customers::{CustomerCues, CustomerMatch, CustomerVia, PrintedAddress, ShipToMatch};
pub use rows::{DecodeRows, RowsBySku};
pub use text::TextIndex;

#[derive(Debug, thiserror::Error)]
pub enum MatchingError {
    #[error("the product search index cannot be built: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the master data cannot be used: {0}")]
    Data(String),
}

/// All master data the matcher needs, as loaded from the store.
#[derive(Debug, Default, Clone)]
pub struct MasterData {
    pub products: Vec<Product>,
    pub customers: Vec<Customer>,
    pub addresses: Vec<ShipToAddress>,
    pub customer_items: Vec<CustomerItem>,
    pub prices: Vec<PriceEntry>,
    pub stock: Vec<StockLevel>,
}

/// How a line found its product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedVia {
    CustomerPartNo,
    Sku,
    Gtin,
    Description,
}

impl MatchedVia {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedVia::CustomerPartNo => "customer_part_no",
            MatchedVia::Sku => "sku",
            MatchedVia::Gtin => "gtin",
            MatchedVia::Description => "description",
        }
    }
}

/// What a line says about its product.
#[derive(Debug, Clone, Default)]
pub struct LineCues<'a> {
    /// A code the customer labelled as theirs.
    pub customer_part_no: Option<&'a str>,
    /// A code labelled as ours (supplier / vendor part number).
    pub sku: Option<&'a str>,
    /// A code whose owner the document does not say ("Artikel-Nr.").
    pub item_code: Option<&'a str>,
    pub gtin: Option<&'a str>,
    pub description: Option<&'a str>,
}

/// The product a line resolved to, with how sure the match is.
#[derive(Debug, Clone, PartialEq)]
pub struct LineMatch {
    /// Index into [`Catalog::products`].
    pub product: Option<usize>,
    pub via: Option<MatchedVia>,
    /// In [0,1]: 0.99 for an exact code, the similarity for a description.
    pub score: f32,
    /// The customer part number entry that matched, if any.
    pub customer_item: Option<usize>,
    /// Other candidates, best first, with their scores.
    pub alternatives: Vec<(usize, f32)>,
}

impl LineMatch {
    fn none() -> Self {
        LineMatch {
            product: None,
            via: None,
            score: 0.0,
            customer_item: None,
            alternatives: Vec::new(),
        }
    }
}

/// Codes compared the way people write them: case, spaces and punctuation ignored.
pub fn normalize_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The master data with its lookups and the product search index.
pub struct Catalog {
    data: MasterData,
    by_sku: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
    by_gtin: HashMap<String, usize>,
    items: HashMap<(String, String), usize>,
    items_by_sku: HashMap<(String, String), Vec<usize>>,
    prices: RowsBySku<PriceEntry>,
    stock: RowsBySku<StockLevel>,
    addresses: HashMap<String, Vec<usize>>,
    customers: customers::CustomerIndex,
    text: TextIndex,
    /// Normalised SKUs in order, for finding those that begin with what is
    /// typed; made on the first search (most catalogs are never searched so).
    sku_order: std::sync::OnceLock<Vec<(String, usize)>>,
    /// Customers' part numbers (customer, normalised part number, product),
    /// in order, for the same search within one customer's; made alike.
    part_order: std::sync::OnceLock<Vec<(String, String, usize)>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("products", &self.data.products.len())
            .field("customers", &self.data.customers.len())
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Builds the lookups and the full-text index (the slow part: about
    /// 5 s per million products in a release build).
    pub fn build(data: MasterData) -> Result<Catalog, MatchingError> {
        let text = TextIndex::build(&data.products)?;
        Ok(Self::with_index(data, text))
    }

    /// The catalog over a product index built before for exactly these
    /// products, in this order ([`TextIndex::build_in`]).
    pub fn with_index(mut data: MasterData, text: TextIndex) -> Catalog {
        let prices = RowsBySku::loaded(std::mem::take(&mut data.prices), |p| p.sku.as_str());
        let stock = RowsBySku::loaded(std::mem::take(&mut data.stock), |s| s.sku.as_str());
        Self::with_rows(data, text, prices, stock)
    }

    /// The catalog over a saved product index, with prices and stock kept
    /// apart (`data.prices` and `data.stock` are not used).
    pub fn with_rows(
        data: MasterData,
        text: TextIndex,
        prices: RowsBySku<PriceEntry>,
        stock: RowsBySku<StockLevel>,
    ) -> Catalog {
        let mut by_sku = HashMap::with_capacity(data.products.len());
        let mut by_code = HashMap::with_capacity(data.products.len());
        let mut by_gtin = HashMap::new();
        for (i, p) in data.products.iter().enumerate() {
            by_sku.insert(p.sku.as_str().to_owned(), i);
            by_code.entry(normalize_code(p.sku.as_str())).or_insert(i);
            if let Some(g) = &p.gtin {
                by_gtin.insert(g.as_str().trim_start_matches('0').to_owned(), i);
            }
        }
        let mut items = HashMap::new();
        let mut items_by_sku: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, item) in data.customer_items.iter().enumerate() {
            if let Some(sku) = &item.sku {
                items_by_sku
                    .entry((item.customer_no.as_str().to_owned(), sku.as_str().to_owned()))
                    .or_default()
                    .push(i);
            }
            items.insert(
                (
                    item.customer_no.as_str().to_owned(),
                    normalize_code(item.customer_part_no.as_str()),
                ),
                i,
            );
        }
        let mut addresses: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in data.addresses.iter().enumerate() {
            addresses.entry(a.customer_no.as_str().to_owned()).or_default().push(i);
        }
        let customers = customers::CustomerIndex::build(&data.customers);
        Catalog {
            data,
            by_sku,
            by_code,
            by_gtin,
            items,
            items_by_sku,
            prices,
            stock,
            addresses,
            customers,
            text,
            sku_order: std::sync::OnceLock::new(),
            part_order: std::sync::OnceLock::new(),
        }
    }

    /// The products whose SKU (normalised) begins with `normal`, in SKU order.
    fn skus_starting_with<'a>(&'a self, normal: &'a str) -> impl Iterator<Item = usize> + 'a {
        let order = self.sku_order.get_or_init(|| {
            let mut order: Vec<(String, usize)> = self
                .data
                .products
                .iter()
                .enumerate()
                .map(|(i, p)| (normalize_code(p.sku.as_str()), i))
                .collect();
            order.sort();
            order
        });
        let from = order.partition_point(|(k, _)| k.as_str() < normal);
        order[from..]
            .iter()
            .take_while(move |(k, _)| k.starts_with(normal))
            .map(|&(_, i)| i)
    }

    /// The products of the customer's part numbers that (normalised) begin
    /// with `normal`, in part-number order.
    fn parts_starting_with<'a>(&'a self, customer_no: &'a str, normal: &'a str) -> impl Iterator<Item = usize> + 'a {
        let order = self.part_order.get_or_init(|| {
            let mut order: Vec<(String, String, usize)> = self
                .data
                .customer_items
                .iter()
                .filter_map(|it| {
                    let product = *self.by_sku.get(it.sku.as_ref()?.as_str())?;
                    let part = normalize_code(it.customer_part_no.as_str());
                    Some((it.customer_no.as_str().to_owned(), part, product))
                })
                .collect();
            order.sort();
            order
        });
        let from = order.partition_point(|(c, k, _)| (c.as_str(), k.as_str()) < (customer_no, normal));
        order[from..]
            .iter()
            .take_while(move |(c, k, _)| c == customer_no && k.starts_with(normal))
            .map(|&(_, _, i)| i)
    }

    pub fn products(&self) -> &[Product] {
        &self.data.products
    }

    pub fn customers(&self) -> &[Customer] {
        &self.data.customers
    }

    pub fn customer_items(&self) -> &[CustomerItem] {
        &self.data.customer_items
    }

    pub fn product(&self, sku: &str) -> Option<&Product> {
        self.by_sku.get(sku).map(|&i| &self.data.products[i])
    }

    /// The product a printed code names exactly: our SKU as printed or
    /// normalised (`din933m3x6a2`), or the customer's part number for it.
    pub fn product_by_code(&self, customer_no: Option<&str>, code: &str) -> Option<&Product> {
        let normal = normalize_code(code);
        if normal.len() < 4 {
            return None;
        }
        let by_item = customer_no
            .and_then(|c| self.items.get(&(c.to_owned(), normal.clone())))
            .and_then(|&i| self.data.customer_items[i].sku.as_ref())
            .and_then(|sku| self.by_sku.get(sku.as_str()));
        by_item
            .or_else(|| self.by_sku.get(code))
            .or_else(|| self.by_code.get(&normal))
            .map(|&i| &self.data.products[i])
    }

    /// What a clerk looking for a product as they type means, best first:
    /// the product a code names exactly (our SKU, the customer's part number,
    /// a GTIN), then the customer's part numbers that begin with it, then our
    /// SKUs that begin with it, then products whose words begin with it. Each with the customer's part
    /// number for it, when they have one.
    pub fn pick(&self, customer_no: Option<&str>, typed: &str, limit: usize) -> Vec<(&Product, Option<&str>)> {
        let typed = typed.trim();
        let mut found: Vec<usize> = Vec::new();
        let push = |found: &mut Vec<usize>, i: usize| {
            if !found.contains(&i) {
                found.push(i);
            }
        };
        let normal = normalize_code(typed);
        let exact = self
            .product_by_code(customer_no, typed)
            .and_then(|p| self.by_sku.get(p.sku.as_str()).copied())
            .or_else(|| self.by_gtin.get(typed.trim_start_matches('0')).copied());
        if let Some(i) = exact {
            push(&mut found, i);
        }
        if let Some(c) = customer_no
            && normal.len() >= 2
        {
            for i in self.parts_starting_with(c, &normal) {
                if found.len() >= limit {
                    break;
                }
                push(&mut found, i);
            }
        }
        if normal.len() >= 3 {
            for i in self.skus_starting_with(&normal).take(limit) {
                push(&mut found, i);
            }
        }
        if found.len() < limit {
            for i in self.text.starting_with(typed, limit) {
                push(&mut found, i);
            }
        }
        found.truncate(limit);
        found
            .into_iter()
            .map(|i| {
                let p = &self.data.products[i];
                let part_no = customer_no
                    .and_then(|c| self.items_by_sku.get(&(c.to_owned(), p.sku.as_str().to_owned())))
                    .and_then(|items| items.first())
                    .map(|&j| self.data.customer_items[j].customer_part_no.as_str());
                (p, part_no)
            })
            .collect()
    }

    pub fn customer(&self, customer_no: &str) -> Option<&Customer> {
        self.customers.by_no(customer_no).map(|i| &self.data.customers[i])
    }

    /// The price rows of one SKU (all lists and customers).
    pub fn prices_of(&self, sku: &str) -> Vec<PriceEntry> {
        self.prices.of(sku)
    }

    pub fn stock_of(&self, sku: &str) -> Vec<StockLevel> {
        self.stock.of(sku)
    }

    pub fn addresses_of(&self, customer_no: &str) -> Vec<&ShipToAddress> {
        self.addresses
            .get(customer_no)
            .map(|ix| ix.iter().map(|&i| &self.data.addresses[i]).collect())
            .unwrap_or_default()
    }

    pub fn customer_item(&self, customer_no: &str, customer_part_no: &str) -> Option<&CustomerItem> {
        self.items
            .get(&(customer_no.to_owned(), normalize_code(customer_part_no)))
            .map(|&i| &self.data.customer_items[i])
    }

    /// The customer's part numbers that point at `sku`.
    pub fn customer_items_for_sku(&self, customer_no: &str, sku: &str) -> Vec<&CustomerItem> {
        self.items_by_sku
            .get(&(customer_no.to_owned(), sku.to_owned()))
            .map(|ix| ix.iter().map(|&i| &self.data.customer_items[i]).collect())
            .unwrap_or_default()
    }

    /// Adds or replaces a customer part number (what a reviewer taught).
    pub fn learn_customer_item(&mut self, item: CustomerItem) {
        let key = (
            item.customer_no.as_str().to_owned(),
            normalize_code(item.customer_part_no.as_str()),
        );
        let i = match self.items.get(&key) {
            Some(&i) => {
                self.data.customer_items[i] = item;
                i
            }
            None => {
                self.data.customer_items.push(item);
                self.items.insert(key, self.data.customer_items.len() - 1);
                self.data.customer_items.len() - 1
            }
        };
        let item = &self.data.customer_items[i];
        if let Some(sku) = &item.sku {
            let list = self
                .items_by_sku
                .entry((item.customer_no.as_str().to_owned(), sku.as_str().to_owned()))
                .or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
    }

    pub fn resolve_customer(&self, cues: &CustomerCues<'_>) -> Option<CustomerMatch> {
        self.customers.resolve(cues)
    }

    pub fn resolve_ship_to(&self, customer_no: &str, printed: Option<&PrintedAddress>) -> ShipToMatch {
        customers::resolve_ship_to(&self.addresses_of(customer_no), printed)
    }

    /// The customer a document names by name and address when nothing else
    /// identifies it (a bare PDF, a sheet, a forwarded mail): only when exactly
    /// one customer's name and one of its addresses both stand in `text`, and
    /// never sure enough to pass without a person.
    pub fn customer_in_text(&self, text: &str) -> Option<CustomerMatch> {
        let found = customers::customers_in_text(&self.data.customers, |no| self.addresses_of(no), text);
        match found.as_slice() {
            [one] => Some(CustomerMatch {
                index: *one,
                via: CustomerVia::NameAndAddress,
                // Found, but by content alone: a person confirms it.
                confidence: 0.88,
            }),
            _ => None,
        }
    }

    /// The customer's addresses (indices into [`Catalog::addresses_of`])
    /// whose street with house number and postcode both stand in `text`,
    /// however the street is written (`Werkstraße 7`, `Werkstr. 7`).
    pub fn addresses_in_text(&self, customer_no: &str, text: &str) -> Vec<usize> {
        customers::addresses_in_text(&self.addresses_of(customer_no), text)
    }

    /// The product a line means. Codes first (customer part number for this
    /// customer, then our SKU, then the GTIN), the description last.
    pub fn resolve_line(&self, customer_no: Option<&str>, cues: &LineCues<'_>) -> LineMatch {
        let mut found: Vec<LineMatch> = Vec::new();
        let item_lookup = |code: &str| -> Option<LineMatch> {
            let customer_no = customer_no?;
            let i = *self.items.get(&(customer_no.to_owned(), normalize_code(code)))?;
            let sku = self.data.customer_items[i].sku.as_ref()?;
            let product = *self.by_sku.get(sku.as_str())?;
            Some(LineMatch {
                product: Some(product),
                via: Some(MatchedVia::CustomerPartNo),
                score: 0.99,
                customer_item: Some(i),
                alternatives: Vec::new(),
            })
        };
        let sku_lookup = |code: &str| -> Option<LineMatch> {
            let product = self
                .by_sku
                .get(code.trim())
                .or_else(|| self.by_code.get(&normalize_code(code)))?;
            Some(LineMatch {
                product: Some(*product),
                via: Some(MatchedVia::Sku),
                score: 0.99,
                customer_item: None,
                alternatives: Vec::new(),
            })
        };
        if let Some(code) = cues.customer_part_no {
            found.extend(item_lookup(code).or_else(|| sku_lookup(code)));
        }
        if let Some(code) = cues.sku {
            found.extend(sku_lookup(code).or_else(|| item_lookup(code)));
        }
        if let Some(code) = cues.item_code {
            found.extend(item_lookup(code).or_else(|| sku_lookup(code)));
        }
        if let Some(gtin) = cues.gtin {
            let key = gtin.trim().trim_start_matches('0');
            if let Some(&product) = self.by_gtin.get(key) {
                found.push(LineMatch {
                    product: Some(product),
                    via: Some(MatchedVia::Gtin),
                    score: 0.99,
                    customer_item: None,
                    alternatives: Vec::new(),
                });
            }
        }
        if let Some(first) = found.first() {
            let mut best = first.clone();
            // Two codes pointing at different products: a person must decide.
            let others: Vec<usize> = found
                .iter()
                .filter_map(|m| m.product)
                .filter(|p| Some(*p) != best.product)
                .collect();
            if !others.is_empty() {
                best.score = 0.5;
                best.alternatives = others.into_iter().map(|p| (p, 0.5)).collect();
            } else if best.customer_item.is_none() {
                best.customer_item = found.iter().find_map(|m| m.customer_item);
            }
            return best;
        }
        // A "code" that is no code may be part of the description (`M12x20`).
        let unresolved: Vec<&str> = [cues.item_code, cues.sku, cues.customer_part_no]
            .into_iter()
            .flatten()
            .collect();
        match cues.description {
            Some(description) if !description.trim().is_empty() => {
                if unresolved.is_empty() {
                    self.resolve_description(description)
                } else {
                    self.resolve_description(&format!("{description} {}", unresolved.join(" ")))
                }
            }
            _ => LineMatch::none(),
        }
    }

    fn resolve_description(&self, description: &str) -> LineMatch {
        let ranked = self.text.rank(&self.data.products, description, 8);
        let Some(&(best, best_score)) = ranked.first() else {
            return LineMatch::none();
        };
        let runner_up = ranked.get(1).map_or(0.0, |(_, s)| *s);
        // Near ties are the dangerous case: the score carries the margin.
        let margin = (best_score - runner_up).clamp(0.0, 1.0);
        let score = if margin >= 0.15 {
            best_score
        } else {
            best_score.min(0.5 + margin * 2.0)
        };
        LineMatch {
            product: (best_score >= 0.5).then_some(best),
            via: (best_score >= 0.5).then_some(MatchedVia::Description),
            score: if best_score >= 0.5 { score } else { 0.0 },
            customer_item: None,
            alternatives: ranked
                .into_iter()
                .skip(if best_score >= 0.5 { 1 } else { 0 })
                .take(4)
                .collect(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use domain::values::{CustomerNo, CustomerPartNo, Sku, UnitCode};
    use rust_decimal_macros::dec;

    pub fn product(sku: &str, name: &str, description: &str) -> Product {
        Product {
            sku: Sku::parse(sku).unwrap(),
            name: name.into(),
            description: Some(description.into()),
            gtin: None,
            base_unit: UnitCode::parse("C62").unwrap(),
            pack_size: dec!(1),
            min_order_qty: dec!(1),
            list_price: None,
            currency: None,
            cost: None,
            lead_time_days: None,
            product_group: None,
            active: true,
            attributes: Vec::new(),
        }
    }

    pub fn catalog() -> Catalog {
        let products = vec![
            product(
                "DIN933-M8x40-A2",
                "Sechskantschraube DIN 933 M8x40 A2",
                "Hexagon head screw ISO 4017 M8x40 mm, A2",
            ),
            product(
                "DIN933-M8x40-A4",
                "Sechskantschraube DIN 933 M8x40 A4",
                "Hexagon head screw ISO 4017 M8x40 mm, A4",
            ),
            product(
                "DIN912-M8x40-A2",
                "Zylinderschraube DIN 912 Innensechskant M8x40 A2",
                "Socket head cap screw ISO 4762 M8x40 mm, A2",
            ),
            product("AW-RW-R820", "HL Road Rear Wheel", "HL Road Rear Wheel"),
        ];
        let customer_items = vec![CustomerItem {
            customer_no: CustomerNo::parse("10001").unwrap(),
            customer_part_no: CustomerPartNo::parse("77-1034").unwrap(),
            sku: Some(Sku::parse("DIN912-M8x40-A2").unwrap()),
            customer_uom: None,
            factor: None,
        }];
        Catalog::build(MasterData {
            products,
            customer_items,
            ..Default::default()
        })
        .unwrap()
    }

    fn sku_of(c: &Catalog, m: &LineMatch) -> Option<String> {
        m.product.map(|i| c.products()[i].sku.as_str().to_owned())
    }

    #[test]
    fn the_picker_offers_only_this_customers_part_numbers_that_begin_with_what_is_typed() {
        let item = |customer: &str, part: &str, sku: &str| CustomerItem {
            customer_no: CustomerNo::parse(customer).unwrap(),
            customer_part_no: CustomerPartNo::parse(part).unwrap(),
            sku: Some(Sku::parse(sku).unwrap()),
            customer_uom: None,
            factor: None,
        };
        let mut data = MasterData {
            products: catalog().products().to_vec(),
            customer_items: vec![
                item("10001", "77-1034", "DIN912-M8x40-A2"),
                item("10001", "77-2001", "DIN933-M8x40-A4"),
                item("10001", "88-0001", "DIN933-M8x40-A2"),
                item("20002", "77-1099", "AW-RW-R820"),
            ],
            ..Default::default()
        };
        // A part number whose product left the catalog is not offered.
        data.customer_items.push(CustomerItem {
            sku: None,
            ..item("10001", "77-3000", "DIN933-M8x40-A2")
        });
        let c = Catalog::build(data).unwrap();
        let offered = |customer: Option<&str>, typed: &str| -> Vec<(String, Option<String>)> {
            c.pick(customer, typed, 10)
                .into_iter()
                .take_while(|(_, part)| part.is_some())
                .map(|(p, part)| (p.sku.as_str().to_owned(), part.map(str::to_owned)))
                .collect()
        };
        assert_eq!(
            offered(Some("10001"), "77 "),
            [
                ("DIN912-M8x40-A2".to_owned(), Some("77-1034".to_owned())),
                ("DIN933-M8x40-A4".to_owned(), Some("77-2001".to_owned())),
            ],
            "this customer's, in part-number order, however the dash is written"
        );
        assert_eq!(
            offered(Some("20002"), "771"),
            [("AW-RW-R820".to_owned(), Some("77-1099".to_owned()))]
        );
        assert!(
            offered(Some("30003"), "77").is_empty(),
            "a customer without part numbers"
        );
        assert_eq!(c.pick(Some("10001"), "77-2", 1).len(), 1, "the limit holds");
    }

    #[test]
    fn codes_resolve_exactly_however_written() {
        let c = catalog();
        for code in ["DIN933-M8x40-A2", "din 933 m8x40 a2", "DIN933/M8X40/A2"] {
            let m = c.resolve_line(
                None,
                &LineCues {
                    item_code: Some(code),
                    ..Default::default()
                },
            );
            assert_eq!(sku_of(&c, &m).as_deref(), Some("DIN933-M8x40-A2"), "{code}");
            assert_eq!(m.via, Some(MatchedVia::Sku));
        }
    }

    #[test]
    fn customer_part_numbers_only_for_their_customer() {
        let c = catalog();
        let cues = LineCues {
            item_code: Some("77 1034"),
            ..Default::default()
        };
        let m = c.resolve_line(Some("10001"), &cues);
        assert_eq!(sku_of(&c, &m).as_deref(), Some("DIN912-M8x40-A2"));
        assert_eq!(m.via, Some(MatchedVia::CustomerPartNo));
        assert_eq!(m.customer_item, Some(0));
        assert_eq!(c.resolve_line(Some("10002"), &cues).product, None);
    }

    #[test]
    fn conflicting_codes_lower_the_score() {
        let c = catalog();
        let m = c.resolve_line(
            Some("10001"),
            &LineCues {
                customer_part_no: Some("77-1034"),
                sku: Some("DIN933-M8x40-A2"),
                ..Default::default()
            },
        );
        assert!(m.score <= 0.5);
        assert_eq!(m.alternatives.len(), 1);
    }

    #[test]
    fn descriptions_with_typos_find_their_product_and_rank_the_rest() {
        let c = catalog();
        let m = c.resolve_line(
            None,
            &LineCues {
                description: Some("Sechskantschraub M8x40 A2"),
                ..Default::default()
            },
        );
        assert_eq!(sku_of(&c, &m).as_deref(), Some("DIN933-M8x40-A2"));
        assert_eq!(m.via, Some(MatchedVia::Description));
        assert!(m.score >= 0.8, "{m:?}");
        assert!(!m.alternatives.is_empty());
        let english = c.resolve_line(
            None,
            &LineCues {
                description: Some("socket head cap screw M8x40 A2"),
                ..Default::default()
            },
        );
        assert_eq!(sku_of(&c, &english).as_deref(), Some("DIN912-M8x40-A2"));
    }

    #[test]
    fn a_description_that_fits_nothing_matches_nothing() {
        let c = catalog();
        let m = c.resolve_line(
            None,
            &LineCues {
                description: Some("Kaffeemaschine"),
                ..Default::default()
            },
        );
        assert_eq!(m.product, None);
        assert_eq!(m.score, 0.0);
    }

    #[test]
    fn learning_a_customer_part_number_takes_effect_at_once() {
        let mut c = catalog();
        let cues = LineCues {
            item_code: Some("XY-9"),
            ..Default::default()
        };
        assert_eq!(c.resolve_line(Some("10002"), &cues).product, None);
        c.learn_customer_item(CustomerItem {
            customer_no: CustomerNo::parse("10002").unwrap(),
            customer_part_no: CustomerPartNo::parse("XY-9").unwrap(),
            sku: Some(Sku::parse("AW-RW-R820").unwrap()),
            customer_uom: None,
            factor: None,
        });
        assert_eq!(
            sku_of(&c, &c.resolve_line(Some("10002"), &cues)).as_deref(),
            Some("AW-RW-R820")
        );
    }

    #[test]
    fn a_clerk_finds_a_product_as_they_type() {
        let c = catalog();
        let skus = |typed: &str, customer: Option<&str>| {
            c.pick(customer, typed, 5)
                .into_iter()
                .map(|(p, part)| (p.sku.as_str().to_owned(), part.map(str::to_owned)))
                .collect::<Vec<_>>()
        };
        // The start of a word, with whole words before it.
        let found = skus("sechskant m8x40 a", None);
        assert!(found.iter().all(|(s, _)| s.starts_with("DIN933-M8x40")), "{found:?}");
        assert_eq!(found.len(), 2, "{found:?}");
        // The start of our SKU.
        assert_eq!(skus("DIN912-M8", None)[0].0, "DIN912-M8x40-A2");
        // The customer's part number, exactly and as it begins, with that number shown.
        assert_eq!(
            skus("77-1034", Some("10001"))[0],
            ("DIN912-M8x40-A2".to_owned(), Some("77-1034".to_owned()))
        );
        assert_eq!(skus("77-10", Some("10001"))[0].0, "DIN912-M8x40-A2");
        // Another customer's number means nothing here.
        assert!(skus("77-10", Some("10002")).is_empty());
        // One letter names half the catalog: nothing yet.
        assert!(skus("s", None).is_empty());
        assert!(skus("", None).is_empty());
        assert!(skus("  quux ", None).is_empty());
    }
}

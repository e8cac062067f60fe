//! The entities of the import formats and their columns, in contract order.

/// One column of an import format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// Part of the natural key the upsert matches on.
    pub key: bool,
}

const fn key(name: &'static str) -> Column {
    Column { name, key: true }
}
const fn col(name: &'static str) -> Column {
    Column { name, key: false }
}

const PRODUCTS: &[Column] = &[
    key("sku"),
    col("name"),
    col("description"),
    col("gtin"),
    col("uom"),
    col("pack_size"),
    col("min_order_qty"),
    col("list_price"),
    col("currency"),
    col("cost"),
    col("lead_time_days"),
    col("product_group"),
    col("active"),
    col("attributes"),
];

const CUSTOMERS: &[Column] = &[
    key("customer_no"),
    col("name"),
    col("vat_id"),
    col("email_domains"),
    col("emails"),
    col("language"),
    col("currency"),
    col("price_list"),
    col("credit_limit"),
    col("open_balance"),
    col("payment_terms"),
    col("territory"),
    col("sales_rep"),
    col("street"),
    col("zip"),
    col("city"),
    col("country"),
];

const ADDRESSES: &[Column] = &[
    key("customer_no"),
    key("address_id"),
    col("name"),
    col("street"),
    col("zip"),
    col("city"),
    col("region"),
    col("country"),
    col("default"),
];

const PRICES: &[Column] = &[
    key("price_list"),
    key("sku"),
    key("min_qty"),
    key("customer_no"),
    key("valid_from"),
    col("unit_price"),
    col("currency"),
    col("valid_to"),
];

const CUSTOMER_ITEMS: &[Column] = &[
    key("customer_no"),
    key("customer_part_no"),
    col("sku"),
    col("customer_uom"),
    col("factor"),
];

const STOCK: &[Column] = &[
    key("sku"),
    key("warehouse"),
    col("on_hand"),
    col("reserved"),
    col("next_receipt_date"),
    col("next_receipt_qty"),
];

/// The kinds of master data that can be imported and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Products,
    Customers,
    Addresses,
    Prices,
    CustomerItems,
    Stock,
}

impl Entity {
    pub const ALL: [Entity; 6] = [
        Entity::Products,
        Entity::Customers,
        Entity::Addresses,
        Entity::Prices,
        Entity::CustomerItems,
        Entity::Stock,
    ];

    /// The name on the command line (`orderdesk import customer-items FILE`).
    pub fn name(self) -> &'static str {
        match self {
            Entity::Products => "products",
            Entity::Customers => "customers",
            Entity::Addresses => "addresses",
            Entity::Prices => "prices",
            Entity::CustomerItems => "customer-items",
            Entity::Stock => "stock",
        }
    }

    pub fn parse(raw: &str) -> Option<Entity> {
        Self::ALL.into_iter().find(|e| e.name() == raw)
    }

    /// All columns in the order the contract lists them (and exports write them).
    pub fn columns(self) -> &'static [Column] {
        match self {
            Entity::Products => PRODUCTS,
            Entity::Customers => CUSTOMERS,
            Entity::Addresses => ADDRESSES,
            Entity::Prices => PRICES,
            Entity::CustomerItems => CUSTOMER_ITEMS,
            Entity::Stock => STOCK,
        }
    }

    /// Key columns that may be empty or absent: a price's customer and valid-from
    /// date (the contract allows it) and its quantity break (1 when empty).
    pub fn optional_key(self, column: &str) -> bool {
        self == Entity::Prices && matches!(column, "customer_no" | "valid_from" | "min_qty")
    }

    pub fn column(self, name: &str) -> Option<Column> {
        self.columns().iter().copied().find(|c| c.name == name)
    }
}

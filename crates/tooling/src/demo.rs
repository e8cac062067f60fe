//! The demo distributor: an industrial supplies wholesaler in the German-speaking market.
//!
//! Built from the AdventureWorks catalog and the Northwind customers (files in
//! `demo-data/`, with their licences) plus generated variety: fasteners to DIN/ISO
//! with attributes, drills, cable ties, gloves, hoses and lubricants; German and
//! English speaking customers with ship-to addresses, price lists with quantity
//! breaks, customer prices, customer part numbers and stock in two warehouses.
//! The same seed and day give the same company.

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use domain::customer::{CountryCode, Customer, PostalAddress, ShipToAddress};
use domain::customer_item::CustomerItem;
use domain::event::Actor;
use domain::pricing::PriceEntry;
use domain::product::{Gtin, Product};
use domain::stock::StockLevel;
use domain::values::{AddressId, CustomerPartNo, PriceListId, WarehouseId};
use domain::{CurrencyCode, CustomerNo, Sku, UnitCode};
use masterdata::{Entity, Record};
use store::Store;
use store::master::MasterTable;

use app::import::{ImportError, ImportSummary, import_records};

const AW_PRODUCTS: &str = include_str!("../demo-data/aw-product.tsv");
const AW_SUBCATEGORIES: &str = include_str!("../demo-data/aw-product-subcategory.tsv");
const NW_CUSTOMERS: &str = include_str!("../demo-data/nw-customers.csv");

/// The default seed of `orderdesk demo`.
pub const DEFAULT_SEED: u64 = 20261122;

/// Every record of the demo company, by entity, in import order.
pub struct DemoCompany {
    pub products: Vec<Record>,
    pub customers: Vec<Record>,
    pub addresses: Vec<Record>,
    pub prices: Vec<Record>,
    pub customer_items: Vec<Record>,
    pub stock: Vec<Record>,
}

fn dec(value: f64, places: u32) -> Decimal {
    Decimal::from_f64(value).unwrap_or_default().round_dp(places)
}

fn sku(raw: &str) -> Sku {
    Sku::parse(raw).unwrap_or_else(|e| panic!("demo SKU {raw}: {e}"))
}

fn unit(code: &str) -> UnitCode {
    UnitCode::parse(code).unwrap_or(UnitCode::PIECE)
}

/// A valid EAN-13 from a 12-digit body.
fn ean13(body: u64) -> Option<Gtin> {
    let body = format!("{:012}", body % 1_000_000_000_000);
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    Gtin::parse(&format!("{body}{}", (10 - sum % 10) % 10)).ok()
}

struct ProductSpec {
    sku: String,
    name: String,
    description: Option<String>,
    unit: &'static str,
    pack: u32,
    min: u32,
    price: f64,
    group: String,
    attributes: Vec<(String, String)>,
}

fn fasteners() -> Vec<ProductSpec> {
    let screws = [
        ("DIN933", "Sechskantschraube DIN 933", "Hexagon head screw ISO 4017"),
        (
            "DIN931",
            "Sechskantschraube DIN 931 Teilgewinde",
            "Hexagon head bolt ISO 4014, partial thread",
        ),
        (
            "DIN912",
            "Zylinderschraube DIN 912 Innensechskant",
            "Socket head cap screw ISO 4762",
        ),
        (
            "DIN7991",
            "Senkschraube DIN 7991 Innensechskant",
            "Countersunk screw ISO 10642",
        ),
        (
            "DIN7985",
            "Linsenschraube DIN 7985 Kreuzschlitz",
            "Pan head screw ISO 7045",
        ),
        (
            "ISO7380",
            "Flachkopfschraube ISO 7380 Innensechskant",
            "Button head screw ISO 7380",
        ),
    ];
    let threads: [(&str, f64, &[u32]); 9] = [
        ("M3", 0.6, &[6, 8, 10, 12, 16, 20, 25, 30]),
        ("M4", 0.8, &[8, 10, 12, 16, 20, 25, 30, 35, 40]),
        ("M5", 1.0, &[8, 10, 12, 16, 20, 25, 30, 35, 40, 50]),
        ("M6", 1.3, &[10, 12, 16, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80]),
        ("M8", 2.0, &[12, 16, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 100]),
        ("M10", 3.1, &[16, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 100, 120]),
        ("M12", 4.5, &[20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 100, 120, 150]),
        ("M16", 8.0, &[30, 40, 50, 60, 70, 80, 100, 120, 150, 200]),
        ("M20", 12.5, &[40, 50, 60, 80, 100, 120, 150, 200]),
    ];
    let materials = [
        ("88Z", "8.8 verzinkt", 1.0),
        ("109", "10.9 blank", 1.3),
        ("A2", "A2", 2.4),
        ("A4", "A4", 3.6),
    ];
    let mut out = Vec::new();
    for (standard, name_de, name_en) in screws {
        for (thread, weight, lengths) in threads {
            for length in lengths {
                for (code, material, factor) in materials {
                    let size = weight * f64::from(*length);
                    let pack = if size < 40.0 {
                        100
                    } else if size < 200.0 {
                        50
                    } else {
                        25
                    };
                    out.push(ProductSpec {
                        sku: format!("{standard}-{thread}x{length}-{code}"),
                        name: format!("{name_de} {thread}x{length} {material}"),
                        description: Some(format!("{name_en} {thread}x{length} mm, {material}")),
                        unit: "C62",
                        pack,
                        min: pack,
                        price: 0.015 + size * 0.0009 * factor,
                        group: "Schrauben".into(),
                        attributes: vec![
                            ("standard".into(), standard.into()),
                            ("thread".into(), thread.into()),
                            ("length_mm".into(), length.to_string()),
                            ("material".into(), material.into()),
                        ],
                    });
                }
            }
        }
    }
    let parts = [
        (
            "DIN934",
            "Sechskantmutter DIN 934",
            "Hexagon nut ISO 4032",
            0.4,
            100,
            "Muttern",
        ),
        (
            "DIN985",
            "Sicherungsmutter DIN 985 mit Klemmteil",
            "Prevailing torque nut ISO 10511",
            0.7,
            100,
            "Muttern",
        ),
        (
            "DIN125",
            "Unterlegscheibe DIN 125",
            "Plain washer ISO 7089",
            0.15,
            200,
            "Scheiben",
        ),
        (
            "DIN976",
            "Gewindestange DIN 976 1 m",
            "Threaded rod 1 m",
            12.0,
            1,
            "Gewindestangen",
        ),
    ];
    for (standard, name_de, name_en, base, pack, group) in parts {
        for (thread, weight, _) in threads {
            for (code, material, factor) in materials {
                out.push(ProductSpec {
                    sku: format!("{standard}-{thread}-{code}"),
                    name: format!("{name_de} {thread} {material}"),
                    description: Some(format!("{name_en} {thread}, {material}")),
                    unit: "C62",
                    pack,
                    min: pack,
                    price: 0.01 + base * weight * 0.02 * factor,
                    group: group.into(),
                    attributes: vec![
                        ("standard".into(), standard.into()),
                        ("thread".into(), thread.into()),
                        ("material".into(), material.into()),
                    ],
                });
            }
        }
    }
    out
}

fn tools_and_supplies() -> Vec<ProductSpec> {
    let mut out = Vec::new();
    for tenth in (10..=130).step_by(5) {
        let d = f64::from(tenth) / 10.0;
        for (code, kind, factor) in [("HSSG", "HSS-G", 1.0), ("HSSCO", "HSS-Co 5 %", 2.2)] {
            out.push(ProductSpec {
                sku: format!("DIN338-{}-{code}", tenth),
                name: format!("Spiralbohrer DIN 338 {kind} {d:.1} mm"),
                description: Some(format!("Twist drill DIN 338 {kind}, diameter {d:.1} mm, 118° point")),
                unit: "C62",
                pack: 10,
                min: 10,
                price: 0.6 + d * 0.35 * factor,
                group: "Bohrer".into(),
                attributes: vec![
                    ("diameter_mm".into(), format!("{d:.1}")),
                    ("material".into(), kind.into()),
                ],
            });
        }
    }
    for (length, width) in [(100, 2.5), (140, 3.6), (200, 4.8), (300, 4.8), (370, 7.6), (430, 9.0)] {
        for (color_code, color_de, color_en) in [("SW", "schwarz", "black"), ("NT", "natur", "natural")] {
            out.push(ProductSpec {
                sku: format!("KB-{length}x{}-{color_code}", (width * 10.0) as u32),
                name: format!("Kabelbinder {length} x {width:.1} mm {color_de}"),
                description: Some(format!("Cable tie {length} x {width:.1} mm, polyamide 6.6, {color_en}")),
                unit: "C62",
                pack: 100,
                min: 100,
                price: 0.01 + f64::from(length) * width * 0.00005,
                group: "Kabelbinder".into(),
                attributes: vec![
                    ("length_mm".into(), length.to_string()),
                    ("color".into(), color_en.into()),
                ],
            });
        }
    }
    for (code, kind_de, kind_en, price) in [
        ("NI", "Nitril", "nitrile", 2.1),
        ("LE", "Leder", "leather", 5.9),
        ("CUT", "Schnittschutz Stufe D", "cut resistant level D", 8.4),
    ] {
        for size in 7..=11 {
            out.push(ProductSpec {
                sku: format!("HS-{code}-{size}"),
                name: format!("Schutzhandschuh {kind_de} Gr. {size}"),
                description: Some(format!("Safety glove, {kind_en}, size {size}, EN 388")),
                unit: "PR",
                pack: 12,
                min: 12,
                price,
                group: "Arbeitsschutz".into(),
                attributes: vec![("size".into(), size.to_string())],
            });
        }
    }
    for dn in [6, 8, 10, 13, 16, 19, 25, 32] {
        for (bar, code) in [(16, "PN16"), (40, "PN40")] {
            out.push(ProductSpec {
                sku: format!("SL-DN{dn}-{code}"),
                name: format!("Druckluftschlauch DN {dn} {bar} bar"),
                description: Some(format!(
                    "Compressed air hose, inner diameter {dn} mm, {bar} bar, sold by the metre"
                )),
                unit: "MTR",
                pack: 1,
                min: 5,
                price: 0.8 + f64::from(dn) * 0.12 * (f64::from(bar) / 16.0),
                group: "Schläuche".into(),
                attributes: vec![
                    ("dn_mm".into(), dn.to_string()),
                    ("pressure_bar".into(), bar.to_string()),
                ],
            });
        }
    }
    for (code, name, en, unit, pack, price) in [
        (
            "SF-EP2-1",
            "Mehrzweckfett EP2 1 kg",
            "Multipurpose grease EP2, 1 kg tin",
            "KGM",
            1,
            9.8,
        ),
        (
            "SF-EP2-5",
            "Mehrzweckfett EP2 5 kg",
            "Multipurpose grease EP2, 5 kg pail",
            "KGM",
            5,
            7.9,
        ),
        (
            "OEL-HLP46-20",
            "Hydrauliköl HLP 46 20 l",
            "Hydraulic oil HLP 46, 20 l",
            "LTR",
            20,
            3.4,
        ),
        (
            "OEL-HLP46-208",
            "Hydrauliköl HLP 46 208 l",
            "Hydraulic oil HLP 46, 208 l drum",
            "LTR",
            208,
            2.7,
        ),
        (
            "REIN-1",
            "Bremsenreiniger 500 ml",
            "Brake cleaner 500 ml spray",
            "C62",
            12,
            3.2,
        ),
        (
            "KLEB-243",
            "Schraubensicherung mittelfest 50 ml",
            "Threadlocker medium strength 50 ml",
            "C62",
            1,
            18.5,
        ),
    ] {
        out.push(ProductSpec {
            sku: code.into(),
            name: name.into(),
            description: Some(en.into()),
            unit,
            pack,
            min: pack,
            price,
            group: "Chemie".into(),
            attributes: vec![],
        });
    }
    out
}

fn adventureworks_products() -> Vec<ProductSpec> {
    let subcategories: std::collections::HashMap<&str, &str> = AW_SUBCATEGORIES
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((*f.first()?, *f.get(2)?))
        })
        .collect();
    AW_PRODUCTS
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let (name, number, color, cost, list, size) =
                (f.get(1)?, f.get(2)?, f.get(5)?, f.get(8)?, f.get(9)?, f.get(10)?);
            let cost: f64 = cost.parse().ok()?;
            let list: f64 = list.parse().ok()?;
            let price = if list > 0.0 { list } else { (cost.max(0.5)) * 1.6 };
            let group = subcategories
                .get(f.get(18).copied().unwrap_or(""))
                .copied()
                .unwrap_or("Components");
            let mut attributes = vec![("source".into(), "adventureworks".into())];
            if !color.is_empty() {
                attributes.push(("color".into(), color.to_string()));
            }
            if !size.is_empty() {
                attributes.push(("size".into(), size.to_string()));
            }
            let discontinued = f.get(21).is_some_and(|d| !d.is_empty());
            Some(ProductSpec {
                sku: format!("AW-{number}"),
                name: name.to_string(),
                description: Some(format!("{name}{}", if discontinued { " (discontinued)" } else { "" })),
                unit: "C62",
                pack: 1,
                min: 1,
                price,
                group: group.to_owned(),
                attributes,
            })
        })
        .collect()
}

struct CustomerSeed {
    name: String,
    street: String,
    zip: String,
    city: String,
    country: &'static str,
}

const DE_NAMES: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Maier",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Vogel",
];
const DE_KINDS: &[&str] = &[
    "Maschinenbau GmbH",
    "Metallbau GmbH & Co. KG",
    "Anlagentechnik AG",
    "Fahrzeugtechnik GmbH",
    "Industriebedarf KG",
    "Stahlbau GmbH",
    "Fördertechnik GmbH",
    "Elektrotechnik GmbH",
    "Werkzeugbau GmbH",
    "Montagetechnik e.K.",
];
const DE_CITIES: &[(&str, &str, &str)] = &[
    ("Stuttgart", "70173", "DE"),
    ("München", "80331", "DE"),
    ("Nürnberg", "90402", "DE"),
    ("Köln", "50667", "DE"),
    ("Hamburg", "20095", "DE"),
    ("Hannover", "30159", "DE"),
    ("Dortmund", "44135", "DE"),
    ("Leipzig", "04109", "DE"),
    ("Bielefeld", "33602", "DE"),
    ("Ulm", "89073", "DE"),
    ("Wien", "1010", "AT"),
    ("Linz", "4020", "AT"),
    ("Graz", "8010", "AT"),
    ("Zürich", "8001", "CH"),
    ("Basel", "4051", "CH"),
];
const DE_STREETS: &[&str] = &[
    "Industriestraße",
    "Gewerbering",
    "Hauptstraße",
    "Bahnhofstraße",
    "Am Werk",
    "Siemensstraße",
    "Daimlerstraße",
    "Robert-Bosch-Straße",
];
const EN_NAMES: &[&str] = &[
    "Smith", "Johnson", "Taylor", "Brown", "Walker", "Wright", "Robinson", "Thompson", "Hughes", "Edwards", "Clarke",
    "Turner", "Hill", "Cooper", "Ward", "Morgan", "Harris", "Baker", "Carter", "Murphy",
];
const EN_KINDS: &[&str] = &[
    "Engineering Ltd",
    "Precision Components Ltd",
    "Manufacturing Inc.",
    "Fabrication Ltd",
    "Industrial Supplies Ltd",
    "Machine Works Inc.",
];
const EN_CITIES: &[(&str, &str, &str)] = &[
    ("Birmingham", "B1 1AA", "GB"),
    ("Manchester", "M1 1AE", "GB"),
    ("Sheffield", "S1 2HH", "GB"),
    ("Leeds", "LS1 4AP", "GB"),
    ("Dublin", "D02 X285", "IE"),
    ("Cleveland", "44113", "US"),
    ("Detroit", "48226", "US"),
    ("Chicago", "60601", "US"),
];
const EN_STREETS: &[&str] = &[
    "Industrial Estate",
    "Mill Lane",
    "Station Road",
    "High Street",
    "Commerce Drive",
    "Factory Road",
];

fn country_language(country: &str) -> (&'static str, &'static str) {
    match country {
        "DE" | "AT" => ("de", "EUR"),
        "CH" => ("de", "CHF"),
        "GB" => ("en", "GBP"),
        "US" => ("en", "USD"),
        _ => ("en", "EUR"),
    }
}

fn northwind_country(name: &str) -> &'static str {
    match name {
        "Germany" => "DE",
        "Austria" => "AT",
        "Switzerland" => "CH",
        "UK" => "GB",
        "USA" => "US",
        "Ireland" => "IE",
        "France" => "FR",
        "Belgium" => "BE",
        "Spain" => "ES",
        "Sweden" => "SE",
        "Italy" => "IT",
        "Denmark" => "DK",
        "Finland" => "FI",
        "Norway" => "NO",
        "Poland" => "PL",
        "Portugal" => "PT",
        "Mexico" => "MX",
        "Brazil" => "BR",
        "Argentina" => "AR",
        "Canada" => "CA",
        "Venezuela" => "VE",
        _ => "DE",
    }
}

fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'ä' => s.push_str("ae"),
            'ö' => s.push_str("oe"),
            'ü' => s.push_str("ue"),
            'ß' => s.push_str("ss"),
            c if c.is_ascii_alphanumeric() => s.push(c),
            ' ' | '-' | '&' if !s.ends_with('-') && !s.is_empty() => s.push('-'),
            _ => {}
        }
        if s.len() >= 24 {
            break;
        }
    }
    s.trim_end_matches('-').to_owned()
}

fn customer_seeds(rng: &mut fastrand::Rng) -> Vec<CustomerSeed> {
    let mut seeds = Vec::new();
    let mut rows = csv::Reader::from_reader(NW_CUSTOMERS.as_bytes());
    for row in rows.records().flatten() {
        seeds.push(CustomerSeed {
            name: row[1].to_owned(),
            street: row[4].to_owned(),
            zip: row[7].to_owned(),
            city: row[5].to_owned(),
            country: northwind_country(&row[8]),
        });
    }
    for i in 0..320 {
        let german = i % 5 < 3;
        let (names, kinds, cities, streets) = if german {
            (DE_NAMES, DE_KINDS, DE_CITIES, DE_STREETS)
        } else {
            (EN_NAMES, EN_KINDS, EN_CITIES, EN_STREETS)
        };
        let (city, zip, country) = cities[rng.usize(..cities.len())];
        seeds.push(CustomerSeed {
            name: format!(
                "{} {}",
                names[rng.usize(..names.len())],
                kinds[rng.usize(..kinds.len())]
            ),
            street: format!("{} {}", streets[rng.usize(..streets.len())], rng.u32(1..180)),
            zip: zip.into(),
            city: city.into(),
            country,
        });
    }
    seeds
}

/// Builds the whole demo company for `seed`; dates are relative to `today`.
pub fn build(seed: u64, today: Date) -> DemoCompany {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut specs = fasteners();
    specs.extend(tools_and_supplies());
    specs.extend(adventureworks_products());

    let eur = CurrencyCode::EUR;
    let mut products = Vec::with_capacity(specs.len());
    let mut prices = Vec::new();
    let mut stock = Vec::new();
    let list = |id: &str| PriceListId::parse(id).expect("demo price list");
    let lists = [
        ("STD-EUR", "EUR", 1.0),
        ("DEALER-EUR", "EUR", 0.85),
        ("STD-CHF", "CHF", 0.96),
        ("STD-GBP", "GBP", 0.86),
        ("STD-USD", "USD", 1.08),
    ];
    for (i, spec) in specs.iter().enumerate() {
        let price = dec(spec.price, if spec.price < 1.0 { 4 } else { 2 });
        let product = Product {
            sku: sku(&spec.sku),
            name: spec.name.clone(),
            description: spec.description.clone(),
            gtin: (i % 7 != 3).then(|| ean13(400_123_400_000 + i as u64)).flatten(),
            base_unit: unit(spec.unit),
            pack_size: Decimal::from(spec.pack),
            min_order_qty: Decimal::from(spec.min),
            list_price: Some(price),
            currency: Some(eur),
            cost: Some(dec(spec.price * (0.55 + rng.f64() * 0.15), 4)),
            lead_time_days: Some(rng.u32(3..30)),
            product_group: Some(spec.group.clone()),
            active: rng.u32(0..100) >= 2,
            attributes: spec.attributes.clone(),
        };
        for (id, currency, factor) in lists {
            let breaks: &[(u32, f64)] = if id.ends_with("-EUR") {
                &[(1, 1.0), (10, 0.95), (50, 0.9)]
            } else {
                &[(1, 1.0)]
            };
            for (multiple, discount) in breaks {
                let unit_price = spec.price * factor * discount;
                prices.push(Record::Price(PriceEntry {
                    price_list: list(id),
                    sku: product.sku.clone(),
                    min_qty: Decimal::from(spec.pack * multiple)
                        .max(Decimal::from(spec.min))
                        .normalize(),
                    customer_no: None,
                    valid_from: None,
                    valid_to: None,
                    unit_price: dec(unit_price, if unit_price < 1.0 { 4 } else { 2 }),
                    currency: CurrencyCode::parse(currency).ok(),
                }));
            }
        }
        let main_on_hand = Decimal::from(spec.pack * rng.u32(0..60));
        stock.push(Record::Stock(StockLevel {
            sku: product.sku.clone(),
            warehouse: WarehouseId::parse("MAIN").expect("warehouse"),
            on_hand: main_on_hand,
            reserved: (main_on_hand * dec(rng.f64() * 0.3, 2)).round(),
            next_receipt_date: (rng.u32(0..10) < 3).then(|| today + jiff::Span::new().days(rng.i64(3..40))),
            next_receipt_qty: None,
        }));
        if rng.bool() {
            stock.push(Record::Stock(StockLevel {
                sku: product.sku.clone(),
                warehouse: WarehouseId::parse("SOUTH").expect("warehouse"),
                on_hand: Decimal::from(spec.pack * rng.u32(0..20)),
                reserved: Decimal::ZERO,
                next_receipt_date: None,
                next_receipt_qty: None,
            }));
        }
        products.push(product);
    }
    for s in &mut stock {
        if let Record::Stock(level) = s
            && level.next_receipt_date.is_some()
        {
            level.next_receipt_qty = Some(level.on_hand.max(Decimal::from(100)));
        }
    }

    let mut customers = Vec::new();
    let mut addresses = Vec::new();
    let mut customer_items = Vec::new();
    let active: Vec<&Product> = products.iter().filter(|p| p.active).collect();
    for (i, seed) in customer_seeds(&mut rng).into_iter().enumerate() {
        let customer_no = CustomerNo::parse(&format!("{}", 10001 + i)).expect("customer number");
        let (language, currency) = country_language(seed.country);
        let tld = match seed.country {
            "GB" => "co.uk".to_owned(),
            "US" => "com".to_owned(),
            c => c.to_lowercase(),
        };
        let domain = format!("{}.{tld}", slug(&seed.name));
        let dealer = rng.u32(0..10) < 2 && currency == "EUR";
        let price_list = if dealer {
            "DEALER-EUR".to_owned()
        } else {
            format!("STD-{currency}")
        };
        let credit_limit = Decimal::from(rng.u32(5..200) * 1000);
        let open_balance = (credit_limit * dec(rng.f64() * if i % 17 == 0 { 1.0 } else { 0.6 }, 2)).round_dp(2);
        customers.push(Record::Customer(Customer {
            customer_no: customer_no.clone(),
            name: seed.name.clone(),
            vat_id: matches!(seed.country, "DE" | "AT").then(|| {
                format!(
                    "{}{}",
                    if seed.country == "DE" { "DE" } else { "ATU" },
                    100_000_000 + rng.u32(0..899_999_999)
                )
            }),
            email_domains: vec![domain.clone()],
            emails: vec![format!(
                "{}@{domain}",
                if language == "de" { "einkauf" } else { "purchasing" }
            )],
            language: Some(language.into()),
            currency: CurrencyCode::parse(currency).ok(),
            price_list: PriceListId::parse(&price_list).ok(),
            credit_limit: Some(credit_limit),
            open_balance: Some(open_balance),
            payment_terms: Some(if language == "de" { "30 Tage netto" } else { "Net 30" }.into()),
            territory: Some(format!("{}-{}", seed.country, ["N", "S", "W", "O"][i % 4])),
            sales_rep: Some(format!("SR{:02}", 1 + i % 12)),
            billing_address: PostalAddress {
                street: Some(seed.street.clone()),
                zip: Some(seed.zip.clone()),
                city: Some(seed.city.clone()),
                country: CountryCode::parse(seed.country).ok(),
            },
        }));
        let ship_tos = 1 + rng.usize(0..3);
        for n in 1..=ship_tos {
            addresses.push(Record::Address(ShipToAddress {
                customer_no: customer_no.clone(),
                address_id: AddressId::parse(&format!("{customer_no}-{n}")).expect("address id"),
                name: Some(if n == 1 {
                    seed.name.clone()
                } else {
                    format!(
                        "{} – {} {}",
                        seed.name,
                        if language == "de" { "Werk" } else { "Plant" },
                        n
                    )
                }),
                street: Some(if n == 1 {
                    seed.street.clone()
                } else {
                    format!(
                        "{} {}",
                        if language == "de" { "Werkstraße" } else { "Works Road" },
                        rng.u32(1..90)
                    )
                }),
                zip: Some(seed.zip.clone()),
                city: Some(seed.city.clone()),
                region: None,
                country: CountryCode::parse(seed.country).ok(),
                is_default: n == 1,
            }));
        }
        if i % 5 < 2 {
            for _ in 0..8 {
                let p = active[rng.usize(..active.len())];
                let base = p.list_price.unwrap_or(Decimal::ONE);
                prices.push(Record::Price(PriceEntry {
                    price_list: list(&price_list),
                    sku: p.sku.clone(),
                    min_qty: p.min_order_qty.normalize(),
                    customer_no: Some(customer_no.clone()),
                    valid_from: Some(today - jiff::Span::new().days(rng.i64(10..300))),
                    valid_to: (rng.u32(0..4) == 0).then(|| today + jiff::Span::new().days(rng.i64(30..365))),
                    unit_price: (base * dec(0.75 + rng.f64() * 0.15, 3)).round_dp(4),
                    currency: CurrencyCode::parse(currency).ok(),
                }));
            }
        }
        if i % 5 < 2 {
            let style = i % 3;
            for n in 0..15 {
                let p = active[rng.usize(..active.len())];
                let part_no = match style {
                    0 => format!("{}-{:04}", 10 + i % 80, 1000 + n * 7),
                    1 => format!("A{:06}", 100_000 + rng.u32(0..899_999)),
                    _ => format!("KD-{}", p.sku.as_str().replace('-', "")),
                };
                let boxed = p.pack_size > Decimal::ONE && rng.u32(0..10) < 3;
                customer_items.push(Record::CustomerItem(CustomerItem {
                    customer_no: customer_no.clone(),
                    customer_part_no: CustomerPartNo::parse(&part_no).expect("part number"),
                    sku: Some(p.sku.clone()),
                    customer_uom: Some(if boxed { unit("BX") } else { p.base_unit }),
                    factor: Some(if boxed { p.pack_size } else { Decimal::ONE }),
                }));
            }
        }
    }
    dedup_by_key(&mut prices);
    dedup_by_key(&mut customer_items);
    DemoCompany {
        products: products.into_iter().map(Record::Product).collect(),
        customers,
        addresses,
        prices,
        customer_items,
        stock,
    }
}

/// Random picks may repeat a key; the import would rightly refuse that.
fn dedup_by_key(records: &mut Vec<Record>) {
    let mut seen = std::collections::HashSet::new();
    records.retain(|r| seen.insert(r.key()));
}

/// Loads the demo company into an empty store; leaves a store with products alone.
/// Returns what was imported per entity, or `None` when the store already had data.
pub async fn load(store: &Store, seed: u64, today: Date) -> Result<Option<Vec<(Entity, ImportSummary)>>, ImportError> {
    let has_data = store
        .count(MasterTable::Products)
        .await
        .map_err(|source| ImportError::Store {
            path: "demo".into(),
            source,
        })?
        > 0;
    if has_data {
        return Ok(None);
    }
    let company = build(seed, today);
    let mut summaries = Vec::new();
    for (entity, records) in [
        (Entity::Products, company.products),
        (Entity::Customers, company.customers),
        (Entity::Addresses, company.addresses),
        (Entity::Prices, company.prices),
        (Entity::CustomerItems, company.customer_items),
        (Entity::Stock, company.stock),
    ] {
        let summary = import_records(store, entity, "demo", records, Actor::System("demo".into())).await?;
        summaries.push((entity, summary));
    }
    Ok(Some(summaries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_builds_the_same_company() {
        let today = jiff::civil::date(2026, 11, 22);
        let a = build(7, today);
        let b = build(7, today);
        assert_eq!(a.products, b.products);
        assert_eq!(a.prices, b.prices);
        assert_ne!(build(8, today).customers, a.customers);
    }

    #[test]
    fn the_company_is_big_and_varied() {
        let c = build(DEFAULT_SEED, jiff::civil::date(2026, 11, 22));
        assert!(c.products.len() >= 3000, "{} products", c.products.len());
        assert!(c.customers.len() >= 300, "{} customers", c.customers.len());
        assert!(c.addresses.len() > c.customers.len());
        assert!(c.customer_items.len() > 1000);
        let languages: std::collections::HashSet<_> = c
            .customers
            .iter()
            .filter_map(|r| match r {
                Record::Customer(c) => c.language.clone(),
                _ => None,
            })
            .collect();
        assert!(languages.contains("de") && languages.contains("en"));
        let customer_prices = c
            .prices
            .iter()
            .filter(|r| matches!(r, Record::Price(p) if p.customer_no.is_some()))
            .count();
        assert!(customer_prices > 500, "{customer_prices} customer prices");
    }
}

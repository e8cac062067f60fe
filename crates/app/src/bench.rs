//! Benchmark inputs: large, realistic master data files made on the fly.

use std::io::Write;
use std::path::Path;

/// Writes a products CSV with `rows` products in the import format, all columns filled.
pub fn write_products_csv(path: &Path, rows: u64, seed: u64) -> std::io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "sku,name,description,gtin,uom,pack_size,min_order_qty,list_price,currency,cost,lead_time_days,product_group,active,attributes"
    )?;
    let threads = ["M3", "M4", "M5", "M6", "M8", "M10", "M12", "M16", "M20"];
    let materials = ["A2", "A4", "8.8 verzinkt", "10.9"];
    for i in 0..rows {
        let thread = threads[rng.usize(..threads.len())];
        let material = materials[rng.usize(..materials.len())];
        let length = 5 * rng.u32(2..60);
        let price = rng.u32(1..100_000);
        writeln!(
            out,
            "BM-{i:08},Sechskantschraube {thread}x{length} {material},\"Hexagon head screw {thread}x{length} mm, {material}, DIN 933\",,C62,{pack},{pack},{}.{:04},EUR,{}.{:04},{},Schrauben,{},thread={thread};length_mm={length};material={material}",
            price / 10_000,
            price % 10_000,
            price / 20_000,
            price % 10_000,
            rng.u32(1..40),
            if rng.u32(0..100) < 2 { "false" } else { "true" },
            pack = [1, 10, 50, 100][rng.usize(..4)],
        )?;
    }
    out.flush()
}

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

/// Writes `count` order mails (German and English, some with a CSV attachment) as .eml files into `dir`.
pub fn write_order_mails(dir: &Path, count: usize, seed: u64) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut bytes = 0;
    for i in 0..count {
        let german = rng.bool();
        let lines: String = (1..=rng.usize(1..15))
            .map(|n| {
                format!(
                    "{n};DIN933-M{}x{}-A2;{}\r\n",
                    [6, 8, 10, 12][rng.usize(..4)],
                    10 * rng.u32(1..10),
                    100 * rng.u32(1..20)
                )
            })
            .collect();
        let (subject, body) = if german {
            (
                format!("Bestellung {}", 4_500_000_000u64 + i as u64),
                "Sehr geehrte Damen und Herren,\r\nbitte liefern Sie die Positionen im Anhang.\r\nMit freundlichen Gr=C3=BC=C3=9Fen",
            )
        } else {
            (
                format!("Purchase order {}", 7_000 + i),
                "Dear Sir or Madam,\r\nplease supply the items attached.\r\nKind regards",
            )
        };
        let eml = format!(
            "From: buyer{}@customer{}.example\r\nTo: orders@orderdesk.example\r\nSubject: {subject}\r\nMessage-ID: <bench-{seed}-{i}@customer.example>\r\n\
Date: Fri, 20 Nov 2026 09:30:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{body}\r\n\
--b\r\nContent-Type: text/csv; name=po.csv\r\nContent-Disposition: attachment; filename=po.csv\r\n\r\nPos;Artikel;Menge\r\n{lines}--b--\r\n",
            i % 50,
            i % 50
        );
        bytes += eml.len() as u64;
        std::fs::write(dir.join(format!("{i:05}.eml")), eml)?;
    }
    Ok(bytes)
}

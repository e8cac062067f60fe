//! The saved catalog beside the database: opened while the master data is
//! unchanged, rebuilt when it changes or when its files are damaged, and
//! always giving what the database holds.

use app::draft::load_catalog;
use app::draft::snapshot::SnapshotDir;
use rust_decimal::Decimal;

use crate::drafting::master;

/// The snapshot folders of the store's data folder.
fn folders(store: &store::Store) -> Vec<String> {
    let root = SnapshotDir::of(store).root().to_owned();
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn price(catalog: &matching::Catalog, sku: &str) -> Vec<Decimal> {
    catalog.prices_of(sku).iter().map(|p| p.unit_price).collect()
}

async fn import_prices(store: &store::Store, csv: &str) {
    crate::import(store, masterdata::Entity::Prices, csv).await;
}

#[tokio::test]
async fn the_saved_catalog_is_opened_while_current_and_rebuilt_when_master_data_changes() {
    for t in tooling::testing::fresh_stores().await {
        let s = &t.store;
        master(s).await;
        let before = s.master_generation().await.unwrap();

        let built = load_catalog(s).await.unwrap();
        let saved = folders(s);
        assert_eq!(
            saved.len(),
            1,
            "{:?}: one snapshot after the first load: {saved:?}",
            t.backend
        );
        assert!(saved[0].starts_with(&format!("{}-{}-", before.database_id, before.generation)));

        // Opened from the snapshot: the same products, prices and search results.
        let opened = load_catalog(s).await.unwrap();
        assert_eq!(folders(s), saved, "no rebuild while nothing changed");
        assert_eq!(opened.products(), built.products());
        assert_eq!(price(&opened, "A-100"), vec![Decimal::new(12, 2)]);
        assert_eq!(price(&opened, "B-200"), vec![Decimal::new(30, 2)]);
        assert!(price(&opened, "NOPE").is_empty());
        let hit = opened.resolve_line(
            Some("10042"),
            &matching::LineCues {
                description: Some("Zylinderschraube M6x20 A4"),
                ..Default::default()
            },
        );
        assert_eq!(hit.product.map(|i| opened.products()[i].sku.as_str()), Some("B-200"));

        // An import that changes a price raises the generation; the next load
        // sees the new price and the old snapshot is gone.
        import_prices(
            s,
            "price_list,sku,min_qty,customer_no,valid_from,unit_price,currency\nSTD,A-100,1,,,0.15,EUR\n",
        )
        .await;
        let after = s.master_generation().await.unwrap();
        assert!(after.generation > before.generation, "{:?}", t.backend);
        let reloaded = load_catalog(s).await.unwrap();
        assert_eq!(price(&reloaded, "A-100"), vec![Decimal::new(15, 2)]);
        let saved = folders(s);
        assert_eq!(saved.len(), 1, "{saved:?}");
        assert!(saved[0].starts_with(&format!("{}-{}-", after.database_id, after.generation)));

        // Importing the same values again changes nothing, not even the generation.
        import_prices(
            s,
            "price_list,sku,min_qty,customer_no,valid_from,unit_price,currency\nSTD,A-100,1,,,0.15,EUR\n",
        )
        .await;
        assert_eq!(s.master_generation().await.unwrap(), after);
    }
}

#[tokio::test]
async fn a_damaged_saved_catalog_is_rebuilt_not_trusted() {
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    load_catalog(s).await.unwrap();
    let root = SnapshotDir::of(s).root().to_owned();
    let folder = root.join(&folders(s)[0]);

    // A price row changed on disk (same length, so only the checksum tells).
    let prices = folder.join("prices.bin");
    let mut bytes = std::fs::read(&prices).unwrap();
    let at = bytes
        .windows(4)
        .position(|w| w == b"0.12")
        .expect("the price is in the file");
    bytes[at + 3] = b'9';
    std::fs::write(&prices, &bytes).unwrap();
    let catalog = load_catalog(s).await.unwrap();
    assert_eq!(price(&catalog, "A-100"), vec![Decimal::new(12, 2)]);
    assert_ne!(std::fs::read(&prices).unwrap(), bytes, "the damaged file was replaced");

    // A truncated table and a missing index are rebuilt as well.
    let master_bin = folder.join("master.bin");
    let len = std::fs::metadata(&master_bin).unwrap().len();
    std::fs::write(&master_bin, &std::fs::read(&master_bin).unwrap()[..(len / 2) as usize]).unwrap();
    assert_eq!(load_catalog(s).await.unwrap().products().len(), 2);
    std::fs::remove_dir_all(folder.join("index")).unwrap();
    let catalog = load_catalog(s).await.unwrap();
    assert_eq!(catalog.products().len(), 2);
    assert_eq!(price(&catalog, "B-200"), vec![Decimal::new(30, 2)]);
}

#[tokio::test]
async fn a_data_folder_that_cannot_be_written_costs_only_time() {
    let t = tooling::testing::fresh_sqlite().await;
    let s = &t.store;
    master(s).await;
    let root = SnapshotDir::of(s).root().to_owned();
    // A file where the snapshot folder should be: nothing can be saved.
    std::fs::write(&root, b"not a folder").unwrap();
    let catalog = load_catalog(s).await.unwrap();
    assert_eq!(catalog.products().len(), 2);
    assert_eq!(price(&catalog, "A-100"), vec![Decimal::new(12, 2)]);
}

//! The demo company loads through the import path, once.

use masterdata::Entity;
use store::master::MasterTable;

#[tokio::test]
async fn demo_loads_once_on_an_empty_store() {
    let t = tooling::testing::fresh_sqlite().await;
    let today = jiff::civil::date(2026, 11, 22);
    let summaries = tooling::demo::load(&t.store, tooling::demo::DEFAULT_SEED, today)
        .await
        .unwrap()
        .expect("created");
    let products = summaries.iter().find(|(e, _)| *e == Entity::Products).unwrap().1;
    assert_eq!(
        products.created as i64,
        t.store.count(MasterTable::Products).await.unwrap()
    );
    assert!(t.store.count(MasterTable::Customers).await.unwrap() >= 300);
    let search = t
        .store
        .search_products("sechskantschraube din 933 m8x40", None, 10)
        .await
        .unwrap();
    assert_eq!(search.len(), 4, "four materials of M8x40: {search:?}");
    assert!(
        tooling::demo::load(&t.store, tooling::demo::DEFAULT_SEED, today)
            .await
            .unwrap()
            .is_none()
    );
}

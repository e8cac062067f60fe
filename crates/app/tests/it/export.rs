//! Export writes the import format, byte-stable, and re-imports as unchanged.

use app::config::ImportSettings;
use app::import::ImportSummary;
use domain::event::Actor;
use masterdata::Entity;
use tooling::testing::fresh_stores;

#[tokio::test]
async fn export_is_stable_and_round_trips_through_import() {
    for t in fresh_stores().await {
        let company = tooling::demo::build(3, jiff::civil::date(2026, 11, 22));
        let small: Vec<_> = company.products.into_iter().take(300).collect();
        let skus: std::collections::HashSet<String> = small.iter().map(|r| r.key()).collect();
        app::import::import_records(&t.store, Entity::Products, "test", small, Actor::System("test".into()))
            .await
            .unwrap();
        let prices: Vec<_> = company
            .prices
            .into_iter()
            .filter(|r| matches!(r, masterdata::Record::Price(p) if p.customer_no.is_none() && skus.contains(p.sku.as_str())))
            .collect();
        app::import::import_records(&t.store, Entity::Prices, "test", prices, Actor::System("test".into()))
            .await
            .unwrap();

        for entity in [Entity::Products, Entity::Prices] {
            let mut first = Vec::new();
            let mut second = Vec::new();
            let n = app::export::export(&t.store, entity, &mut first).await.unwrap();
            app::export::export(&t.store, entity, &mut second).await.unwrap();
            assert!(n > 0);
            assert_eq!(
                first, second,
                "two exports of unchanged data are byte-identical ({:?})",
                t.backend
            );
            let text = String::from_utf8(first.clone()).unwrap();
            let header = text.lines().next().unwrap();
            let expected: Vec<&str> = entity.columns().iter().map(|c| c.name).collect();
            assert_eq!(header, expected.join(","));

            let dir = tempfile::tempdir().unwrap();
            let path = crate::write(dir.path(), "export.csv", &first);
            let summary = app::import::import_file(
                &t.store,
                entity,
                &path,
                &ImportSettings {
                    max_file_bytes: 1 << 30,
                },
                None,
                Actor::System("test".into()),
            )
            .await
            .unwrap();
            assert_eq!(
                summary,
                ImportSummary {
                    rows: n,
                    created: 0,
                    updated: 0,
                    unchanged: n
                },
                "{entity:?} on {:?}",
                t.backend
            );
        }
    }
}

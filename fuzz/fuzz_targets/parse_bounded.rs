//! What the worker's reading process runs: parsing with the part hook never
//! panics, and no Document it returns exceeds the readers' limits.
#![no_main]
use document::limits::{MAX_CELLS, MAX_COLUMNS, MAX_DOCUMENTS, MAX_KEY_VALUES, MAX_ROWS, MAX_TEXT_BLOCKS};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Leave out part "1" as the worker does after a crash in it.
    let hook: document::PartHook = Box::new(|part, _| (part == "1").then(|| "left out".to_owned()));
    let docs = document::parse_file_with_hook(data, None, hook);
    assert!(docs.len() <= MAX_DOCUMENTS);
    for d in &docs {
        assert!(d.text_blocks.len() <= MAX_TEXT_BLOCKS);
        assert!(d.key_values.len() <= MAX_KEY_VALUES);
        let rows: usize = d.tables.iter().map(|t| t.rows.len()).sum();
        assert!(rows <= MAX_ROWS);
        let cells: usize = d.tables.iter().flat_map(|t| &t.rows).map(|r| r.cells.len()).sum();
        assert!(cells <= MAX_CELLS);
        assert!(d.tables.iter().flat_map(|t| &t.rows).all(|r| r.cells.len() <= MAX_COLUMNS));
    }
});

//! Master data CSV: header checks and row parsing never panic, for every entity.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for entity in masterdata::Entity::ALL {
        if let Ok(reader) = masterdata::SheetReader::csv(entity, std::io::Cursor::new(data.to_vec())) {
            let header = reader.header().clone();
            for row in reader.take(1000) {
                if let Ok(raw) = row {
                    let _ = masterdata::parse_row(&header, &raw);
                }
            }
        }
    }
});

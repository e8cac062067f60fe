//! X12 tokenising and mapping never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (segments, _) = document::edi::x12::tokenize(text);
        let _ = document::edi::x12::to_documents(&segments, "", None);
    }
});

//! EDIFACT tokenising and mapping never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (segments, sep) = document::edi::edifact::tokenize(text);
        let _ = document::edi::edifact::to_documents(&segments, sep, "", None);
    }
});

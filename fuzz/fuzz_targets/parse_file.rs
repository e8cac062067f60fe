//! Any bytes, any detected format: parsing never panics.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = document::parse_file(data, None);
});

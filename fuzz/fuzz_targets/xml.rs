//! UBL, openTRANS and other XML never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = document::xml::parse(data, "", None);
});

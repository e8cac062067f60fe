//! MIME mails (with their attachments, parsed recursively) never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = document::parse_file(data, Some("message.eml"));
    let _ = document::mail_headers(data);
});

//! Extension blocks in every message context: arbitrary bytes never
//! panic, and what decodes re-encodes to bytes that decode the same.
#![no_main]

use ferrotls::codec::{Reader, Writer};
use ferrotls::msgs::extensions::{ExtensionContext, Extensions};
use libfuzzer_sys::fuzz_target;

const CONTEXTS: [ExtensionContext; 7] = [
    ExtensionContext::ClientHello,
    ExtensionContext::ServerHello,
    ExtensionContext::HelloRetryRequest,
    ExtensionContext::EncryptedExtensions,
    ExtensionContext::CertificateRequest,
    ExtensionContext::Certificate,
    ExtensionContext::NewSessionTicket,
];

fuzz_target!(|data: &[u8]| {
    for ctx in CONTEXTS {
        let mut r = Reader::new(data);
        let Ok(exts) = Extensions::read(&mut r, ctx) else {
            continue;
        };
        let mut out = Vec::new();
        exts.encode(&mut Writer::new(&mut out));
        let again = Extensions::read(&mut Reader::new(&out), ctx).expect("re-encoded block decodes");
        assert_eq!(again, exts);
    }
});

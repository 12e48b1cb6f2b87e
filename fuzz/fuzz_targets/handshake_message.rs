//! Every handshake message decoder, in every decode context: arbitrary
//! bytes never panic, and what decodes re-encodes to bytes that decode to
//! the same message.
#![no_main]

use ferrotls::msgs::handshake::{DecodeContext, HandshakeMessage};
use ferrotls::msgs::key_exchange::KeyExchangeKind;
use libfuzzer_sys::fuzz_target;

const CONTEXTS: [DecodeContext; 6] = [
    DecodeContext::Hello,
    DecodeContext::Tls13 { hash_len: 32 },
    DecodeContext::Tls13 { hash_len: 48 },
    DecodeContext::Tls12 { kx: KeyExchangeKind::Ecdhe },
    DecodeContext::Tls12 { kx: KeyExchangeKind::Dhe },
    DecodeContext::Tls12 { kx: KeyExchangeKind::Rsa },
];

fuzz_target!(|data: &[u8]| {
    for ctx in CONTEXTS {
        if let Ok(msg) = HandshakeMessage::from_bytes(data, ctx) {
            let again = HandshakeMessage::from_bytes(&msg.payload().to_bytes(), ctx)
                .expect("a re-encoded message decodes");
            assert_eq!(again.payload(), msg.payload());
        }
    }
});

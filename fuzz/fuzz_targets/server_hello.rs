//! ServerHello bodies (without the handshake header): arbitrary bytes never
//! panic, and what decodes round-trips.
#![no_main]

use ferrotls::codec::Codec;
use ferrotls::msgs::server_hello::ServerHello;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = ServerHello::from_bytes(data) {
        let again = ServerHello::from_bytes(&msg.to_bytes()).expect("a re-encoded message decodes");
        assert_eq!(again, msg);
    }
});

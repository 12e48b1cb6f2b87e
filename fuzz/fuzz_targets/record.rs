//! Record splitting: the receive buffer and the record decoder agree on
//! arbitrary streams and never panic.
#![no_main]

use ferrotls::msgs::record::records;
use ferrotls::record::deframer::{RecvBuffer, MAX_CIPHERTEXT_TLS12};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for rec in records(data) {
        let Ok(rec) = rec else { break };
        let _ = rec.to_bytes();
    }
    // Feed in two pieces, split where the first byte says.
    let cut = usize::from(data.first().copied().unwrap_or(0)).min(data.len());
    let mut buf = RecvBuffer::new();
    buf.extend(&data[..cut]);
    buf.extend(&data[cut..]);
    while let Ok(Some(span)) = buf.next_record(MAX_CIPHERTEXT_TLS12) {
        assert!(span.payload.end <= span.record.end);
        buf.consume_to(span.record.end);
    }
});

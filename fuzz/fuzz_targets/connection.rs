//! A ferrotls client or server connection fed arbitrary bytes as its
//! peer's, in every deterministic scenario of `ferrotls_test::replay` (the
//! seed corpus holds the recorded bytes, so mutations reach every state):
//! it never panics, and after an error it carries no data.
//!
//! The first byte selects: bits 0-2 the scenario, bit 3 the side (set:
//! server), bits 6-7 how the bytes are fed (at once, 1, 5 or 300 at a time).
#![no_main]

use ferrotls_test::replay::{replay, Scenario, Side};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let scenario = Scenario::ALL[usize::from(selector & 0x07)];
    let side = if selector & 0x08 == 0 {
        Side::Client
    } else {
        Side::Server
    };
    let chunk = [0, 1, 5, 300][usize::from(selector >> 6)];
    let outcome = replay(scenario, side, input, chunk);
    assert!(
        !outcome.wrote_after_error,
        "data accepted after {:?}",
        outcome.error
    );
});

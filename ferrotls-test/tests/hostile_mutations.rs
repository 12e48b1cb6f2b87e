//! Recorded ferrotls handshakes (every scenario of `ferrotls_test::replay`,
//! TLS 1.3 and TLS 1.2, full and resumed), replayed into fresh connections
//! after seeded random mutations: bit flips, overwritten bytes, deleted,
//! duplicated and inserted runs, truncation, records dropped, repeated or
//! swapped. The replay is deterministic, so unmutated bytes go through to
//! application data and a mutation reaches whatever state its record is
//! read in. Every mutated run must end in one of three ways: the handshake
//! completes (the mutation was harmless), the connection waits for more
//! bytes, or it fails with an error whose alert was sent and after which
//! it refuses to carry data. None may panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use ferrotls::error::Error;
use ferrotls::msgs::enums::AlertDescription;
use ferrotls_test::replay::{
    record, replay, Outcome, Scenario, Side, Transcript, CLIENT_DATA, SERVER_DATA,
};

/// The input of `side` in a transcript, and what it must read from it.
fn input(t: &Transcript, side: Side) -> (&[u8], &[u8]) {
    match side {
        Side::Client => (&t.to_client, SERVER_DATA),
        Side::Server => (&t.to_server, CLIENT_DATA),
    }
}

#[test]
fn recordings_are_deterministic_and_replay_to_the_end() {
    for scenario in Scenario::ALL {
        let t = record(scenario);
        if scenario.recording_is_fixed() {
            assert_eq!(record(scenario), t, "{scenario:?}: two recordings differ");
        }
        for side in [Side::Client, Side::Server] {
            if !scenario.replays(side) {
                continue;
            }
            let (bytes, data) = input(&t, side);
            // Whole, in odd pieces, and byte by byte.
            for chunk in [0, 7, 1] {
                let o = replay(scenario, side, bytes, chunk);
                let what = format!("{scenario:?} {side:?} chunk {chunk}");
                assert!(o.error.is_none(), "{what}: {:?}", o.error);
                assert!(o.completed, "{what}: handshake not finished");
                assert_eq!(o.version, Some(scenario.version()), "{what}");
                assert_eq!(o.resumed, scenario.resumes(), "{what}");
                assert_eq!(o.plaintext, data, "{what}");
            }
        }
    }
}

/// splitmix64: a fixed seed gives the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }
}

/// Record boundaries of a TLS byte stream (5-byte header, u16 length).
fn records(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 5 <= bytes.len() {
        let len = usize::from(u16::from_be_bytes([bytes[at + 3], bytes[at + 4]]));
        let end = (at + 5 + len).min(bytes.len());
        out.push((at, end));
        at = end;
    }
    out
}

fn mutate(rng: &mut Rng, bytes: &[u8]) -> (Vec<u8>, &'static str) {
    let mut v = bytes.to_vec();
    let len = v.len();
    let recs = records(bytes);
    let what = match rng.below(9) {
        0 => {
            let i = rng.below(len);
            v[i] ^= 1 << rng.below(8);
            "bit flip"
        }
        1 => {
            // Within a record header or a handshake header: lengths and types.
            let (start, _) = recs[rng.below(recs.len())];
            let i = (start + rng.below(9)).min(len - 1);
            v[i] = rng.next() as u8;
            "header byte"
        }
        2 => {
            let i = rng.below(len);
            v[i] = [0x00, 0xff, 0x01, 0x7f, 0x80][rng.below(5)];
            "boundary byte"
        }
        3 => {
            let i = rng.below(len);
            let n = 1 + rng.below(16);
            v.drain(i..(i + n).min(len));
            "deleted run"
        }
        4 => {
            let i = rng.below(len);
            let n = 1 + rng.below(16);
            let run = v[i..(i + n).min(len)].to_vec();
            v.splice(i..i, run);
            "duplicated run"
        }
        5 => {
            v.truncate(rng.below(len));
            "truncated"
        }
        6 => {
            let (s, e) = recs[rng.below(recs.len())];
            v.drain(s..e);
            "record dropped"
        }
        7 => {
            let (s, e) = recs[rng.below(recs.len())];
            let run = v[s..e].to_vec();
            v.splice(e..e, run);
            "record repeated"
        }
        _ => {
            if recs.len() < 2 {
                return mutate(rng, bytes);
            }
            let k = rng.below(recs.len() - 1);
            let (a, b) = (recs[k], recs[k + 1]);
            let mut swapped = v[..a.0].to_vec();
            swapped.extend_from_slice(&v[b.0..b.1]);
            swapped.extend_from_slice(&v[a.0..a.1]);
            swapped.extend_from_slice(&v[b.1..]);
            v = swapped;
            "records swapped"
        }
    };
    (v, what)
}

/// The content type of the last record written, if any.
fn last_record_type(sent: &[u8]) -> Option<u8> {
    records(sent).last().map(|(s, _)| sent[*s])
}

fn check(o: &Outcome, what: &str) -> Option<AlertDescription> {
    let Some(err) = &o.error else {
        return None;
    };
    assert!(!o.wrote_after_error, "{what}: took data after {err}");
    if let Some(alert) = err.alert() {
        // Sent in the clear (21) or sealed as application data (23).
        let last = last_record_type(&o.sent);
        assert!(
            matches!(last, Some(21) | Some(23)),
            "{what}: {err} ({alert:?}) but the last record sent is {last:?}: {:?}",
            records(&o.sent)
                .iter()
                .map(|(s, e)| (o.sent[*s], e - s))
                .collect::<Vec<_>>()
        );
        Some(alert)
    } else {
        assert!(
            matches!(err, Error::AlertReceived(_)),
            "{what}: an error with no alert to send: {err:?}"
        );
        None
    }
}

#[test]
fn mutated_handshakes_fail_cleanly() {
    const PER_SIDE: usize = 150;
    let mut rng = Rng(0x00f0_7715_2026_1123);
    let mut alerts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut completed, mut waiting) = (0, 0);
    for scenario in Scenario::ALL {
        let t = record(scenario);
        for side in [Side::Client, Side::Server] {
            let (bytes, data) = input(&t, side);
            for i in 0..PER_SIDE {
                let (mutated, how) = mutate(&mut rng, bytes);
                let chunk = [0, 0, 0, 1, 5, 300][rng.below(6)];
                let what = format!("{scenario:?} {side:?} #{i} ({how}, chunk {chunk})");
                let o = replay(scenario, side, &mutated, chunk);
                // Records are authenticated whole: what arrives as data is
                // the data sent, or nothing.
                assert!(
                    o.plaintext.is_empty() || o.plaintext == data,
                    "{what}: delivered {:?}",
                    o.plaintext
                );
                match check(&o, &what) {
                    Some(alert) => *alerts.entry(format!("{alert:?}")).or_default() += 1,
                    None if o.error.is_none() && o.completed => completed += 1,
                    None if o.error.is_none() => waiting += 1,
                    None => *alerts.entry("alert received".into()).or_default() += 1,
                }
            }
        }
    }
    println!("completed {completed}, waiting {waiting}, failed: {alerts:?}");
    // The mutations reach the record layer, the decoders and the state
    // machines alike.
    for expected in [
        AlertDescription::BadRecordMac,
        AlertDescription::DecodeError,
        AlertDescription::UnexpectedMessage,
        AlertDescription::IllegalParameter,
        AlertDescription::DecryptError,
    ] {
        let name = format!("{expected:?}");
        assert!(alerts.contains_key(&name), "no {name}: {alerts:?}");
    }
}

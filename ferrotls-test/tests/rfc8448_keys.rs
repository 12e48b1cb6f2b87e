//! The TLS 1.3 key schedule and transcript hash against RFC 8448.
//!
//! Each section's schedule is computed from values the RFC prints as
//! inputs only: the handshake messages (for the transcript) and the
//! (EC)DHE shared secret (the `IKM` of `extract secret "handshake"`).
//! Every secret, key, IV and Finished value is then compared byte for byte
//! with the RFC text. All RFC 8448 traces use TLS_AES_128_GCM_SHA256.
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use ferrotls::crypto::hash::HashAlgorithm;
use ferrotls::crypto::hkdf::{hkdf_label, Prk};
use ferrotls::keys::tls13::{
    EarlySecret, HandshakeTrafficSecret, PskKind, ResumptionMasterSecret, TrafficSecret,
};
use ferrotls::keys::transcript::{TranscriptBuffer, TranscriptHash};
use ferrotls_test::rfc8448::{self, Trace};

const ALG: HashAlgorithm = HashAlgorithm::Sha256;
/// AES-128-GCM key length (RFC 8446 §B.4 / the suite of every trace).
const KEY_LEN: usize = 16;

/// The body of a handshake message as the RFC prints it in
/// `{who}  construct a(n) <name> handshake message`.
fn message<'a>(t: &'a Trace, who: &str, name: &str, n: usize) -> &'a [u8] {
    let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    t.nth_step(
        who,
        &format!("construct {article} {name} handshake message"),
        n,
    )
    .value(name)
}

/// A value of the first step (by either side) starting with `what` that
/// carries `label`; "(same as ...)" steps carry no values and are skipped.
fn rfc<'a>(t: &'a Trace, what: &str, label: &str) -> &'a [u8] {
    t.steps
        .iter()
        .filter(|s| s.what.starts_with(what))
        .find_map(|s| s.get(label))
        .unwrap_or_else(|| panic!("section {}: no {what:?} with {label:?}", t.number))
}

fn check_keys<K>(t: &Trace, who: &str, what: &str, secret: &TrafficSecret<K>) {
    let step = t.step(who, what);
    assert_eq!(step.value("PRK"), secret.expose(), "{who} {what}: PRK");
    let keys = secret.traffic_keys(KEY_LEN).unwrap();
    assert_eq!(keys.key(), step.value("key expanded"), "{who} {what}: key");
    assert_eq!(
        &keys.iv()[..],
        step.value("iv expanded"),
        "{who} {what}: iv"
    );
}

fn check_finished(
    t: &Trace,
    who: &str,
    secret: &HandshakeTrafficSecret,
    hash_before: &TranscriptHash,
) {
    let step = t
        .steps(who, "calculate finished")
        .find(|s| s.get("finished").is_some())
        .unwrap();
    assert_eq!(step.value("PRK"), secret.expose());
    // finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length).
    let finished_key_bytes = Prk::from_bytes(ALG, secret.expose())
        .unwrap()
        .expand_label(b"finished", b"", 32)
        .unwrap();
    assert_eq!(step.value("expanded"), finished_key_bytes.expose());
    let key = secret.finished_key().unwrap();
    let verify_data = key.verify_data(&hash_before.current());
    assert_eq!(
        verify_data.as_ref(),
        step.value("finished"),
        "{who} verify_data"
    );
    // The Finished message carries verify_data as its body.
    let finished = message(t, who, "Finished", 0);
    assert_eq!(&finished[4..], verify_data.as_ref());
    key.verify(&hash_before.current(), &finished[4..]).unwrap();
    let mut bad = finished[4..].to_vec();
    bad[0] ^= 0x80;
    assert!(key.verify(&hash_before.current(), &bad).is_err());
}

/// Which messages each side sends between ServerHello and its Finished.
struct Flights {
    server: &'static [&'static str],
    client: &'static [&'static str],
}

/// From ServerHello on: the handshake, master and traffic secrets, the
/// handshake and application keys, both Finished messages, the exporter
/// and resumption master secrets. `transcript` holds everything up to and
/// including ServerHello. Returns the resumption master secret.
fn check_from_server_hello(
    t: &Trace,
    early: EarlySecret,
    mut transcript: TranscriptHash,
    flights: &Flights,
) -> ResumptionMasterSecret {
    let empty = ALG.hash(b"");
    assert_eq!(
        Prk::from_bytes(ALG, early.expose())
            .unwrap()
            .derive_secret(b"derived", &empty)
            .unwrap()
            .expose(),
        rfc(t, "derive secret for handshake", "expanded")
    );
    let shared = rfc(t, "extract secret \"handshake\"", "IKM");
    let hs = early.into_handshake_secret(Some(shared)).unwrap();
    assert_eq!(
        hs.expose(),
        rfc(t, "extract secret \"handshake\"", "secret")
    );

    let hello_hash = transcript.current();
    assert_eq!(
        hello_hash.as_ref(),
        rfc(t, "derive secret \"tls13 c hs traffic\"", "hash")
    );
    let c_hs = hs.client_handshake_traffic_secret(&hello_hash).unwrap();
    let s_hs = hs.server_handshake_traffic_secret(&hello_hash).unwrap();
    assert_eq!(
        c_hs.expose(),
        rfc(t, "derive secret \"tls13 c hs traffic\"", "expanded")
    );
    assert_eq!(
        s_hs.expose(),
        rfc(t, "derive secret \"tls13 s hs traffic\"", "expanded")
    );
    check_keys(
        t,
        "server",
        "derive write traffic keys for handshake data",
        &s_hs,
    );

    assert_eq!(
        Prk::from_bytes(ALG, hs.expose())
            .unwrap()
            .derive_secret(b"derived", &empty)
            .unwrap()
            .expose(),
        rfc(t, "derive secret for master", "expanded")
    );
    let master = hs.into_master_secret().unwrap();
    assert_eq!(
        master.expose(),
        rfc(t, "extract secret \"master\"", "secret")
    );

    for name in flights.server {
        transcript.add(message(t, "server", name, 0));
    }
    check_finished(t, "server", &s_hs, &transcript);
    transcript.add(message(t, "server", "Finished", 0));

    let server_finished_hash = transcript.current();
    let c_ap = master
        .client_application_traffic_secret(&server_finished_hash)
        .unwrap();
    let s_ap = master
        .server_application_traffic_secret(&server_finished_hash)
        .unwrap();
    let exp = master
        .exporter_master_secret(&server_finished_hash)
        .unwrap();
    assert_eq!(
        c_ap.expose(),
        rfc(t, "derive secret \"tls13 c ap traffic\"", "expanded")
    );
    assert_eq!(
        s_ap.expose(),
        rfc(t, "derive secret \"tls13 s ap traffic\"", "expanded")
    );
    assert_eq!(
        exp.expose(),
        rfc(t, "derive secret \"tls13 exp master\"", "expanded")
    );
    check_keys(
        t,
        "server",
        "derive write traffic keys for application data",
        &s_ap,
    );

    for name in flights.client {
        transcript.add(message(t, "client", name, 0));
    }
    // The client's handshake keys are printed on one side or the other.
    match t
        .steps("client", "derive write traffic keys for handshake data")
        .find(|s| s.get("PRK").is_some())
    {
        Some(_) => check_keys(
            t,
            "client",
            "derive write traffic keys for handshake data",
            &c_hs,
        ),
        None => check_keys(
            t,
            "server",
            "derive read traffic keys for handshake data",
            &c_hs,
        ),
    }
    check_finished(t, "client", &c_hs, &transcript);
    transcript.add(message(t, "client", "Finished", 0));
    check_keys(
        t,
        "client",
        "derive write traffic keys for application data",
        &c_ap,
    );

    let res = master
        .resumption_master_secret(&transcript.current())
        .unwrap();
    assert_eq!(
        res.expose(),
        rfc(t, "derive secret \"tls13 res master\"", "expanded")
    );
    res
}

/// Early secret without a PSK: HKDF-Extract(0, 0).
fn zero_early(t: &Trace) -> EarlySecret {
    let early = EarlySecret::new(ALG, None);
    assert_eq!(early.expose(), rfc(t, "extract secret \"early\"", "secret"));
    early
}

const FULL: Flights = Flights {
    server: &["EncryptedExtensions", "Certificate", "CertificateVerify"],
    client: &[],
};

/// The ticket nonce of a NewSessionTicket (RFC 8446 §4.6.1): after the
/// 4-byte header, ticket_lifetime (4) and ticket_age_add (4), an
/// `opaque ticket_nonce<0..255>`.
fn ticket_nonce(nst: &[u8]) -> &[u8] {
    let len = nst[12] as usize;
    &nst[13..13 + len]
}

/// RFC 8448 §3, up to the resumption PSK of its NewSessionTicket.
fn section3_ticket_psk() -> Vec<u8> {
    let t = rfc8448::section(3);
    let mut buffer = TranscriptBuffer::new();
    buffer.add(message(t, "client", "ClientHello", 0));
    buffer.add(message(t, "server", "ServerHello", 0));
    let res = check_from_server_hello(t, zero_early(t), buffer.start_hash(ALG), &FULL);
    let nst = message(t, "server", "NewSessionTicket", 0);
    let psk = res.ticket_psk(ticket_nonce(nst)).unwrap();
    assert_eq!(
        psk.expose(),
        rfc(t, "generate resumption secret", "expanded")
    );
    psk.expose().to_vec()
}

#[test]
fn section3_simple_1rtt() {
    section3_ticket_psk();
}

#[test]
fn section4_resumed_0rtt() {
    let t = rfc8448::section(4);
    let psk = section3_ticket_psk();
    // {client} extract secret "early": IKM is the §3 resumption secret.
    assert_eq!(psk, rfc(t, "extract secret \"early\"", "IKM"));
    let early = EarlySecret::new(ALG, Some(&psk));
    assert_eq!(early.expose(), rfc(t, "extract secret \"early\"", "secret"));

    // RFC 8446 §4.2.11.2: the binder covers the ClientHello up to the
    // binders list. RFC 8448 §4 prints that prefix as "ClientHello"; the
    // whole message is the payload of the record that carries it, ending
    // with the binders list (u16 length 0x0021, u8 length 0x20, binder).
    let truncated = message(t, "client", "ClientHello", 0);
    let ch = t.value("client", "send handshake record", "payload");
    assert_eq!(&ch[..4], [0x01, 0x00, 0x01, 0xfc]);
    let (prefix, binders) = ch.split_at(ch.len() - 35);
    assert_eq!(prefix, truncated);
    assert_eq!(&binders[..3], [0x00, 0x21, 0x20]);
    let binder_hash = TranscriptBuffer::new().hash_with(ALG, truncated);
    let step = t.step("client", "calculate PSK binder");
    assert_eq!(binder_hash.as_ref(), step.value("binder hash"));
    let binder_key = early.binder_key(PskKind::Resumption).unwrap();
    assert_eq!(binder_key.expose(), step.value("PRK"));
    let binder = binder_key.binder(&binder_hash).unwrap();
    assert_eq!(binder.as_ref(), step.value("finished"));
    assert_eq!(binder.as_ref(), &binders[3..]);
    binder_key.verify(&binder_hash, &binders[3..]).unwrap();
    let ext = early.binder_key(PskKind::External).unwrap();
    assert!(ext.verify(&binder_hash, &binders[3..]).is_err());

    let ch_hash = ALG.hash(ch);
    let c_e = early.client_early_traffic_secret(&ch_hash).unwrap();
    assert_eq!(
        c_e.expose(),
        rfc(t, "derive secret \"tls13 c e traffic\"", "expanded")
    );
    let e_exp = early.early_exporter_master_secret(&ch_hash).unwrap();
    assert_eq!(
        e_exp.expose(),
        rfc(t, "derive secret \"tls13 e exp master\"", "expanded")
    );
    check_keys(
        t,
        "client",
        "derive write traffic keys for early application data",
        &c_e,
    );

    let mut transcript = TranscriptHash::new(ALG);
    transcript.add(ch);
    transcript.add(message(t, "server", "ServerHello", 0));
    let flights = Flights {
        server: &["EncryptedExtensions"],
        client: &["EndOfEarlyData"],
    };
    check_from_server_hello(t, early, transcript, &flights);
}

#[test]
fn section5_hello_retry_request() {
    let t = rfc8448::section(5);
    let ch1 = message(t, "client", "ClientHello", 0);
    let hrr = message(t, "server", "ServerHello", 0);
    let ch2 = message(t, "client", "ClientHello", 1);
    let sh = message(t, "server", "ServerHello", 1);

    // The client learns the hash from the HelloRetryRequest.
    let mut buffer = TranscriptBuffer::new();
    buffer.add(ch1);
    let (mut transcript, ch1_hash) = buffer
        .start_hash(ALG)
        .replace_client_hello1_with_message_hash();
    transcript.add(hrr);
    transcript.add(ch2);
    transcript.add(sh);

    // A stateless server rebuilds the same transcript from the cookie.
    let mut rebuilt = TranscriptHash::from_client_hello1_hash(ALG, ch1_hash.as_ref()).unwrap();
    for m in [hrr, ch2, sh] {
        rebuilt.add(m);
    }
    assert_eq!(rebuilt.current(), transcript.current());

    // Without the message_hash rule the hash would differ from the RFC's.
    let naive = ALG.hash(&[ch1, hrr, ch2, sh].concat());
    assert_ne!(
        naive.as_ref(),
        rfc(t, "derive secret \"tls13 c hs traffic\"", "hash")
    );

    check_from_server_hello(t, zero_early(t), transcript, &FULL);
}

#[test]
fn section6_client_authentication() {
    let t = rfc8448::section(6);
    let mut transcript = TranscriptHash::new(ALG);
    transcript.add(message(t, "client", "ClientHello", 0));
    transcript.add(message(t, "server", "ServerHello", 0));
    let flights = Flights {
        server: &[
            "EncryptedExtensions",
            "CertificateRequest",
            "Certificate",
            "CertificateVerify",
        ],
        client: &["Certificate", "CertificateVerify"],
    };
    check_from_server_hello(t, zero_early(t), transcript, &flights);
}

#[test]
fn section7_compatibility_mode() {
    let t = rfc8448::section(7);
    let mut transcript = TranscriptHash::new(ALG);
    transcript.add(message(t, "client", "ClientHello", 0));
    transcript.add(message(t, "server", "ServerHello", 0));
    check_from_server_hello(t, zero_early(t), transcript, &FULL);
}

/// The quoted label of a step such as `derive secret "tls13 c hs traffic"`.
fn quoted_label(what: &str) -> Option<&str> {
    let start = what.find("\"tls13 ")? + "\"tls13 ".len();
    let end = what[start..].find('"')? + start;
    Some(&what[start..end])
}

/// Every HKDF-Expand-Label step printed in RFC 8448 (PRK, info, expanded),
/// whatever section: the HkdfLabel encoding and HKDF-Expand agree.
#[test]
fn every_printed_expand_label_step() {
    let mut checked = 0;
    for section in 3..=7 {
        let t = rfc8448::section(section);
        for step in &t.steps {
            let Some(prk) = step.get("PRK") else { continue };
            let prk = Prk::from_bytes(ALG, prk).unwrap();
            for (info_label, out_label, label) in [
                ("info", "expanded", quoted_label(&step.what)),
                ("key info", "key expanded", Some("key")),
                ("iv info", "iv expanded", Some("iv")),
            ] {
                let (Some(info), Some(expected)) = (step.get(info_label), step.get(out_label))
                else {
                    continue;
                };
                assert_eq!(prk.expand(info, expected.len()).unwrap().expose(), expected);
                if let Some(label) = label {
                    // "calculate finished"/"calculate PSK binder" print
                    // "hash (0 octets): (empty)": no context.
                    let label = if step.what.starts_with("calculate") {
                        "finished"
                    } else {
                        label
                    };
                    let context = step.get("hash").unwrap_or(&[]);
                    assert_eq!(
                        hkdf_label(label.as_bytes(), context, expected.len()).unwrap(),
                        info,
                        "section {section}: {}",
                        step.what
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 80, "only {checked} steps checked");
}

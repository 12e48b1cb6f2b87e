//! RFC 8448 §3: every protected record of the simple 1-RTT handshake,
//! sealed by ferrotls's record layer from the RFC's keys and plaintext,
//! equals the RFC's record byte for byte, and opens back to the plaintext.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use ferrotls::crypto::aead::AeadAlgorithm;
use ferrotls::msgs::enums::ContentType;
use ferrotls::record::deframer::HEADER_LEN;
use ferrotls::record::protect::RecordCipher;
use ferrotls_test::rfc8448::{section, Step};

fn cipher(keys: &Step) -> RecordCipher {
    RecordCipher::tls13(
        AeadAlgorithm::Aes128Gcm,
        keys.value("key expanded"),
        keys.value("iv expanded"),
    )
    .unwrap()
}

/// Seals `record`'s payload as record number `seq` under `keys` and
/// compares with the RFC; then opens the RFC's bytes.
fn check(keys: &Step, seq: u64, typ: ContentType, record: &Step) {
    let mut tx = cipher(keys);
    let mut rx = cipher(keys);
    let mut scratch = Vec::new();
    for _ in 0..seq {
        tx.seal(typ, b"", &mut scratch).unwrap();
        let mut skipped = scratch.split_off(0);
        let (h, p) = skipped.split_at_mut(HEADER_LEN);
        rx.open(h, p).unwrap();
    }
    let payload = record.value("payload");
    let expected = record.value("complete record");
    let mut out = Vec::new();
    tx.seal(typ, payload, &mut out).unwrap();
    assert_eq!(hex::encode(&out), hex::encode(expected), "{}", record.what);

    let mut wire = expected.to_vec();
    let (h, p) = wire.split_at_mut(HEADER_LEN);
    let opened = rx.open(h, p).unwrap();
    assert_eq!(opened.typ, typ);
    assert_eq!(&p[opened.plaintext], payload);
}

#[test]
fn rfc8448_section3_records_byte_for_byte() {
    let t = section(3);
    let server_hs = t.step("server", "derive write traffic keys for handshake data");
    let client_hs = t.step("server", "derive read traffic keys for handshake data");
    let server_ap = t.step("server", "derive write traffic keys for application data");
    let client_ap = t.step("client", "derive write traffic keys for application data");

    // EncryptedExtensions..Finished, the server's first protected record.
    check(
        server_hs,
        0,
        ContentType::Handshake,
        t.nth_step("server", "send handshake record", 1),
    );
    // The client's Finished.
    check(
        client_hs,
        0,
        ContentType::Handshake,
        t.nth_step("client", "send handshake record", 1),
    );
    // NewSessionTicket, then application data, then close_notify, all
    // under the server's application keys.
    check(
        server_ap,
        0,
        ContentType::Handshake,
        t.nth_step("server", "send handshake record", 2),
    );
    check(
        server_ap,
        1,
        ContentType::ApplicationData,
        t.step("server", "send application_data record"),
    );
    check(
        server_ap,
        2,
        ContentType::Alert,
        t.step("server", "send alert record"),
    );
    check(
        client_ap,
        0,
        ContentType::ApplicationData,
        t.step("client", "send application_data record"),
    );
    check(
        client_ap,
        1,
        ContentType::Alert,
        t.step("client", "send alert record"),
    );
}

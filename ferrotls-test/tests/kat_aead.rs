//! Known answers for the record AEADs and the TLS record nonce/AAD rules:
//! RFC 8439 §2.8.2 (ChaCha20-Poly1305), McGrew & Viega "The Galois/Counter
//! Mode of Operation" Test Cases 4 and 15 (AES-128/256-GCM), and RFC 8448
//! §3's protected application_data and alert records, byte for byte.
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use ferrotls::crypto::aead::{
    tls12_aad, tls12_gcm_explicit_nonce, tls13_aad, AeadAlgorithm, AeadKey, Iv, Nonce, TAG_LEN,
};
use ferrotls::error::CryptoError;
use ferrotls::msgs::enums::{ContentType, ProtocolVersion};
use ferrotls_test::rfc8448;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    hex::decode(s).unwrap()
}

/// Seals `pt` and checks ciphertext || tag; opens it back; a flipped tag bit fails.
fn check(
    alg: AeadAlgorithm,
    key: &[u8],
    nonce: [u8; 12],
    aad: &[u8],
    pt: &[u8],
    ct: &[u8],
    tag: &[u8],
) {
    let key = AeadKey::new(alg, key).unwrap();
    let mut buf = pt.to_vec();
    let mut t = [0u8; TAG_LEN];
    key.seal(Nonce(nonce), aad, &mut buf, &mut t).unwrap();
    assert_eq!(buf, ct, "{alg:?} ciphertext");
    assert_eq!(t, tag, "{alg:?} tag");

    let mut sealed = [ct, tag].concat();
    assert_eq!(key.open(Nonce(nonce), aad, &mut sealed).unwrap(), pt);
    let mut bad = [ct, tag].concat();
    *bad.last_mut().unwrap() ^= 0x80;
    assert_eq!(
        key.open(Nonce(nonce), aad, &mut bad),
        Err(CryptoError::DecryptFailed)
    );
}

#[test]
fn rfc8439_2_8_2_chacha20_poly1305() {
    let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    let key: Vec<u8> = (0x80..=0x9f).collect();
    let nonce: [u8; 12] = unhex("07000000 4041424344454647").try_into().unwrap();
    let aad = unhex("50515253c0c1c2c3c4c5c6c7");
    let ct = unhex(
        "d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2
         a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6
         3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b
         1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36
         92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58
         fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc
         3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b
         61 16",
    );
    let tag = unhex("1a e1 0b 59 4f 09 e2 6a 7e 90 2e cb d0 60 06 91");
    check(
        AeadAlgorithm::Chacha20Poly1305,
        &key,
        nonce,
        &aad,
        pt,
        &ct,
        &tag,
    );
}

const GCM_P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
                     1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";

#[test]
fn gcm_spec_test_case_4_aes128_with_aad() {
    let key = unhex("feffe9928665731c6d6a8f9467308308");
    let nonce: [u8; 12] = unhex("cafebabefacedbaddecaf888").try_into().unwrap();
    let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    let pt = &unhex(GCM_P)[..60];
    let ct = unhex(
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
         21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
    );
    let tag = unhex("5bc94fbc3221a5db94fae95ae7121a47");
    check(AeadAlgorithm::Aes128Gcm, &key, nonce, &aad, pt, &ct, &tag);
}

#[test]
fn gcm_spec_test_case_15_aes256() {
    let key = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    let nonce: [u8; 12] = unhex("cafebabefacedbaddecaf888").try_into().unwrap();
    let ct = unhex(
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
         8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
    );
    let tag = unhex("b094dac5d93471bdec1a502270e3cc6c");
    check(
        AeadAlgorithm::Aes256Gcm,
        &key,
        nonce,
        &[],
        &unhex(GCM_P),
        &ct,
        &tag,
    );
}

/// RFC 8446 §5.2: the inner plaintext is content || ContentType (no
/// padding in the RFC 8448 traces); the AAD is the 5-byte record header;
/// §5.3: the nonce is the write IV XOR the sequence number.
fn check_rfc8448_record(who: &str, what: &str, seq: u64, typ: ContentType) {
    let t = rfc8448::section(3);
    let keys = t.step(who, "derive write traffic keys for application data");
    let key = AeadKey::new(AeadAlgorithm::Aes128Gcm, keys.value("key expanded")).unwrap();
    let iv = Iv::from_slice(keys.value("iv expanded")).unwrap();
    let step = t.step(who, what);
    let payload = step.value("payload");
    let record = step.value("complete record");

    let inner_len = payload.len() + 1;
    let len = u16::try_from(inner_len + TAG_LEN).unwrap();
    let header = tls13_aad(len);
    assert_eq!(header, record[..5], "{who} {what}: header");

    let mut buf = Vec::with_capacity(5 + inner_len + TAG_LEN);
    buf.extend_from_slice(&header);
    buf.extend_from_slice(payload);
    buf.push(typ.to_wire());
    buf.resize(5 + inner_len + TAG_LEN, 0);
    key.seal_with_trailing_tag(Nonce::tls13(&iv, seq), &header, &mut buf[5..])
        .unwrap();
    assert_eq!(buf, record, "{who} {what}: sealed record");

    // The receiver authenticates the header exactly as it arrived.
    let mut received = record.to_vec();
    let (received_header, body) = received.split_at_mut(5);
    let opened = key
        .open(Nonce::tls13(&iv, seq), received_header, body)
        .unwrap();
    assert_eq!(opened.split_last().unwrap(), (&typ.to_wire(), payload));

    // Any other sequence number gives a different nonce: bad_record_mac.
    let mut received = record.to_vec();
    assert_eq!(
        key.open(Nonce::tls13(&iv, seq + 1), &header, &mut received[5..]),
        Err(CryptoError::DecryptFailed)
    );
}

#[test]
fn rfc8448_client_application_data_record() {
    // First record under the client application key.
    check_rfc8448_record(
        "client",
        "send application_data record",
        0,
        ContentType::ApplicationData,
    );
}

#[test]
fn rfc8448_server_application_data_record() {
    // The server's NewSessionTicket took sequence number 0 under this key.
    check_rfc8448_record(
        "server",
        "send application_data record",
        1,
        ContentType::ApplicationData,
    );
}

#[test]
fn rfc8448_alert_records() {
    check_rfc8448_record("client", "send alert record", 1, ContentType::Alert);
    check_rfc8448_record("server", "send alert record", 2, ContentType::Alert);
}

/// TLS 1.2 GCM (RFC 5288 §3): nonce = 4-byte salt || explicit nonce, the
/// explicit nonce travels in front of the ciphertext, and the AAD carries
/// the plaintext length (RFC 5246 §6.2.3.3).
#[test]
fn tls12_gcm_record_round_trip() {
    let key = AeadKey::new(AeadAlgorithm::Aes128Gcm, &[0x11; 16]).unwrap();
    let salt = [1, 2, 3, 4];
    let seq = 7;
    let explicit = tls12_gcm_explicit_nonce(seq);
    assert_eq!(explicit, [0, 0, 0, 0, 0, 0, 0, 7]);
    let aad = tls12_aad(
        seq,
        ContentType::ApplicationData,
        ProtocolVersion::TLSv1_2,
        5,
    );
    let mut body = b"hello".to_vec();
    body.resize(5 + TAG_LEN, 0);
    key.seal_with_trailing_tag(Nonce::tls12_gcm(&salt, &explicit), &aad, &mut body)
        .unwrap();

    // The receiver rebuilds the nonce from the salt and the record's explicit part.
    let record = [&explicit[..], &body].concat();
    let received_explicit: [u8; 8] = record[..8].try_into().unwrap();
    let mut ct = record[8..].to_vec();
    let pt = key
        .open(Nonce::tls12_gcm(&salt, &received_explicit), &aad, &mut ct)
        .unwrap();
    assert_eq!(pt, b"hello");

    // A different sequence number in the AAD (a replayed/reordered record) fails.
    let aad8 = tls12_aad(8, ContentType::ApplicationData, ProtocolVersion::TLSv1_2, 5);
    let mut ct = record[8..].to_vec();
    assert!(key
        .open(Nonce::tls12_gcm(&salt, &received_explicit), &aad8, &mut ct)
        .is_err());
}

/// TLS 1.2 ChaCha20-Poly1305 (RFC 7905 §2): the nonce is the 12-byte IV
/// XOR the padded sequence number, nothing explicit in the record.
#[test]
fn tls12_chacha_nonce_is_iv_xor_seq() {
    let iv_bytes = unhex("a0a1a2a3 a4a5a6a7 a8a9aaab");
    let iv = Iv::from_slice(&iv_bytes).unwrap();
    let n = Nonce::tls12_chacha(&iv, 0x0102030405060708);
    assert_eq!(n.0.to_vec(), unhex("a0a1a2a3 a5a7a5a3 adafada3"));
    assert_eq!(
        AeadAlgorithm::Chacha20Poly1305.tls12_explicit_nonce_len(),
        0
    );
}

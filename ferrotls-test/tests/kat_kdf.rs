//! Known answers for the KDFs: HKDF (RFC 5869 Appendix A) and the TLS 1.2
//! PRF with the derivations built on it (master secret, extended master
//! secret, key block, Finished).
//!
//! The TLS 1.2 values were produced with an independent implementation,
//! OpenSSL 3.0's TLS1-PRF KDF, whose seed is label || seed:
//!
//! ```text
//! openssl kdf -keylen <n> -kdfopt digest:<SHA256|SHA384> \
//!     -kdfopt hexsecret:<secret> -kdfopt hexseed:<hex(label)><seed> TLS1-PRF
//! ```
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use ferrotls::crypto::hash::HashAlgorithm;
use ferrotls::crypto::hkdf::Prk;
use ferrotls::crypto::prf::prf;
use ferrotls::keys::tls12::{KeyBlockLayout, MasterSecret};

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    hex::decode(s).unwrap()
}

/// RFC 5869 A.1-A.3 (the SHA-256 cases).
#[test]
fn rfc5869_hkdf_sha256() {
    struct Case {
        ikm: Vec<u8>,
        salt: Option<Vec<u8>>,
        info: Vec<u8>,
        prk: &'static str,
        okm: &'static str,
    }
    let cases = [
        Case {
            ikm: vec![0x0b; 22],
            salt: Some(unhex("000102030405060708090a0b0c")),
            info: unhex("f0f1f2f3f4f5f6f7f8f9"),
            prk: "077709362c2e32df0ddc3f0dc47bba63 90b6c73bb50f9c3122ec844ad7c2b3e5",
            okm: "3cb25f25faacd57a90434f64d0362f2a 2d2d0a90cf1a5a4c5db02d56ecc4c5bf
                  34007208d5b887185865",
        },
        Case {
            ikm: (0x00..=0x4f).collect(),
            salt: Some((0x60..=0xaf).collect()),
            info: (0xb0..=0xff).collect(),
            prk: "06a6b88c5853361a06104c9ceb35b45c ef760014904671014a193f40c15fc244",
            okm: "b11e398dc80327a1c8e7f78c596a4934 4f012eda2d4efad8a050cc4c19afa97c
                  59045a99cac7827271cb41c65e590e09 da3275600c2f09b8367793a9aca3db71
                  cc30c58179ec3e87c14c01d5c1f3434f 1d87",
        },
        // A.3: zero-length salt (which HMAC pads to HashLen zeros, the
        // same as "not provided").
        Case {
            ikm: vec![0x0b; 22],
            salt: None,
            info: vec![],
            prk: "19ef24a32c717b167f33a91d6f648bdf 96596776afdb6377ac434c1c293ccb04",
            okm: "8da4e775a563c18f715f802a063c5a31 b8a11f5c5ee1879ec3454e5f3c738d2d
                  9d201395faa4b61a96c8",
        },
    ];
    for case in cases {
        let prk = Prk::extract(HashAlgorithm::Sha256, case.salt.as_deref(), &case.ikm);
        assert_eq!(prk.expose(), unhex(case.prk));
        let okm_expected = unhex(case.okm);
        let okm = prk.expand(&case.info, okm_expected.len()).unwrap();
        assert_eq!(okm.expose(), okm_expected);
    }
    // A.3 with an explicit empty salt gives the same PRK.
    let prk = Prk::extract(HashAlgorithm::Sha256, Some(&[]), &[0x0b; 22]);
    assert_eq!(
        prk.expose(),
        unhex("19ef24a32c717b167f33a91d6f648bdf 96596776afdb6377ac434c1c293ccb04")
    );
}

#[test]
fn tls12_prf_sha256() {
    // secret 9bbe436ba940f017b17652849a71db35, label "test label",
    // seed a0ba9f936cda311827a6f796ffd5198c, 100 bytes.
    let mut out = [0u8; 100];
    prf(
        HashAlgorithm::Sha256,
        &unhex("9bbe436ba940f017b17652849a71db35"),
        b"test label",
        &[&unhex("a0ba9f936cda311827a6f796ffd5198c")],
        &mut out,
    );
    assert_eq!(
        out[..],
        unhex(
            "E3F229BA727BE17B8D122620557CD453C2AAB21D07C3D495329B52D4E61EDB5A
             6B301791E90D35C9C9A46B4E14BAF9AF0FA022F7077DEF17ABFD3797C0564BAB
             4FBC91666E9DEF9B97FCE34F796789BAA48082D122EE42C5A72E5A5110FFF701
             87347B66"
        )[..]
    );
}

#[test]
fn tls12_prf_sha384() {
    // secret b80b733d6ceefcdc71566ea48e5567df, label "test label",
    // seed cd665cf6a8447dd6ff8b27555edb7465, 148 bytes.
    let mut out = [0u8; 148];
    prf(
        HashAlgorithm::Sha384,
        &unhex("b80b733d6ceefcdc71566ea48e5567df"),
        b"test label",
        &[&unhex("cd665cf6a8447dd6ff8b27555edb7465")],
        &mut out,
    );
    assert_eq!(
        out[..],
        unhex(
            "7B0C18E9CED410ED1804F2CFA34A336A1C14DFFB4900BB5FD7942107E81C83CD
             E9CA0FAA60BE9FE34F82B1233C9146A0E534CB400FED2700884F9DC236F80EDD
             8BFA961144C9E8D792ECA722A7B32FC3D416D473EBC2C5FD4ABFDAD05D918425
             9B5BF8CD4D90FA0D31E2DEC479E4F1A26066F2EEA9A69236A3E52655C9E9AEE6
             91C8F3A26854308D5EAA3BE85E0990703D73E56F"
        )[..]
    );
}

const CLIENT_RANDOM: [u8; 32] = [0xc1; 32];
const SERVER_RANDOM: [u8; 32] = [0x5e; 32];

#[test]
fn tls12_master_secrets() {
    // RFC 5246 §8.1: pre_master_secret 0f*32, SHA-384 PRF, seed
    // "master secret" || client_random (c1*32) || server_random (5e*32).
    let ms = MasterSecret::new(
        HashAlgorithm::Sha384,
        &[0x0f; 32],
        &CLIENT_RANDOM,
        &SERVER_RANDOM,
    );
    assert_eq!(
        ms.expose()[..],
        unhex(
            "02FD73429EA072AC2021D0F7B3BDD4D5898D9526F8508ACBBC1BCEC8A2C784FA
             50AC9BF932C28E095A7E99C2026828B7"
        )[..]
    );

    // RFC 7627 §4: seed "extended master secret" || session_hash, with
    // session_hash = SHA-256("ferrotls session hash")
    // = 23b0b3f487bf2e58fe1a4336308287dffa32b626c8fc09efd3715ab9d72ede89.
    let session_hash = HashAlgorithm::Sha256.hash(b"ferrotls session hash");
    let ems = MasterSecret::extended(HashAlgorithm::Sha256, &[0x0f; 32], &session_hash);
    assert_eq!(
        ems.expose()[..],
        unhex(
            "B25D8E8B1FA6166FF1FD8AE8038CA3B65424FC8183066F62DEA62301BFAC0D43
             B42BB48F3F9FEB3E58673DA7DF01CF4A"
        )[..]
    );
}

#[test]
fn tls12_key_block_and_finished() {
    // RFC 5246 §6.3: master secret ab*48, seed "key expansion" ||
    // server_random || client_random, 88 bytes (ChaCha20-Poly1305 layout).
    let ms = MasterSecret::from_bytes(HashAlgorithm::Sha256, &[0xab; 48]).unwrap();
    let expected = unhex(
        "29A0E717CB50F8B85A55AFFE42BFD3AEB4ADEC47F721D2137992FA1286276304
         0FBE727F66F0C1EC99E64D6C0662E41F7AE4F3A5DCA4A7835DFB34126599F209
         666EBB7376AFB9E218C132169F5D03E36EB5AFFC6A5FDABE",
    );
    let kb = ms.key_block(
        KeyBlockLayout::CHACHA20_POLY1305,
        &CLIENT_RANDOM,
        &SERVER_RANDOM,
    );
    assert_eq!(kb.expose(), &expected[..]);
    assert_eq!(kb.client_write_key(), &expected[0..32]);
    assert_eq!(kb.server_write_key(), &expected[32..64]);
    assert_eq!(kb.client_write_iv(), &expected[64..76]);
    assert_eq!(kb.server_write_iv(), &expected[76..88]);

    // The AES-128-GCM split of the same PRF stream: keys of 16, 4-byte IVs.
    let gcm = ms.key_block(KeyBlockLayout::AES_128_GCM, &CLIENT_RANDOM, &SERVER_RANDOM);
    assert_eq!(gcm.client_write_key(), &expected[0..16]);
    assert_eq!(gcm.server_write_key(), &expected[16..32]);
    assert_eq!(gcm.client_write_iv(), &expected[32..36]);
    assert_eq!(gcm.server_write_iv(), &expected[36..40]);
    assert!(gcm.client_write_mac_key().is_empty());

    // RFC 5246 §7.4.9 with Hash(handshake_messages) =
    // SHA-256("ferrotls handshake messages")
    // = 5b9dd30b50e9ecc753600d32c7ef7d10f5dfae1c5b17cda6a26abd4809b8ba1e.
    let hash = HashAlgorithm::Sha256.hash(b"ferrotls handshake messages");
    assert_eq!(
        ms.client_verify_data(&hash)[..],
        unhex("8D047D0AF558A844E8DD4CFD")[..]
    );
    assert_eq!(
        ms.server_verify_data(&hash)[..],
        unhex("A5CD3E0F36FB461EB56E5CA3")[..]
    );
}

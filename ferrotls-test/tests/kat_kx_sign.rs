//! Known answers and cross-checks for key exchange and signatures:
//! RFC 7748 §6.1 (x25519), RFC 8448 §3 (x25519) and §5 (P-256) with the
//! RFC's private keys, X25519MLKEM768 agreement and share lengths, the RFC
//! 7919 primes against the RFC text and OpenSSL, FFDHE peer-value checks,
//! and every signature scheme.
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::process::Command;

use ferrotls::crypto::kx::{dhe_client_custom, ffdhe_prime, KxGroup};
use ferrotls::crypto::rand::SystemRandom;
use ferrotls::crypto::sign::{
    generate_rsa_pkcs8, verify, SigningKey, LEGACY_SHA1_SCHEMES, TLS12_VERIFY_SCHEMES,
    TLS13_VERIFY_SCHEMES,
};
use ferrotls::error::CryptoError;
use ferrotls::msgs::enums::{AlertDescription, SignatureScheme};
use ferrotls_test::rfc8448;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    hex::decode(s).unwrap()
}

/// Whether the openssl binary can be run. Under CI a missing openssl is a
/// failure, not a skip.
fn have_openssl() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("openssl is required when CI is set");
    }
    ok
}

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn rfc7748_6_1_x25519() {
    let a_priv = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    let a_pub = unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let b_priv = unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    let b_pub = unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let k = unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    let a = KxGroup::X25519.start_with_private_key(&a_priv).unwrap();
    let b = KxGroup::X25519.start_with_private_key(&b_priv).unwrap();
    assert_eq!(a.public_share(), a_pub);
    assert_eq!(b.public_share(), b_pub);
    assert_eq!(a.complete(&b_pub).unwrap().expose(), k);
    assert_eq!(b.complete(&a_pub).unwrap().expose(), k);
}

/// The RFC 8448 ephemeral keys give the printed public keys, and both
/// sides reach the IKM of `extract secret "handshake"`.
fn rfc8448_exchange(section: u32, group: KxGroup, what: &str) {
    let t = rfc8448::section(section);
    let c = t.step("client", what);
    let s = t.step("server", what);
    let ikm = t.value("server", "extract secret \"handshake\"", "IKM");
    let client = group
        .start_with_private_key(c.value("private key"))
        .unwrap();
    let server = group
        .start_with_private_key(s.value("private key"))
        .unwrap();
    assert_eq!(client.public_share(), c.value("public key"));
    assert_eq!(server.public_share(), s.value("public key"));
    assert_eq!(
        client.complete(s.value("public key")).unwrap().expose(),
        ikm
    );
    assert_eq!(
        server.complete(c.value("public key")).unwrap().expose(),
        ikm
    );
}

#[test]
fn rfc8448_3_x25519_shared_secret() {
    rfc8448_exchange(3, KxGroup::X25519, "create an ephemeral x25519 key pair");
}

#[test]
fn rfc8448_5_p256_shared_secret() {
    rfc8448_exchange(5, KxGroup::Secp256r1, "create an ephemeral P-256 key pair");
}

#[test]
fn x25519mlkem768_agrees_and_checks_lengths() {
    let g = KxGroup::X25519MlKem768;
    let client = g.start(&SystemRandom).unwrap();
    let share = client.public_share().to_vec();
    assert_eq!(share.len(), 1184 + 32);
    let (server_share, server_secret) = g.accept(&share, &SystemRandom).unwrap();
    assert_eq!(server_share.len(), 1088 + 32);
    assert_eq!(server_secret.len(), 64);

    // Wrong-length shares: illegal_parameter on both sides.
    for bad in [
        &share[..share.len() - 1],
        &[share.as_slice(), &[0]].concat(),
        &[][..],
    ] {
        let e = g.accept(bad, &SystemRandom).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::IllegalParameter);
    }
    let other = g.start(&SystemRandom).unwrap();
    let e = other.complete(&server_share[1..]).unwrap_err();
    assert_eq!(e.alert(), AlertDescription::IllegalParameter);

    assert_eq!(client.complete(&server_share).unwrap(), server_secret);
}

#[test]
fn x25519mlkem768_halves_are_kem_then_x25519() {
    // The x25519 half sits at the end of both shares and of the secret.
    let x_priv = [0x42u8; 32];
    let g = KxGroup::X25519MlKem768;
    let client = g.start_with_private_key(&x_priv).unwrap();
    let x_only = KxGroup::X25519.start_with_private_key(&x_priv).unwrap();
    assert_eq!(&client.public_share()[1184..], x_only.public_share());
    let (server_share, secret) = g.accept(client.public_share(), &SystemRandom).unwrap();
    let x_secret = x_only.complete(&server_share[1088..]).unwrap();
    assert_eq!(&secret.expose()[32..], x_secret.expose());
}

/// The primes of RFC 7919 Appendix A, read from the RFC text.
fn rfc7919_prime(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/rfc7919.txt"))
        .expect("RFC 7919 text");
    let heading = text.rfind(&format!(".  {name}\n")).unwrap();
    let from = heading
        + text[heading..]
            .find("The hexadecimal representation of p is:")
            .unwrap();
    let to = from + text[from..].find("The generator is").unwrap();
    let hex: String = text[from..to]
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_hexdigit() || c == ' '))
        .collect();
    unhex(&hex)
}

#[test]
fn ffdhe_primes_match_rfc7919_text() {
    for (g, name, bits) in [
        (KxGroup::Ffdhe2048, "ffdhe2048", 2048),
        (KxGroup::Ffdhe3072, "ffdhe3072", 3072),
        (KxGroup::Ffdhe4096, "ffdhe4096", 4096),
    ] {
        let p = ffdhe_prime(g).unwrap();
        assert_eq!(p.len() * 8, bits, "{name}");
        assert_eq!(p, rfc7919_prime(name), "{name}");
    }
    assert_eq!(ffdhe_prime(KxGroup::X25519), None);
}

#[test]
fn ffdhe_agreement_and_peer_checks() {
    for g in [KxGroup::Ffdhe2048, KxGroup::Ffdhe3072] {
        let p = ffdhe_prime(g).unwrap();
        let client = g.start(&SystemRandom).unwrap();
        let (server_share, secret) = g.accept(client.public_share(), &SystemRandom).unwrap();
        assert_eq!(secret.len(), p.len(), "TLS 1.3 pads Z to the size of p");
        assert_eq!(client.complete(&server_share).unwrap(), secret);

        // RFC 7919 §5.1: 1 < Y < p-1; and no value longer than p.
        let mut p_minus_1 = p.clone();
        *p_minus_1.last_mut().unwrap() -= 1;
        let mut zero = vec![0u8; p.len()];
        let mut one = zero.clone();
        *one.last_mut().unwrap() = 1;
        let oversize = [&[0u8][..], &server_share].concat();
        for bad in [
            &mut zero,
            &mut one,
            &mut p_minus_1,
            &mut p.clone(),
            &mut vec![0xff; p.len()],
        ] {
            let k = g.start(&SystemRandom).unwrap();
            assert_eq!(
                k.complete(bad).unwrap_err().alert(),
                AlertDescription::IllegalParameter
            );
        }
        let k = g.start(&SystemRandom).unwrap();
        assert!(k.complete(&oversize).is_err());
        // TLS 1.3 shares must be padded to the size of p (RFC 8446 §4.2.8.1).
        let k = g.start(&SystemRandom).unwrap();
        assert!(k.complete(&[2]).is_err());
        let k = g.start(&SystemRandom).unwrap();
        assert!(k.complete_tls12(&[2]).is_ok());
    }
}

#[test]
fn ffdhe_public_value_matches_openssl() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dh.pem");
    let key = key.to_str().unwrap();
    openssl(&[
        "genpkey",
        "-algorithm",
        "DH",
        "-pkeyopt",
        "group:ffdhe2048",
        "-out",
        key,
    ]);
    let text = String::from_utf8(openssl(&["pkey", "-in", key, "-text", "-noout"])).unwrap();
    let field = |label: &str| -> Vec<u8> {
        let start = text.find(label).unwrap() + label.len();
        let hex: String = text[start..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("    "))
            .collect();
        let v = unhex(&hex);
        let first = v.iter().position(|b| *b != 0).unwrap();
        v[first..].to_vec()
    };
    let x = field("private-key:");
    let y = field("public-key:");
    let ours = KxGroup::Ffdhe2048.start_with_private_key(&x).unwrap();
    let share = ours.public_share();
    assert_eq!(share.len(), 256);
    let first = share.iter().position(|b| *b != 0).unwrap();
    assert_eq!(&share[first..], y, "g^x mod p differs from OpenSSL's");
}

#[test]
fn tls12_dhe_with_server_chosen_group() {
    let p = ffdhe_prime(KxGroup::Ffdhe2048).unwrap();
    let server = KxGroup::Ffdhe2048.start(&SystemRandom).unwrap();
    let ys = server.public_share().to_vec();
    let (yc, client_secret) = dhe_client_custom(&p, &[2], &ys, 2048, &SystemRandom).unwrap();
    let server_secret = server.complete_tls12(&yc).unwrap();
    assert_eq!(client_secret, server_secret);
    // RFC 5246 §8.1.2: leading zero bytes of Z are stripped in TLS 1.2.
    assert_ne!(client_secret.expose()[0], 0);

    let e = dhe_client_custom(&p, &[2], &ys, 3072, &SystemRandom).unwrap_err();
    assert!(matches!(
        e,
        CryptoError::WeakDhGroup {
            bits: 2048,
            min_bits: 3072
        }
    ));
    assert_eq!(e.alert(), AlertDescription::InsufficientSecurity);
    for (g, y) in [(&[2u8][..], &[1u8][..]), (&[1], &ys[..]), (&[2], &p[..])] {
        let e = dhe_client_custom(&p, g, y, 2048, &SystemRandom).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::IllegalParameter);
    }
    let mut even = p.clone();
    *even.last_mut().unwrap() -= 1;
    assert!(dhe_client_custom(&even, &[2], &[2], 2048, &SystemRandom).is_err());
}

fn keys() -> Vec<(SigningKey, Vec<u8>)> {
    let mut out = Vec::new();
    for alg in [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_ED25519,
    ] {
        let der = rcgen::KeyPair::generate_for(alg).unwrap().serialize_der();
        let k = SigningKey::from_pkcs8_der(&der).unwrap();
        let pk = k.public_key();
        out.push((k, pk));
    }
    let rsa = SigningKey::from_pkcs8_der(&generate_rsa_pkcs8(2048).unwrap()).unwrap();
    let pk = rsa.public_key();
    out.push((rsa, pk));
    out
}

#[test]
fn every_scheme_signs_and_verifies() {
    let msg = b"TLS 1.3, server CertificateVerify\0 transcript hash";
    let keys = keys();
    let mut seen = Vec::new();
    for (key, pk) in &keys {
        for &scheme in key.schemes() {
            seen.push(scheme);
            let sig = key.sign(scheme, msg, &SystemRandom).unwrap();
            verify(scheme, pk, msg, &sig, TLS12_VERIFY_SCHEMES).unwrap();
            let mut flipped = sig.clone();
            flipped[sig.len() / 2] ^= 1;
            assert_eq!(
                verify(scheme, pk, msg, &flipped, TLS12_VERIFY_SCHEMES),
                Err(CryptoError::BadSignature),
                "{scheme}"
            );
            assert_eq!(
                verify(scheme, pk, b"other", &sig, TLS12_VERIFY_SCHEMES),
                Err(CryptoError::BadSignature)
            );
            // Every other scheme refuses this key (or, for RSA, this signature).
            for &other in TLS12_VERIFY_SCHEMES.iter().filter(|s| **s != scheme) {
                assert!(verify(other, pk, msg, &sig, TLS12_VERIFY_SCHEMES).is_err());
                if !key.schemes().contains(&other) {
                    assert!(matches!(
                        key.sign(other, msg, &SystemRandom),
                        Err(CryptoError::SchemeKeyMismatch { .. })
                    ));
                }
            }
        }
    }
    for s in TLS12_VERIFY_SCHEMES {
        assert!(seen.contains(s), "{s} not exercised");
    }
    // TLS 1.3 CertificateVerify never accepts PKCS#1 v1.5 (RFC 8446 §4.4.3).
    let (rsa, pk) = keys.last().unwrap();
    let sig = rsa
        .sign(SignatureScheme::RsaPkcs1Sha256, msg, &SystemRandom)
        .unwrap();
    assert!(matches!(
        verify(
            SignatureScheme::RsaPkcs1Sha256,
            pk,
            msg,
            &sig,
            TLS13_VERIFY_SCHEMES
        ),
        Err(CryptoError::SchemeNotAllowed { .. })
    ));
}

#[test]
fn sha1_is_verify_only_and_off_by_default() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let (key, spki, msg, sig) = (path("k.pem"), path("pub.der"), path("msg"), path("sig"));
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        &key,
    ]);
    openssl(&[
        "pkey", "-in", &key, "-pubout", "-outform", "DER", "-out", &spki,
    ]);
    std::fs::write(&msg, b"legacy").unwrap();
    openssl(&["dgst", "-sha1", "-sign", &key, "-out", &sig, &msg]);
    let (spki, sig) = (std::fs::read(&spki).unwrap(), std::fs::read(&sig).unwrap());
    let s = SignatureScheme::RsaPkcs1Sha1;

    assert!(matches!(
        verify(s, &spki, b"legacy", &sig, TLS12_VERIFY_SCHEMES),
        Err(CryptoError::SchemeNotAllowed { .. })
    ));
    let allowed: Vec<_> = TLS12_VERIFY_SCHEMES
        .iter()
        .chain(LEGACY_SHA1_SCHEMES)
        .copied()
        .collect();
    verify(s, &spki, b"legacy", &sig, &allowed).unwrap();
    assert_eq!(
        verify(s, &spki, b"legacY", &sig, &allowed),
        Err(CryptoError::BadSignature)
    );
    // No key signs SHA-1.
    let der = openssl(&["pkey", "-in", &key, "-outform", "DER"]);
    let k = SigningKey::from_der(&der).unwrap();
    assert!(!k.schemes().contains(&s));
    assert!(k.sign(s, b"legacy", &SystemRandom).is_err());
}

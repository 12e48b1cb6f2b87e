//! Certificate authentication across modules: the shared test PKI verified
//! through `auth::verify` with the system clock, and the TLS 1.3
//! CertificateVerify content rebuilt from the RFC 8448 §3 trace.
// Test code: fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use ferrotls::auth::{
    tls13_certificate_verify_content, verify_tls13_signature, ClientCertVerifier, ClientIdentity,
    RootSource, RootStore, ServerCertVerifier, Signer, TLS13_VERIFY_SCHEMES,
};
use ferrotls::crypto::hash::HashAlgorithm;
use ferrotls::error::CertificateError;
use ferrotls::msgs::enums::{AlertDescription, SignatureScheme};
use ferrotls_test::pki::{KeyType, Pki, SERVER_NAME, WRONG_HOST_NAME};
use ferrotls_test::rfc8448;
use rustls_pki_types::{CertificateDer, ServerName};

fn roots(pki: &Pki) -> Arc<RootStore> {
    let pem = pki.ca_bundle_pem().into_bytes();
    Arc::new(RootStore::load(&RootSource::Pem(pem)).unwrap())
}

fn name(s: &str) -> ServerName<'static> {
    ServerName::try_from(s.to_string()).unwrap()
}

#[test]
fn shared_pki_server_leaves_verify_now() {
    let pki = Pki::get();
    let verifier = ServerCertVerifier::new(roots(pki));
    for key_type in KeyType::ALL {
        let chain = pki.server(key_type).chain();
        for host in [SERVER_NAME, "127.0.0.1", "::1"] {
            verifier
                .verify(&chain, &name(host))
                .unwrap_or_else(|e| panic!("{key_type:?} {host}: {e}"));
        }
        let e = verifier.verify(&chain, &name("127.0.0.2")).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::BadCertificate);
    }
}

#[test]
fn shared_pki_negative_cases() {
    let pki = Pki::get();
    let verifier = ServerCertVerifier::new(roots(pki));
    let e = verifier
        .verify(&pki.untrusted_server.chain(), &name(SERVER_NAME))
        .unwrap_err();
    assert_eq!(e, CertificateError::UnknownIssuer);
    assert_eq!(e.alert(), AlertDescription::UnknownCa);

    let wrong = pki.wrong_host_server.chain();
    let e = verifier.verify(&wrong, &name(SERVER_NAME)).unwrap_err();
    assert_eq!(e.alert(), AlertDescription::BadCertificate);
    verifier.verify(&wrong, &name(WRONG_HOST_NAME)).unwrap();
}

#[test]
fn shared_pki_client_leaves() {
    let pki = Pki::get();
    let verifier = ClientCertVerifier::new(roots(pki));
    for key_type in KeyType::ALL {
        let identity = verifier.verify(&pki.client(key_type).chain()).unwrap();
        assert!(matches!(identity, ClientIdentity::Verified(_)));
        // A serverAuth-only leaf is not a client certificate.
        let e = verifier.verify(&pki.server(key_type).chain()).unwrap_err();
        assert_eq!(e, CertificateError::InvalidPurpose);
    }
    // The CertificateRequest names one authority per trusted CA.
    assert_eq!(verifier.root_subjects().len(), KeyType::ALL.len());
}

/// The body of a handshake message: after the 4-byte header.
fn body(msg: &[u8]) -> &[u8] {
    &msg[4..]
}

#[test]
fn rfc8448_server_certificate_verify_content() {
    let trace = rfc8448::section(3);
    let messages = [
        trace.value("client", "construct a ClientHello", "ClientHello"),
        trace.value("server", "construct a ServerHello", "ServerHello"),
        trace.value(
            "server",
            "construct an EncryptedExtensions",
            "EncryptedExtensions",
        ),
        trace.value("server", "construct a Certificate", "Certificate"),
    ];
    // RFC 8446 §4.4.3: the content is Transcript-Hash(Handshake Context,
    // Certificate), here SHA-256 (TLS_AES_128_GCM_SHA256).
    let mut transcript = HashAlgorithm::Sha256.start();
    for m in messages {
        transcript.update(m);
    }
    let hash = transcript.finish();
    let content = tls13_certificate_verify_content(Signer::Server, hash.as_ref());

    assert_eq!(content.len(), 64 + 33 + 1 + 32);
    assert!(content[..64].iter().all(|&b| b == 0x20));
    assert_eq!(&content[64..97], b"TLS 1.3, server CertificateVerify");
    assert_eq!(content[97], 0);
    assert_eq!(&content[98..], hash.as_ref());

    // CertificateVerify: algorithm rsa_pss_rsae_sha256, then a 128-byte
    // signature from the trace's RSA-1024 key.
    let cv = body(trace.value(
        "server",
        "construct a CertificateVerify",
        "CertificateVerify",
    ));
    assert_eq!(&cv[..2], &[0x08, 0x04]);
    let signature = &cv[4..];
    assert_eq!(signature.len(), 0x80);

    // Certificate: context <0>, list length (3), entry length (3), DER.
    let cert = body(messages[3]);
    let der_len = u32::from_be_bytes([0, cert[4], cert[5], cert[6]]) as usize;
    let ee = CertificateDer::from(cert[7..7 + der_len].to_vec());

    // ferrotls accepts RSA keys of 2048 bits and more (the webpki
    // algorithms' floor), so the RFC's 1024-bit example key cannot verify;
    // webpki reports it as a signature that does not verify, decrypt_error.
    let r = verify_tls13_signature(
        &ee,
        SignatureScheme::RsaPssRsaeSha256,
        TLS13_VERIFY_SCHEMES,
        &content,
        signature,
    );
    assert_eq!(r.unwrap_err().alert(), Some(AlertDescription::DecryptError));
    // And a scheme we did not offer is illegal_parameter.
    let e = verify_tls13_signature(
        &ee,
        SignatureScheme::RsaPssRsaeSha256,
        &[SignatureScheme::Ed25519],
        &content,
        signature,
    )
    .unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter));
}

#[test]
fn shared_pki_select_sign_and_verify() {
    use ferrotls::auth::{
        tls12_server_key_exchange_content, verify_tls12_signature, CertifiedKey, Offer,
        ServerCertResolver, TLS12_VERIFY_SCHEMES,
    };
    use ferrotls::crypto::rand::SystemRandom;
    use ferrotls::msgs::enums::ProtocolVersion;

    let pki = Pki::get();
    let mut resolver = ServerCertResolver::new();
    for key_type in KeyType::ALL {
        let id = pki.server(key_type);
        let key = CertifiedKey::from_pem(id.chain_pem().as_bytes(), id.key_pem.as_bytes())
            .unwrap_or_else(|e| panic!("{key_type:?}: {e}"));
        resolver.add_default(Arc::new(key));
    }
    let verifier = ServerCertVerifier::new(roots(pki));

    // Each single-scheme offer picks the key that can sign it; the
    // signature then verifies against the chain the resolver picked.
    for scheme in TLS13_VERIFY_SCHEMES
        .iter()
        .filter(|s| **s != SignatureScheme::EcdsaSecp521r1Sha512)
    {
        let offered = [*scheme];
        let offer = Offer {
            version: ProtocolVersion::TLSv1_3,
            signature_schemes: &offered,
            signature_schemes_cert: None,
            certificate_authorities: &[],
        };
        let chosen = resolver.resolve(Some(SERVER_NAME), &offer).unwrap();
        assert_eq!(chosen.scheme, *scheme);
        verifier
            .verify(chosen.key.chain(), &name(SERVER_NAME))
            .unwrap();
        let content = tls13_certificate_verify_content(Signer::Server, &[0x42; 32]);
        let sig = chosen
            .key
            .key()
            .sign(chosen.scheme, &content, &SystemRandom)
            .unwrap();
        let ee = &chosen.key.chain()[0];
        verify_tls13_signature(ee, chosen.scheme, &offered, &content, &sig).unwrap();
        // Signed as the server, checked as a client signature: decrypt_error.
        let as_client = tls13_certificate_verify_content(Signer::Client, &[0x42; 32]);
        let e = verify_tls13_signature(ee, chosen.scheme, &offered, &as_client, &sig).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::DecryptError));
    }

    // TLS 1.2 ServerKeyExchange with RSA PKCS#1, which 1.3 refuses.
    let offered = [SignatureScheme::RsaPkcs1Sha256];
    let mut offer = Offer {
        version: ProtocolVersion::TLSv1_3,
        signature_schemes: &offered,
        signature_schemes_cert: None,
        certificate_authorities: &[],
    };
    let e = resolver.resolve(Some(SERVER_NAME), &offer).unwrap_err();
    assert_eq!(e.alert(), AlertDescription::HandshakeFailure);
    offer.version = ProtocolVersion::TLSv1_2;
    let chosen = resolver.resolve(Some(SERVER_NAME), &offer).unwrap();
    let content = tls12_server_key_exchange_content(&[1; 32], &[2; 32], &[3, 0, 29, 32]);
    let sig = chosen
        .key
        .key()
        .sign(chosen.scheme, &content, &SystemRandom)
        .unwrap();
    verify_tls12_signature(
        &chosen.key.chain()[0],
        chosen.scheme,
        TLS12_VERIFY_SCHEMES,
        &content,
        &sig,
    )
    .unwrap();
}

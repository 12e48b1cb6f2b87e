//! The TLS 1.3 interop matrix: every suite × key exchange group × server
//! certificate type, what each case must negotiate, and the names the
//! command-line peers (OpenSSL, GnuTLS) use for each parameter.
//!
//! [`run_cases`] runs every case even when some fail, then fails once with the
//! list, so one run of a matrix shows every broken combination.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ferrotls::msgs::enums::{CipherSuite, NamedGroup, SignatureScheme};

use crate::pki::KeyType;

/// The TLS 1.3 cipher suites (RFC 8446 §B.4) the matrix covers.
pub const SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
];

/// The key exchange groups the matrix covers.
pub const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::Secp256r1,
    NamedGroup::Secp384r1,
];

/// One combination: both ends must settle on exactly these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Case {
    pub suite: CipherSuite,
    pub group: NamedGroup,
    /// The server certificate's key type.
    pub key_type: KeyType,
}

impl Case {
    /// The scheme the server must sign CertificateVerify with.
    pub fn scheme(&self) -> SignatureScheme {
        server_scheme(self.key_type)
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / {} / {} cert",
            self.suite,
            self.group,
            self.key_type.name()
        )
    }
}

/// Every suite × group × key type combination.
pub fn cases(suites: &[CipherSuite], groups: &[NamedGroup], key_types: &[KeyType]) -> Vec<Case> {
    let mut out = Vec::new();
    for &suite in suites {
        for &group in groups {
            for &key_type in key_types {
                out.push(Case {
                    suite,
                    group,
                    key_type,
                });
            }
        }
    }
    out
}

/// The full matrix: 3 suites × {x25519, secp256r1, secp384r1} × 4 certificates.
pub fn full_matrix() -> Vec<Case> {
    cases(&SUITES, &GROUPS, &KeyType::ALL)
}

/// The scheme a TLS 1.3 server signs with for a key type. RFC 8446 §4.2.3:
/// ECDSA schemes name the curve, so a P-384 key signs with
/// ecdsa_secp384r1_sha384; RSA keys must use RSASSA-PSS (rsa_pss_rsae_*).
pub fn server_scheme(key_type: KeyType) -> SignatureScheme {
    match key_type {
        KeyType::EcdsaP256 => SignatureScheme::EcdsaSecp256r1Sha256,
        KeyType::EcdsaP384 => SignatureScheme::EcdsaSecp384r1Sha384,
        KeyType::Rsa2048 => SignatureScheme::RsaPssRsaeSha256,
        KeyType::Ed25519 => SignatureScheme::Ed25519,
    }
}

/// OpenSSL's `-groups` name.
pub fn openssl_group(group: NamedGroup) -> &'static str {
    match group {
        NamedGroup::X25519 => "X25519",
        NamedGroup::Secp256r1 => "P-256",
        NamedGroup::Secp384r1 => "P-384",
        other => panic!("no OpenSSL name for {other} in the matrix"),
    }
}

/// How `s_client` prints the group in `Server Temp Key: ...` (up to the bit count).
pub fn openssl_temp_key(group: NamedGroup) -> &'static str {
    match group {
        NamedGroup::X25519 => "X25519, 253 bits",
        NamedGroup::Secp256r1 => "ECDH, prime256v1, 256 bits",
        NamedGroup::Secp384r1 => "ECDH, secp384r1, 384 bits",
        other => panic!("no OpenSSL name for {other} in the matrix"),
    }
}

/// How `s_client` prints the server's signature in `Peer signature type: ...`.
pub fn openssl_signature_type(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::EcdsaP256 | KeyType::EcdsaP384 => "ECDSA",
        KeyType::Rsa2048 => "RSA-PSS",
        KeyType::Ed25519 => "ed25519",
    }
}

/// GnuTLS's priority keyword for a group (`+GROUP-...`).
pub fn gnutls_group(group: NamedGroup) -> &'static str {
    match group {
        NamedGroup::X25519 => "GROUP-X25519",
        NamedGroup::Secp256r1 => "GROUP-SECP256R1",
        NamedGroup::Secp384r1 => "GROUP-SECP384R1",
        other => panic!("no GnuTLS name for {other} in the matrix"),
    }
}

/// The key exchange part of GnuTLS's `- Description:` line.
pub fn gnutls_kx(group: NamedGroup) -> &'static str {
    match group {
        NamedGroup::X25519 => "ECDHE-X25519",
        NamedGroup::Secp256r1 => "ECDHE-SECP256R1",
        NamedGroup::Secp384r1 => "ECDHE-SECP384R1",
        other => panic!("no GnuTLS name for {other} in the matrix"),
    }
}

/// GnuTLS's cipher name (priority keyword and `- Description:` part).
pub fn gnutls_cipher(suite: CipherSuite) -> &'static str {
    match suite {
        CipherSuite::TLS_AES_128_GCM_SHA256 => "AES-128-GCM",
        CipherSuite::TLS_AES_256_GCM_SHA384 => "AES-256-GCM",
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256 => "CHACHA20-POLY1305",
        other => panic!("no GnuTLS name for {other} in the matrix"),
    }
}

/// The signature part of GnuTLS's `- Description:` line.
pub fn gnutls_signature(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::EcdsaP256 => "ECDSA-SECP256R1-SHA256",
        KeyType::EcdsaP384 => "ECDSA-SECP384R1-SHA384",
        KeyType::Rsa2048 => "RSA-PSS-RSAE-SHA256",
        KeyType::Ed25519 => "EdDSA-Ed25519",
    }
}

/// A GnuTLS priority string allowing TLS 1.3 with exactly one suite and one group.
pub fn gnutls_priority(suite: CipherSuite, group: NamedGroup) -> String {
    format!(
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+{}:-GROUP-ALL:+{}",
        gnutls_cipher(suite),
        gnutls_group(group)
    )
}

/// Runs `check` on every case, catching failures, and panics at the end
/// with every failing case and its message (or returns if all passed).
pub fn run_cases<C: fmt::Display>(what: &str, cases: &[C], mut check: impl FnMut(&C)) {
    let mut failures = Vec::new();
    for case in cases {
        let result = catch_unwind(AssertUnwindSafe(|| check(case)));
        if let Err(payload) = result {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(non-text panic)".into());
            failures.push(format!("--- {case}:\n{message}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{what}: {} of {} cases failed\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_matrix_has_every_combination_once() {
        let all = full_matrix();
        assert_eq!(all.len(), 36);
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a} twice");
        }
        assert_eq!(
            all[0].to_string(),
            "TLS_AES_128_GCM_SHA256 / x25519 / ecdsa cert"
        );
    }

    #[test]
    fn run_cases_reports_every_failure() {
        let err = catch_unwind(|| {
            run_cases("numbers", &[1, 2, 3, 4], |n| {
                assert!(n % 2 == 1, "{n} is even")
            })
        })
        .unwrap_err();
        let text = err.downcast_ref::<String>().unwrap();
        assert!(text.contains("2 of 4 cases failed"), "{text}");
        assert!(text.contains("--- 2:\n2 is even"), "{text}");
        assert!(text.contains("--- 4:\n4 is even"), "{text}");
        run_cases("numbers", &[1, 3], |n| assert!(n % 2 == 1));
    }

    #[test]
    fn gnutls_priority_names_one_suite_and_group() {
        assert_eq!(
            gnutls_priority(CipherSuite::TLS_CHACHA20_POLY1305_SHA256, NamedGroup::Secp256r1),
            "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305:-GROUP-ALL:+GROUP-SECP256R1"
        );
    }
}

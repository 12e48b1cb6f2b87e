//! What a handshake settled on, as the application sees it.

use rustls_pki_types::CertificateDer;

use crate::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

/// The parameters of a connection, filled in as the handshake settles them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Negotiated {
    pub version: Option<ProtocolVersion>,
    pub cipher_suite: Option<CipherSuite>,
    /// The key exchange group (none for a TLS 1.2 static RSA or a psk_ke resumption).
    pub group: Option<NamedGroup>,
    /// The scheme the server signed the handshake with (both ends report
    /// the server's, so their summaries agree).
    pub signature_scheme: Option<SignatureScheme>,
    /// The ALPN protocol agreed (RFC 7301).
    pub alpn: Option<Vec<u8>>,
    /// The server name the client asked for (RFC 6066 §3).
    pub server_name: Option<String>,
    /// The peer's certificate chain, end-entity first.
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// Whether the session was resumed.
    pub resumed: bool,
    /// Whether the client authenticated with a certificate.
    pub client_auth: bool,
    /// Whether the server asked for a new ClientHello (RFC 8446 §4.1.4).
    pub hello_retry: bool,
    /// TLS 1.2: whether the master secret is the extended one (RFC 7627).
    pub extended_master_secret: bool,
}

/// IANA name or `-`, as the CLI summary line prints them.
pub fn name_or_dash<T: core::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

impl Negotiated {
    /// One line: `version=TLSv1.3 cipher=... group=... signature=... alpn=-
    /// resumed=no client_auth=no`.
    pub fn summary(&self) -> String {
        let alpn = self.alpn.as_ref().map_or_else(
            || "-".to_string(),
            |p| String::from_utf8_lossy(p).into_owned(),
        );
        format!(
            "version={} cipher={} group={} signature={} alpn={} resumed={} client_auth={}",
            name_or_dash(self.version),
            name_or_dash(self.cipher_suite),
            name_or_dash(self.group),
            name_or_dash(self.signature_scheme),
            alpn,
            if self.resumed { "yes" } else { "no" },
            if self.client_auth { "yes" } else { "no" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_uses_iana_names_and_dashes() {
        let n = Negotiated {
            version: Some(ProtocolVersion::TLSv1_3),
            cipher_suite: Some(CipherSuite::TLS_AES_128_GCM_SHA256),
            group: Some(NamedGroup::X25519),
            signature_scheme: Some(SignatureScheme::EcdsaSecp256r1Sha256),
            ..Negotiated::default()
        };
        assert_eq!(
            n.summary(),
            "version=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 group=x25519 \
             signature=ecdsa_secp256r1_sha256 alpn=- resumed=no client_auth=no"
        );
    }
}

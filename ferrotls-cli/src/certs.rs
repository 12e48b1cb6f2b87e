//! A throw-away certificate chain for `ferrotls server` and `demo` when no
//! certificate is given: a CA and a `localhost` leaf (DNS localhost, IP
//! 127.0.0.1 and ::1), ECDSA P-256, made fresh each run.

use std::sync::Arc;

use ferrotls::auth::{CertifiedKey, RootStore, ServerCertResolver};

/// A generated CA and server chain.
pub struct Generated {
    pub ca_pem: String,
    pub chain_pem: String,
    pub key_pem: String,
}

pub fn generate() -> Result<Generated, String> {
    let err = |e: rcgen::Error| format!("generating certificates: {e}");
    let ca_key = rcgen::KeyPair::generate().map_err(err)?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "ferrotls throw-away CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = ca_params.self_signed(&ca_key).map_err(err)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let leaf_key = rcgen::KeyPair::generate().map_err(err)?;
    let mut leaf_params = rcgen::CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .map_err(err)?;
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).map_err(err)?;
    Ok(Generated {
        ca_pem: ca.pem(),
        chain_pem: format!("{}{}", leaf.pem(), ca.pem()),
        key_pem: leaf_key.serialize_pem(),
    })
}

impl Generated {
    /// A resolver serving this chain for every name.
    pub fn resolver(&self) -> Result<Arc<ServerCertResolver>, String> {
        resolver_from_pem(self.chain_pem.as_bytes(), self.key_pem.as_bytes())
    }

    /// Roots holding only this CA.
    pub fn roots(&self) -> Result<Arc<RootStore>, String> {
        RootStore::from_pem(self.ca_pem.as_bytes())
            .map(Arc::new)
            .map_err(|e| format!("CA certificate: {e}"))
    }
}

/// A resolver serving one chain (PEM) and key (PEM) for every name.
pub fn resolver_from_pem(chain: &[u8], key: &[u8]) -> Result<Arc<ServerCertResolver>, String> {
    let key = CertifiedKey::from_pem(chain, key).map_err(|e| format!("certificate: {e}"))?;
    let mut resolver = ServerCertResolver::new();
    resolver.add_default(Arc::new(key));
    Ok(Arc::new(resolver))
}

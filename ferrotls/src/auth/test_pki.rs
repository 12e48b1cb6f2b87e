//! A small PKI for the auth tests: a root, an intermediate under it, and
//! leaves with fixed validity periods so tests can choose the time.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevokedCertParams, SanType, SerialNumber, SignatureAlgorithm,
};
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};

use super::roots::RootStore;

/// Noon on 1 July of `year`.
pub fn at(year: i32) -> UnixTime {
    let t = date_time_ymd(year, 7, 1).unix_timestamp() + 12 * 3600;
    UnixTime::since_unix_epoch(core::time::Duration::from_secs(t as u64))
}

/// A root CA and an intermediate it signed; leaves come from the intermediate.
pub struct TestCa {
    root: rcgen::Certificate,
    intermediate: rcgen::Certificate,
    issuer: Issuer<'static, KeyPair>,
}

/// What a leaf should hold.
pub struct Leaf {
    names: Vec<String>,
    ips: Vec<std::net::IpAddr>,
    eku: ExtendedKeyUsagePurpose,
    serial: u64,
    alg: &'static SignatureAlgorithm,
}

impl Leaf {
    pub fn server(dns: &str) -> Self {
        Self {
            names: vec![dns.into()],
            ips: vec![],
            eku: ExtendedKeyUsagePurpose::ServerAuth,
            serial: 1000,
            alg: &rcgen::PKCS_ECDSA_P256_SHA256,
        }
    }

    pub fn client(name: &str) -> Self {
        Self {
            eku: ExtendedKeyUsagePurpose::ClientAuth,
            ..Self::server(name)
        }
    }

    pub fn with_ip(mut self, ip: &str) -> Self {
        self.ips.push(ip.parse().unwrap());
        self
    }

    pub fn with_serial(mut self, serial: u64) -> Self {
        self.serial = serial;
        self
    }

    pub fn with_key(mut self, alg: &'static SignatureAlgorithm) -> Self {
        self.alg = alg;
        self
    }
}

/// An issued leaf: the chain (leaf, intermediate) and the leaf's key.
pub struct Chain {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: KeyPair,
    /// The chain as PEM, leaf first.
    pub chain_pem: String,
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2050, 1, 1);
    params.key_identifier_method = KeyIdMethod::Sha256;
    params
}

impl TestCa {
    /// Key algorithms the tests cover.
    pub const ALGS: [&'static SignatureAlgorithm; 4] = [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_ED25519,
        &rcgen::PKCS_RSA_SHA256,
    ];

    pub fn new(alg: &'static SignatureAlgorithm) -> Self {
        let root_key = KeyPair::generate_for(alg).unwrap();
        // Distinct names per CA, so a chain never names a foreign root.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root_params = ca_params(&format!("ferrotls test root {n}"));
        let root = root_params.self_signed(&root_key).unwrap();
        let root_issuer = Issuer::new(root_params, root_key);

        let int_key = KeyPair::generate_for(alg).unwrap();
        let int_params = ca_params(&format!("ferrotls test intermediate {n}"));
        let intermediate = int_params.signed_by(&int_key, &root_issuer).unwrap();
        Self {
            root,
            intermediate,
            issuer: Issuer::new(int_params, int_key),
        }
    }

    pub fn roots(&self) -> RootStore {
        RootStore::from_pem(self.root.pem().as_bytes()).unwrap()
    }

    pub fn issue(&self, leaf: &Leaf) -> Chain {
        let key = KeyPair::generate_for(leaf.alg).unwrap();
        let mut params = CertificateParams::new(leaf.names.clone()).unwrap();
        params
            .subject_alt_names
            .extend(leaf.ips.iter().map(|ip| SanType::IpAddress(*ip)));
        params
            .distinguished_name
            .push(DnType::CommonName, leaf.names[0].clone());
        params.extended_key_usages = vec![leaf.eku.clone()];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.serial_number = Some(SerialNumber::from(leaf.serial));
        params.not_before = date_time_ymd(2025, 1, 1);
        params.not_after = date_time_ymd(2035, 1, 1);
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Chain {
            chain: vec![cert.der().clone(), self.intermediate.der().clone()],
            key,
            chain_pem: format!("{}{}", cert.pem(), self.intermediate.pem()),
        }
    }

    /// A revocation list from the intermediate naming `serial`.
    pub fn crl_revoking(&self, serial: u64) -> CertificateRevocationListDer<'static> {
        let params = CertificateRevocationListParams {
            this_update: date_time_ymd(2026, 1, 1),
            next_update: date_time_ymd(2027, 1, 1),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: vec![RevokedCertParams {
                serial_number: SerialNumber::from(serial),
                revocation_time: date_time_ymd(2026, 1, 1),
                reason_code: None,
                invalidity_date: None,
            }],
            key_identifier_method: KeyIdMethod::Sha256,
        };
        params.signed_by(&self.issuer).unwrap().der().clone()
    }
}

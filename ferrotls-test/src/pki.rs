//! A throw-away test PKI, generated in memory with rcgen once per test process.
//!
//! The layout follows `/work/shared/peers/make-pki.sh`: one CA per key type, so
//! every chain is "pure" (a leaf is signed with the same algorithm family as its
//! own key). OpenSSL refuses a chain whose signature algorithm is not in the
//! peer's `signature_algorithms`, so a mixed chain would fail for reasons that
//! have nothing to do with the test.
//!
//! - trusted CAs: ECDSA P-256, ECDSA P-384, RSA-2048, Ed25519 ([`Pki::roots`]);
//! - server leaves: CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1,
//!   EKU serverAuth ([`Pki::server`]);
//! - client leaves: CN=`Test TLS Client <type>`, EKU clientAuth ([`Pki::client`]);
//! - negative cases: an "unknown" CA outside the roots with a `localhost` leaf
//!   ([`Pki::untrusted_server`]), and a leaf for `other.example` issued by the
//!   trusted ECDSA P-256 CA ([`Pki::wrong_host_server`]).
//!
//! [`Pki::write_pem_files`] writes it all as PEM into a temp directory for the
//! command-line peers (`openssl`, `gnutls-*`).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SignatureAlgorithm,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The key algorithms of the test PKI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// ECDSA on P-256, certificates signed with ecdsa-with-SHA256.
    EcdsaP256,
    /// ECDSA on P-384, certificates signed with ecdsa-with-SHA384.
    EcdsaP384,
    /// RSA-2048, certificates signed with sha256WithRSAEncryption.
    Rsa2048,
    /// Ed25519.
    Ed25519,
}

impl KeyType {
    /// Every key type, in a fixed order.
    pub const ALL: [KeyType; 4] = [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Rsa2048,
        KeyType::Ed25519,
    ];

    /// Short name used in file names and subjects (`ecdsa`, `ecdsa-p384`, `rsa`, `ed25519`),
    /// matching make-pki.sh where it has the same key type.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "ecdsa",
            KeyType::EcdsaP384 => "ecdsa-p384",
            KeyType::Rsa2048 => "rsa",
            KeyType::Ed25519 => "ed25519",
        }
    }

    fn algorithm(self) -> &'static SignatureAlgorithm {
        match self {
            KeyType::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyType::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyType::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
            KeyType::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }

    fn generate_key(self) -> KeyPair {
        let key = KeyPair::generate_for(self.algorithm())
            .unwrap_or_else(|e| panic!("generating a {} key: {e}", self.name()));
        if self == KeyType::Ed25519 {
            return ed25519_pkcs8_v1(&key);
        }
        key
    }
}

/// What a leaf certificate is for (its extended key usage).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// EKU serverAuth.
    Server,
    /// EKU clientAuth.
    Client,
}

/// A certificate authority: its self-signed certificate and the means to issue more leaves.
pub struct Ca {
    /// The CA's key type (and so the signature algorithm of what it issues).
    pub key_type: KeyType,
    /// The self-signed CA certificate.
    pub cert: CertificateDer<'static>,
    /// `cert` as PEM.
    pub cert_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn new(key_type: KeyType, common_name: &str) -> Ca {
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        set_validity(&mut params);
        let key = key_type.generate_key();
        let cert = params.self_signed(&key).expect("self-signing a test CA");
        Ca {
            key_type,
            cert_pem: cert.pem(),
            cert: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// Issues a new leaf with a fresh key of `key_type`, subject CN=`common_name` and the given
    /// subject alternative names (DNS names, or IP addresses when they parse as one).
    pub fn issue(
        &self,
        key_type: KeyType,
        common_name: &str,
        subject_alt_names: &[&str],
        usage: Usage,
    ) -> Identity {
        let sans: Vec<String> = subject_alt_names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(sans).expect("valid subject alt names");
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::ExplicitNoCa;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        if key_type == KeyType::Rsa2048 && usage == Usage::Server {
            params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
        }
        params.extended_key_usages = vec![match usage {
            Usage::Server => ExtendedKeyUsagePurpose::ServerAuth,
            Usage::Client => ExtendedKeyUsagePurpose::ClientAuth,
        }];
        set_validity(&mut params);
        let key = key_type.generate_key();
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("signing a test leaf");
        Identity {
            key_type,
            cert_pem: cert.pem(),
            cert: cert.der().clone(),
            key_pem: key.serialize_pem(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
            ca: self.cert.clone(),
            ca_pem: self.cert_pem.clone(),
        }
    }
}

/// A leaf certificate, its private key and the CA that issued it.
pub struct Identity {
    /// The leaf's key type.
    pub key_type: KeyType,
    /// The leaf certificate.
    pub cert: CertificateDer<'static>,
    /// `cert` as PEM.
    pub cert_pem: String,
    /// The leaf's private key (PKCS#8).
    pub key: PrivatePkcs8KeyDer<'static>,
    /// `key` as PEM (`PRIVATE KEY`).
    pub key_pem: String,
    /// The issuing CA's certificate.
    pub ca: CertificateDer<'static>,
    /// `ca` as PEM.
    pub ca_pem: String,
}

impl Identity {
    /// The chain to send in a Certificate message: the leaf, then its CA.
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        vec![self.cert.clone(), self.ca.clone()]
    }

    /// The private key as the generic pki-types enum.
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.clone_key())
    }

    /// Leaf then CA, as PEM.
    pub fn chain_pem(&self) -> String {
        format!("{}{}", self.cert_pem, self.ca_pem)
    }
}

/// The whole test PKI. Use [`Pki::get`] for the per-process shared one.
pub struct Pki {
    cas: Vec<Ca>,
    servers: Vec<Identity>,
    clients: Vec<Identity>,
    /// A CA that is not among [`Pki::roots`].
    pub unknown_ca: Ca,
    /// A `localhost` server leaf (ECDSA P-256) issued by `unknown_ca`: must be rejected.
    pub untrusted_server: Identity,
    /// A server leaf for `other.example` only, issued by the trusted ECDSA P-256 CA:
    /// must be rejected when connecting to `localhost` / 127.0.0.1.
    pub wrong_host_server: Identity,
}

/// The host name the server leaves are for (the SNI and verify name to use).
pub const SERVER_NAME: &str = "localhost";
/// The only name in [`Pki::wrong_host_server`].
pub const WRONG_HOST_NAME: &str = "other.example";
/// Subject names of the server leaves, as make-pki.sh has them.
pub const SERVER_SANS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// Prefix of every client leaf's CN (followed by a space and [`KeyType::name`]).
pub const CLIENT_CN: &str = "Test TLS Client";

impl Pki {
    /// The PKI shared by every test in this process (generated on first use).
    pub fn get() -> &'static Pki {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(Pki::generate)
    }

    /// Generates a fresh PKI (a few hundred milliseconds, mostly the RSA keys).
    pub fn generate() -> Pki {
        let cas: Vec<Ca> = KeyType::ALL
            .iter()
            .map(|&kt| Ca::new(kt, &format!("ferrotls Test CA ({})", kt.name())))
            .collect();
        let servers = cas
            .iter()
            .map(|ca| ca.issue(ca.key_type, SERVER_NAME, &SERVER_SANS, Usage::Server))
            .collect();
        let clients = cas
            .iter()
            .map(|ca| {
                let cn = format!("{CLIENT_CN} {}", ca.key_type.name());
                ca.issue(ca.key_type, &cn, &[], Usage::Client)
            })
            .collect();
        let unknown_ca = Ca::new(KeyType::EcdsaP256, "ferrotls Unknown Test CA");
        let untrusted_server =
            unknown_ca.issue(KeyType::EcdsaP256, SERVER_NAME, &SERVER_SANS, Usage::Server);
        let wrong_host_server = cas[0].issue(
            KeyType::EcdsaP256,
            WRONG_HOST_NAME,
            &[WRONG_HOST_NAME],
            Usage::Server,
        );
        Pki {
            cas,
            servers,
            clients,
            unknown_ca,
            untrusted_server,
            wrong_host_server,
        }
    }

    fn index(key_type: KeyType) -> usize {
        KeyType::ALL
            .iter()
            .position(|&k| k == key_type)
            .expect("every key type is in ALL")
    }

    /// The trusted CA of `key_type`.
    pub fn ca(&self, key_type: KeyType) -> &Ca {
        &self.cas[Self::index(key_type)]
    }

    /// The `localhost` server leaf of `key_type`, issued by [`Pki::ca`] of the same type.
    pub fn server(&self, key_type: KeyType) -> &Identity {
        &self.servers[Self::index(key_type)]
    }

    /// The client leaf of `key_type`, issued by [`Pki::ca`] of the same type.
    pub fn client(&self, key_type: KeyType) -> &Identity {
        &self.clients[Self::index(key_type)]
    }

    /// The trust anchors: every trusted CA certificate (not `unknown_ca`).
    pub fn roots(&self) -> Vec<CertificateDer<'static>> {
        self.cas.iter().map(|ca| ca.cert.clone()).collect()
    }

    /// [`Pki::roots`] as one PEM bundle.
    pub fn ca_bundle_pem(&self) -> String {
        self.cas.iter().map(|ca| ca.cert_pem.as_str()).collect()
    }

    /// Writes the PKI as PEM files into a new temp directory (removed when the returned
    /// value drops). File names follow make-pki.sh: `ca.crt` (bundle of the trusted CAs),
    /// `ca-<type>.crt`, `server-<type>.{crt,key}`, `server-<type>-chain.crt`,
    /// `client-<type>.*`, `unknown-ca.crt`, `server-untrusted.*`, `server-wrong-host.*`.
    pub fn write_pem_files(&self) -> PkiFiles {
        let dir = tempfile::Builder::new()
            .prefix("ferrotls-pki-")
            .tempdir()
            .expect("creating a temp dir for the PKI");
        let root = dir.path().to_path_buf();
        let write = |name: &str, contents: &str| -> PathBuf {
            let path = root.join(name);
            fs::write(&path, contents)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
            path
        };
        let ca_bundle = write("ca.crt", &self.ca_bundle_pem());
        let cas: Vec<PathBuf> = self
            .cas
            .iter()
            .map(|ca| write(&format!("ca-{}.crt", ca.key_type.name()), &ca.cert_pem))
            .collect();
        let unknown_ca = write("unknown-ca.crt", &self.unknown_ca.cert_pem);
        let write_identity = |name: &str, id: &Identity, issuer: &Path| IdentityFiles {
            cert: write(&format!("{name}.crt"), &id.cert_pem),
            key: write(&format!("{name}.key"), &id.key_pem),
            chain: write(&format!("{name}-chain.crt"), &id.chain_pem()),
            issuer: issuer.to_path_buf(),
        };
        let write_leaves = |role: &str, ids: &[Identity]| -> Vec<IdentityFiles> {
            ids.iter()
                .zip(&cas)
                .map(|(id, ca)| write_identity(&format!("{role}-{}", id.key_type.name()), id, ca))
                .collect()
        };
        PkiFiles {
            servers: write_leaves("server", &self.servers),
            clients: write_leaves("client", &self.clients),
            untrusted_server: write_identity(
                "server-untrusted",
                &self.untrusted_server,
                &unknown_ca,
            ),
            wrong_host_server: write_identity(
                "server-wrong-host",
                &self.wrong_host_server,
                &cas[Self::index(KeyType::EcdsaP256)],
            ),
            ca_bundle,
            cas,
            unknown_ca,
            dir,
        }
    }
}

/// Paths of one identity's PEM files.
#[derive(Clone, Debug)]
pub struct IdentityFiles {
    /// The leaf certificate alone.
    pub cert: PathBuf,
    /// The private key (PKCS#8 PEM).
    pub key: PathBuf,
    /// Leaf then CA.
    pub chain: PathBuf,
    /// The issuing CA's certificate alone.
    pub issuer: PathBuf,
}

/// The PKI written as PEM files; the directory is deleted on drop.
pub struct PkiFiles {
    dir: tempfile::TempDir,
    /// Bundle of every trusted CA (the `-CAfile` / `--x509cafile`).
    pub ca_bundle: PathBuf,
    cas: Vec<PathBuf>,
    servers: Vec<IdentityFiles>,
    clients: Vec<IdentityFiles>,
    /// The certificate of [`Pki::unknown_ca`].
    pub unknown_ca: PathBuf,
    /// [`Pki::untrusted_server`].
    pub untrusted_server: IdentityFiles,
    /// [`Pki::wrong_host_server`].
    pub wrong_host_server: IdentityFiles,
}

impl PkiFiles {
    /// The directory holding the files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The certificate file of the trusted CA of `key_type`.
    pub fn ca(&self, key_type: KeyType) -> &Path {
        &self.cas[Pki::index(key_type)]
    }

    /// The files of [`Pki::server`].
    pub fn server(&self, key_type: KeyType) -> &IdentityFiles {
        &self.servers[Pki::index(key_type)]
    }

    /// The files of [`Pki::client`].
    pub fn client(&self, key_type: KeyType) -> &IdentityFiles {
        &self.clients[Pki::index(key_type)]
    }
}

/// Re-encodes a generated Ed25519 key as PKCS#8 v1 (RFC 8410 §7, without the public
/// key). The generator writes v2 (RFC 5958 OneAsymmetricKey, with `[1] publicKey`), which
/// OpenSSL 3.0 and GnuTLS 3.7 refuse to load.
fn ed25519_pkcs8_v1(key: &KeyPair) -> KeyPair {
    // v2: SEQUENCE (short length) { INTEGER 1, AlgorithmIdentifier { id-Ed25519 },
    //     OCTET STRING { OCTET STRING (32-byte seed) }, [1] publicKey }
    const V2_BODY_PREFIX: &[u8] = &[
        0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ];
    // v1: the same with version 0 and no public key: 48 bytes in all.
    const V1_PREFIX: &[u8] = &[
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let der = key.serialized_der();
    let Some(seed) = der
        .get(2..)
        .and_then(|body| body.strip_prefix(V2_BODY_PREFIX))
        .and_then(|rest| rest.get(..32))
    else {
        // Not v2 (e.g. already v1): keep it.
        return KeyPair::try_from(der).expect("re-reading an Ed25519 key");
    };
    let v1 = [V1_PREFIX, seed].concat();
    KeyPair::try_from(v1.as_slice()).expect("reading an Ed25519 PKCS#8 v1 key")
}

fn set_validity(params: &mut CertificateParams) {
    // Fixed dates well around "now", kept in UTCTime range (before 2050).
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_pki_has_every_key_type() {
        let pki = Pki::get();
        assert!(std::ptr::eq(pki, Pki::get()), "generated once per process");
        assert_eq!(pki.roots().len(), 4);
        for kt in KeyType::ALL {
            assert_eq!(pki.ca(kt).key_type, kt);
            assert_eq!(pki.server(kt).key_type, kt);
            assert_eq!(pki.server(kt).ca, pki.ca(kt).cert);
            assert_eq!(pki.client(kt).chain().len(), 2);
            assert!(pki
                .server(kt)
                .key_pem
                .starts_with("-----BEGIN PRIVATE KEY-----"));
            assert!(pki
                .server(kt)
                .cert_pem
                .starts_with("-----BEGIN CERTIFICATE-----"));
            assert!(matches!(
                pki.server(kt).private_key(),
                PrivateKeyDer::Pkcs8(_)
            ));
        }
        assert!(!pki.roots().contains(&pki.unknown_ca.cert));
        assert_eq!(pki.wrong_host_server.ca, pki.ca(KeyType::EcdsaP256).cert);
    }

    #[test]
    fn ed25519_keys_are_pkcs8_v1() {
        let key = &Pki::get().server(KeyType::Ed25519).key;
        let der = key.secret_pkcs8_der();
        assert_eq!(der.len(), 48, "{}", hex::encode(der));
        assert_eq!(der.get(..5), Some(&[0x30, 0x2e, 0x02, 0x01, 0x00][..]));
    }

    #[test]
    fn pem_files_are_written_and_removed() {
        let files = Pki::get().write_pem_files();
        let dir = files.dir().to_path_buf();
        let bundle = fs::read_to_string(&files.ca_bundle).unwrap();
        assert_eq!(bundle.matches("BEGIN CERTIFICATE").count(), 4);
        let chain = fs::read_to_string(&files.server(KeyType::Rsa2048).chain).unwrap();
        assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(files.client(KeyType::Ed25519).key.exists());
        assert!(files.ca(KeyType::EcdsaP384).exists());
        assert_eq!(
            files.server(KeyType::Ed25519).issuer,
            files.ca(KeyType::Ed25519)
        );
        assert_eq!(files.untrusted_server.issuer, files.unknown_ca);
        drop(files);
        assert!(!dir.exists());
    }
}

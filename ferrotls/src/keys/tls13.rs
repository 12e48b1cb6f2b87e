//! The TLS 1.3 key schedule (RFC 8446 §7.1), typed by stage:
//!
//! ```text
//! EarlySecret --into_handshake_secret--> HandshakeSecret --into_master_secret--> MasterSecret
//! ```
//!
//! Each stage is consumed by the step to the next, so a secret cannot be
//! used after its successor exists ("Once all the values which are to be
//! derived from a given secret have been computed, that secret SHOULD be
//! erased", §7.1): the consumed stage is dropped and zeroized. Every
//! Derive-Secret takes the transcript hash the RFC names for it; the
//! caller reads it from its [`super::transcript::TranscriptHash`].

use crate::crypto::hash::{HashAlgorithm, HashOutput};
use crate::crypto::hkdf::Prk;
use crate::crypto::hmac::Tag;
use crate::error::CryptoError;

pub use super::tls13_traffic::{
    Application, ApplicationTrafficSecret, Early, EarlyTrafficSecret, ExporterSecret, FinishedKey,
    Handshake, HandshakeTrafficSecret, ResumptionMasterSecret, TrafficKeys, TrafficSecret, IV_LEN,
};

/// Where a PSK comes from; it picks the binder key's label (RFC 8446 §7.1:
/// "The different labels prevent the substitution of one type of PSK for
/// the other").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PskKind {
    /// Provisioned outside TLS: "ext binder".
    External,
    /// A ticket's PSK from an earlier connection: "res binder".
    Resumption,
}

/// Early Secret = HKDF-Extract(0, PSK) (RFC 8446 §7.1).
#[derive(Debug)]
pub struct EarlySecret(Prk);

impl EarlySecret {
    /// The Early Secret for `psk`, or for the 0-value (Hash.length zero
    /// bytes) when no PSK is in use: "this does not mean skipping rounds,
    /// so if PSK is not in use, Early Secret will still be
    /// HKDF-Extract(0, 0)" (RFC 8446 §7.1).
    pub fn new(alg: HashAlgorithm, psk: Option<&[u8]>) -> Self {
        let zeros = [0u8; 64];
        let ikm = match psk {
            Some(psk) => psk,
            None => zeros.get(..alg.output_len()).unwrap_or(&zeros),
        };
        Self(Prk::extract(alg, None, ikm))
    }

    pub fn algorithm(&self) -> HashAlgorithm {
        self.0.algorithm()
    }

    /// The secret's bytes (for tests).
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// `binder_key = Derive-Secret(., "ext binder" | "res binder", "")`.
    pub fn binder_key(&self, kind: PskKind) -> Result<BinderKey, CryptoError> {
        let label: &[u8] = match kind {
            PskKind::External => b"ext binder",
            PskKind::Resumption => b"res binder",
        };
        let empty = self.algorithm().hash(b"");
        Ok(BinderKey(self.0.derive_secret(label, &empty)?))
    }

    /// `client_early_traffic_secret = Derive-Secret(., "c e traffic", ClientHello)`.
    pub fn client_early_traffic_secret(
        &self,
        client_hello_hash: &HashOutput,
    ) -> Result<EarlyTrafficSecret, CryptoError> {
        let prk = self.0.derive_secret(b"c e traffic", client_hello_hash)?;
        Ok(TrafficSecret::new(prk))
    }

    /// `early_exporter_master_secret = Derive-Secret(., "e exp master", ClientHello)`.
    pub fn early_exporter_master_secret(
        &self,
        client_hello_hash: &HashOutput,
    ) -> Result<ExporterSecret, CryptoError> {
        let prk = self.0.derive_secret(b"e exp master", client_hello_hash)?;
        Ok(ExporterSecret(prk))
    }

    /// Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret,
    /// "derived", ""), (EC)DHE). `None` (a psk_ke handshake) uses the
    /// 0-value.
    pub fn into_handshake_secret(
        self,
        shared_secret: Option<&[u8]>,
    ) -> Result<HandshakeSecret, CryptoError> {
        Ok(HandshakeSecret(next_stage(&self.0, shared_secret)?))
    }
}

/// Derive-Secret(., "derived", "") as the salt of the next HKDF-Extract.
fn next_stage(secret: &Prk, ikm: Option<&[u8]>) -> Result<Prk, CryptoError> {
    let alg = secret.algorithm();
    let salt = secret.derive_secret(b"derived", &alg.hash(b""))?;
    let zeros = [0u8; 64];
    let ikm = match ikm {
        Some(ikm) => ikm,
        None => zeros.get(..alg.output_len()).unwrap_or(&zeros),
    };
    Ok(Prk::extract(alg, Some(salt.expose()), ikm))
}

/// Handshake Secret (RFC 8446 §7.1).
#[derive(Debug)]
pub struct HandshakeSecret(Prk);

impl HandshakeSecret {
    pub fn algorithm(&self) -> HashAlgorithm {
        self.0.algorithm()
    }

    /// The secret's bytes (for tests).
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// `client_handshake_traffic_secret =
    /// Derive-Secret(., "c hs traffic", ClientHello...ServerHello)`.
    pub fn client_handshake_traffic_secret(
        &self,
        hello_hash: &HashOutput,
    ) -> Result<HandshakeTrafficSecret, CryptoError> {
        Ok(TrafficSecret::new(
            self.0.derive_secret(b"c hs traffic", hello_hash)?,
        ))
    }

    /// `server_handshake_traffic_secret =
    /// Derive-Secret(., "s hs traffic", ClientHello...ServerHello)`.
    pub fn server_handshake_traffic_secret(
        &self,
        hello_hash: &HashOutput,
    ) -> Result<HandshakeTrafficSecret, CryptoError> {
        Ok(TrafficSecret::new(
            self.0.derive_secret(b"s hs traffic", hello_hash)?,
        ))
    }

    /// Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret,
    /// "derived", ""), 0).
    pub fn into_master_secret(self) -> Result<MasterSecret, CryptoError> {
        Ok(MasterSecret(next_stage(&self.0, None)?))
    }
}

/// Master Secret (RFC 8446 §7.1).
#[derive(Debug)]
pub struct MasterSecret(Prk);

impl MasterSecret {
    pub fn algorithm(&self) -> HashAlgorithm {
        self.0.algorithm()
    }

    /// The secret's bytes (for tests).
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// `client_application_traffic_secret_0 =
    /// Derive-Secret(., "c ap traffic", ClientHello...server Finished)`.
    pub fn client_application_traffic_secret(
        &self,
        server_finished_hash: &HashOutput,
    ) -> Result<ApplicationTrafficSecret, CryptoError> {
        Ok(TrafficSecret::new(
            self.0
                .derive_secret(b"c ap traffic", server_finished_hash)?,
        ))
    }

    /// `server_application_traffic_secret_0 =
    /// Derive-Secret(., "s ap traffic", ClientHello...server Finished)`.
    pub fn server_application_traffic_secret(
        &self,
        server_finished_hash: &HashOutput,
    ) -> Result<ApplicationTrafficSecret, CryptoError> {
        Ok(TrafficSecret::new(
            self.0
                .derive_secret(b"s ap traffic", server_finished_hash)?,
        ))
    }

    /// `exporter_master_secret =
    /// Derive-Secret(., "exp master", ClientHello...server Finished)`.
    pub fn exporter_master_secret(
        &self,
        server_finished_hash: &HashOutput,
    ) -> Result<ExporterSecret, CryptoError> {
        Ok(ExporterSecret(
            self.0.derive_secret(b"exp master", server_finished_hash)?,
        ))
    }

    /// `resumption_master_secret =
    /// Derive-Secret(., "res master", ClientHello...client Finished)`:
    /// note the longer transcript.
    pub fn resumption_master_secret(
        &self,
        client_finished_hash: &HashOutput,
    ) -> Result<ResumptionMasterSecret, CryptoError> {
        Ok(ResumptionMasterSecret(
            self.0.derive_secret(b"res master", client_finished_hash)?,
        ))
    }
}

/// `binder_key` (RFC 8446 §7.1), the BaseKey of the PSK binder.
#[derive(Debug)]
pub struct BinderKey(Prk);

impl BinderKey {
    /// The secret's bytes (for tests).
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// RFC 8446 §4.2.11.2: "The PskBinderEntry is computed in the same way
    /// as the Finished message (Section 4.4.4) but with the BaseKey being
    /// the binder_key", over the transcript hash of the ClientHello
    /// truncated before the binders list (after a HelloRetryRequest, the
    /// whole first flight as well).
    pub fn binder(&self, truncated_hello_hash: &HashOutput) -> Result<Tag, CryptoError> {
        Ok(FinishedKey(self.0.finished_key()?).verify_data(truncated_hello_hash))
    }

    /// Checks a received binder in constant time. RFC 8446 §4.2.11: "If
    /// this value is not present or does not validate, the server MUST
    /// abort the handshake" (`decrypt_error`, §6.2).
    pub fn verify(
        &self,
        truncated_hello_hash: &HashOutput,
        received: &[u8],
    ) -> Result<(), CryptoError> {
        self.0
            .finished_key()?
            .verify(truncated_hello_hash.as_ref(), received)
            .map_err(|_| CryptoError::BadVerifyData { what: "PSK binder" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed stages compute the same values as the raw RFC 8446 §7.1
    /// formulas written with HKDF directly.
    #[test]
    fn stages_follow_the_diagram() {
        let alg = HashAlgorithm::Sha384;
        let psk = [5u8; 48];
        let dhe = [6u8; 32];
        let ch = alg.hash(b"client hello");
        let sh = alg.hash(b"client hello, server hello");

        let raw_early = Prk::extract(alg, Some(&[0; 48]), &psk);
        let early = EarlySecret::new(alg, Some(&psk));
        assert_eq!(early.expose(), raw_early.expose());
        assert_eq!(
            early.client_early_traffic_secret(&ch).unwrap().expose(),
            raw_early
                .derive_secret(b"c e traffic", &ch)
                .unwrap()
                .expose()
        );
        let derived = raw_early.derive_secret(b"derived", &alg.hash(b"")).unwrap();
        let raw_hs = Prk::extract(alg, Some(derived.expose()), &dhe);
        let hs = early.into_handshake_secret(Some(&dhe)).unwrap();
        assert_eq!(hs.expose(), raw_hs.expose());
        assert_eq!(
            hs.server_handshake_traffic_secret(&sh).unwrap().expose(),
            raw_hs.derive_secret(b"s hs traffic", &sh).unwrap().expose()
        );
        let derived = raw_hs.derive_secret(b"derived", &alg.hash(b"")).unwrap();
        let raw_master = Prk::extract(alg, Some(derived.expose()), &[0; 48]);
        assert_eq!(
            hs.into_master_secret().unwrap().expose(),
            raw_master.expose()
        );
    }

    #[test]
    fn no_psk_is_the_zero_psk() {
        for alg in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            let zeros = vec![0; alg.output_len()];
            assert_eq!(
                EarlySecret::new(alg, None).expose(),
                EarlySecret::new(alg, Some(&zeros)).expose()
            );
            let a = EarlySecret::new(alg, None)
                .into_handshake_secret(None)
                .unwrap();
            let b = EarlySecret::new(alg, None)
                .into_handshake_secret(Some(&zeros))
                .unwrap();
            assert_eq!(a.expose(), b.expose());
        }
    }

    #[test]
    fn binder_labels_differ_and_verify() {
        let early = EarlySecret::new(HashAlgorithm::Sha256, Some(&[1; 32]));
        let ext = early.binder_key(PskKind::External).unwrap();
        let res = early.binder_key(PskKind::Resumption).unwrap();
        assert_ne!(ext.expose(), res.expose());
        let h = HashAlgorithm::Sha256.hash(b"truncated");
        let binder = res.binder(&h).unwrap();
        assert_eq!(res.verify(&h, binder.as_ref()), Ok(()));
        assert_eq!(
            ext.verify(&h, binder.as_ref()),
            Err(CryptoError::BadVerifyData { what: "PSK binder" })
        );
        assert!(format!("{res:?}").starts_with("BinderKey(Prk"));
    }
}

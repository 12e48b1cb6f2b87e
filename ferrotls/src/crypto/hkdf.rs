//! HKDF (RFC 5869) and the TLS 1.3 derivations built on it:
//! HKDF-Expand-Label and Derive-Secret (RFC 8446 §7.1).
//!
//! HKDF-Extract is HMAC(salt, IKM) (RFC 5869 §2.2) and is computed with
//! [`HmacKey`] so the PRK bytes stay available (key logging, and the next
//! stage of the key schedule); HKDF-Expand is aws-lc-rs's.

use aws_lc_rs::hkdf;
use zeroize::Zeroizing;

use super::hash::{HashAlgorithm, HashOutput};
use super::hmac::HmacKey;
use crate::error::CryptoError;

/// Secret bytes: zeroized on drop, and `Debug` prints only the length.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Takes ownership of `bytes` (zeroized when this value drops).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// `len` zero bytes, to be filled in place.
    pub fn zeroed(len: usize) -> Self {
        Self::new(vec![0; len])
    }

    /// The secret itself. Every call site is a place the secret leaves
    /// its wrapper: keep them few (keys for the AEAD, key logging, tests).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl core::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SecretBytes({} bytes)", self.0.len())
    }
}

/// A pseudorandom key of exactly Hash.length bytes: the output of
/// HKDF-Extract, or a secret of the TLS 1.3 key schedule used as the PRK of
/// the next HKDF-Expand (RFC 8446 §7.1).
#[derive(Clone, PartialEq, Eq)]
pub struct Prk {
    alg: HashAlgorithm,
    secret: SecretBytes,
}

/// The length argument of [`hkdf::Prk::expand`].
struct OutLen(usize);

impl hkdf::KeyType for OutLen {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf_alg(alg: HashAlgorithm) -> hkdf::Algorithm {
    match alg {
        HashAlgorithm::Sha256 => hkdf::HKDF_SHA256,
        HashAlgorithm::Sha384 => hkdf::HKDF_SHA384,
    }
}

impl Prk {
    /// HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2).
    /// A missing salt is "a string of HashLen zeros"; RFC 8446 §7.1 writes
    /// it as `0`.
    pub fn extract(alg: HashAlgorithm, salt: Option<&[u8]>, ikm: &[u8]) -> Self {
        let zeros = [0u8; 64];
        let salt = match salt {
            Some(s) => s,
            None => zeros.get(..alg.output_len()).unwrap_or(&zeros),
        };
        let tag = HmacKey::new(alg, salt).sign(ikm);
        Self {
            alg,
            secret: SecretBytes::new(tag.as_ref().to_vec()),
        }
    }

    /// A PRK from stored bytes (e.g. a secret kept for resumption). It must
    /// be Hash.length bytes long, as every TLS 1.3 secret is.
    pub fn from_bytes(alg: HashAlgorithm, bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != alg.output_len() {
            return Err(CryptoError::InvalidKey {
                what: "PRK length is not Hash.length",
            });
        }
        Ok(Self {
            alg,
            secret: SecretBytes::new(bytes.to_vec()),
        })
    }

    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    /// The PRK's bytes (for key logging and tests).
    pub fn expose(&self) -> &[u8] {
        self.secret.expose()
    }

    /// HKDF-Expand(PRK, info, L) (RFC 5869 §2.3); `L` may be at most
    /// 255 * HashLen.
    pub fn expand(&self, info: &[u8], len: usize) -> Result<SecretBytes, CryptoError> {
        let prk = hkdf::Prk::new_less_safe(hkdf_alg(self.alg), self.secret.expose());
        let info = [info];
        let okm = prk
            .expand(&info, OutLen(len))
            .map_err(|_| CryptoError::InvalidKey {
                what: "HKDF-Expand length above 255 * HashLen",
            })?;
        let mut out = SecretBytes::zeroed(len);
        okm.fill(out.expose_mut())
            .map_err(|_| CryptoError::Internal {
                what: "HKDF-Expand",
            })?;
        Ok(out)
    }

    /// HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 §7.1).
    /// `label` is given without the "tls13 " prefix.
    pub fn expand_label(
        &self,
        label: &[u8],
        context: &[u8],
        len: usize,
    ) -> Result<SecretBytes, CryptoError> {
        self.expand(&hkdf_label(label, context, len)?, len)
    }

    /// HKDF-Expand-Label with Length = Hash.length, kept as the PRK of the
    /// next derivation.
    pub fn expand_label_prk(&self, label: &[u8], context: &[u8]) -> Result<Self, CryptoError> {
        Ok(Self {
            alg: self.alg,
            secret: self.expand_label(label, context, self.alg.output_len())?,
        })
    }

    /// Derive-Secret(Secret, Label, Messages) =
    /// HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
    /// (RFC 8446 §7.1). The caller passes the transcript hash.
    pub fn derive_secret(
        &self,
        label: &[u8],
        transcript_hash: &HashOutput,
    ) -> Result<Self, CryptoError> {
        self.expand_label_prk(label, transcript_hash.as_ref())
    }

    /// The HMAC key `finished_key` = HKDF-Expand-Label(BaseKey, "finished",
    /// "", Hash.length) (RFC 8446 §4.4.4), also used for PSK binders with
    /// the binder key as BaseKey (§4.2.11.2).
    pub fn finished_key(&self) -> Result<HmacKey, CryptoError> {
        let key = self.expand_label(b"finished", b"", self.alg.output_len())?;
        Ok(HmacKey::new(self.alg, key.expose()))
    }
}

impl core::fmt::Debug for Prk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Prk")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The `info` of HKDF-Expand-Label (RFC 8446 §7.1):
///
/// ```text
/// struct {
///     uint16 length = Length;
///     opaque label<7..255> = "tls13 " + Label;
///     opaque context<0..255> = Context;
/// } HkdfLabel;
/// ```
pub fn hkdf_label(label: &[u8], context: &[u8], len: usize) -> Result<Vec<u8>, CryptoError> {
    const PREFIX: &[u8] = b"tls13 ";
    let full_label_len = PREFIX.len() + label.len();
    let (Ok(length), Ok(label_len), Ok(context_len)) = (
        u16::try_from(len),
        u8::try_from(full_label_len),
        u8::try_from(context.len()),
    ) else {
        return Err(CryptoError::InvalidKey {
            what: "HkdfLabel field too long",
        });
    };
    // label<7..255>: "tls13 " plus at least one byte.
    if label.is_empty() {
        return Err(CryptoError::InvalidKey {
            what: "HkdfLabel label is empty",
        });
    }
    let mut info = Vec::with_capacity(4 + full_label_len + context.len());
    info.extend_from_slice(&length.to_be_bytes());
    info.push(label_len);
    info.extend_from_slice(PREFIX);
    info.extend_from_slice(label);
    info.push(context_len);
    info.extend_from_slice(context);
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_label_layout() {
        // RFC 8448 §3 {server} calculate finished: info for "finished", "".
        assert_eq!(
            hex::encode(hkdf_label(b"finished", b"", 32).unwrap()),
            "00200e746c7331332066696e697368656400"
        );
        assert!(hkdf_label(b"", b"", 32).is_err());
        assert!(hkdf_label(&[b'a'; 250], b"", 32).is_err());
        assert!(hkdf_label(&[b'a'; 249], b"", 32).is_ok());
        assert!(hkdf_label(b"x", &[0; 256], 32).is_err());
        assert!(hkdf_label(b"x", b"", 65536).is_err());
    }

    #[test]
    fn extract_with_zero_salt_is_rfc8448_early_secret() {
        // RFC 8448 §3 {server} extract secret "early": salt 0, IKM 32 zeros.
        let prk = Prk::extract(HashAlgorithm::Sha256, None, &[0; 32]);
        assert_eq!(
            hex::encode(prk.expose()),
            "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
        );
        assert_eq!(
            Prk::extract(HashAlgorithm::Sha256, Some(&[0; 32]), &[0; 32]),
            prk
        );
        assert_eq!(format!("{prk:?}"), "Prk { alg: Sha256, .. }");
    }

    #[test]
    fn expand_limits() {
        let prk = Prk::from_bytes(HashAlgorithm::Sha256, &[7; 32]).unwrap();
        assert_eq!(prk.expand(b"", 255 * 32).unwrap().len(), 255 * 32);
        assert!(prk.expand(b"", 255 * 32 + 1).is_err());
        assert_eq!(prk.expand(b"", 0).unwrap().len(), 0);
        assert!(Prk::from_bytes(HashAlgorithm::Sha384, &[7; 32]).is_err());
        let s = prk.expand(b"info", 42).unwrap();
        assert_eq!(format!("{s:?}"), "SecretBytes(42 bytes)");
    }
}

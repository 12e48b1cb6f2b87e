//! The TLS 1.2 key derivations: master secret (RFC 5246 §8.1), extended
//! master secret (RFC 7627 §4), key block (RFC 5246 §6.3), Finished
//! (RFC 5246 §7.4.9) and exporters (RFC 5705 §4), all through the PRF of
//! RFC 5246 §5 with the suite's PRF hash.

use zeroize::Zeroizing;

use crate::crypto::hash::{HashAlgorithm, HashOutput};
use crate::crypto::hkdf::SecretBytes;
use crate::crypto::hmac::constant_time_eq;
use crate::crypto::prf::prf;
use crate::error::CryptoError;

/// Length of the master secret: "master_secret[0..47]" (RFC 5246 §8.1).
pub const MASTER_SECRET_LEN: usize = 48;

/// `verify_data_length` of every suite ferrotls supports (RFC 5246 §7.4.9:
/// "In previous versions of TLS, the verify_data was always 12 octets
/// long ... the default").
pub const VERIFY_DATA_LEN: usize = 12;

/// The TLS 1.2 master secret and the PRF hash of the suite.
pub struct MasterSecret {
    alg: HashAlgorithm,
    secret: Zeroizing<[u8; MASTER_SECRET_LEN]>,
}

impl MasterSecret {
    /// RFC 5246 §8.1:
    /// `master_secret = PRF(pre_master_secret, "master secret",
    ///                      ClientHello.random + ServerHello.random)[0..47]`.
    ///
    /// The pre-master secret is the (EC)DHE shared secret as the key
    /// exchange returns it (for finite-field DHE, with leading zero bytes
    /// stripped, RFC 5246 §8.1.2).
    pub fn new(
        alg: HashAlgorithm,
        pre_master_secret: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Self {
        let mut secret = Zeroizing::new([0u8; MASTER_SECRET_LEN]);
        prf(
            alg,
            pre_master_secret,
            b"master secret",
            &[client_random, server_random],
            &mut secret[..],
        );
        Self { alg, secret }
    }

    /// RFC 7627 §4:
    /// `master_secret = PRF(pre_master_secret, "extended master secret",
    ///                      session_hash)[0..47]`,
    /// where `session_hash` is the transcript hash "from the ClientHello up
    /// to and including the ClientKeyExchange message".
    pub fn extended(
        alg: HashAlgorithm,
        pre_master_secret: &[u8],
        session_hash: &HashOutput,
    ) -> Self {
        let mut secret = Zeroizing::new([0u8; MASTER_SECRET_LEN]);
        prf(
            alg,
            pre_master_secret,
            b"extended master secret",
            &[session_hash.as_ref()],
            &mut secret[..],
        );
        Self { alg, secret }
    }

    /// A master secret kept from an earlier handshake (session resumption,
    /// RFC 5246 §7.3); it must be 48 bytes.
    pub fn from_bytes(alg: HashAlgorithm, bytes: &[u8]) -> Result<Self, CryptoError> {
        let secret: [u8; MASTER_SECRET_LEN] =
            bytes.try_into().map_err(|_| CryptoError::InvalidKey {
                what: "TLS 1.2 master secret is not 48 bytes",
            })?;
        Ok(Self {
            alg,
            secret: Zeroizing::new(secret),
        })
    }

    /// The PRF hash.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    /// The secret's bytes (for the session cache, key logging and tests).
    pub fn expose(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.secret
    }

    /// RFC 5246 §6.3:
    /// `key_block = PRF(master_secret, "key expansion",
    ///                  server_random + client_random)`
    /// (note the order: server first), split as `layout` says.
    pub fn key_block(
        &self,
        layout: KeyBlockLayout,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> KeyBlock {
        let mut block = SecretBytes::zeroed(layout.total_len());
        prf(
            self.alg,
            &self.secret[..],
            b"key expansion",
            &[server_random, client_random],
            block.expose_mut(),
        );
        KeyBlock { layout, block }
    }

    /// The client's Finished `verify_data` (RFC 5246 §7.4.9):
    /// `PRF(master_secret, "client finished", Hash(handshake_messages))[0..11]`.
    pub fn client_verify_data(&self, handshake_hash: &HashOutput) -> [u8; VERIFY_DATA_LEN] {
        self.verify_data(b"client finished", handshake_hash)
    }

    /// The server's Finished `verify_data`, with the label "server finished".
    pub fn server_verify_data(&self, handshake_hash: &HashOutput) -> [u8; VERIFY_DATA_LEN] {
        self.verify_data(b"server finished", handshake_hash)
    }

    fn verify_data(&self, label: &[u8], handshake_hash: &HashOutput) -> [u8; VERIFY_DATA_LEN] {
        let mut out = [0u8; VERIFY_DATA_LEN];
        prf(
            self.alg,
            &self.secret[..],
            label,
            &[handshake_hash.as_ref()],
            &mut out,
        );
        out
    }

    /// Checks a received Finished body against `expected` in constant
    /// time: "Recipients of Finished messages MUST verify that the contents
    /// are correct" (RFC 5246 §7.4.9), else `decrypt_error` (§7.2.2).
    pub fn check_verify_data(
        expected: &[u8; VERIFY_DATA_LEN],
        received: &[u8],
    ) -> Result<(), CryptoError> {
        if constant_time_eq(expected, received) {
            Ok(())
        } else {
            Err(CryptoError::BadVerifyData { what: "Finished" })
        }
    }

    /// RFC 5705 §4: with a context,
    /// `PRF(master_secret, label, client_random + server_random +
    ///      context_value_length + context_value)[length]`;
    /// without one (`None`), the seed is just the two randoms. (An empty
    /// context is not the same as none in TLS 1.2.)
    pub fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        match context {
            None => prf(
                self.alg,
                &self.secret[..],
                label,
                &[client_random, server_random],
                out,
            ),
            Some(context) => {
                let len = u16::try_from(context.len()).map_err(|_| CryptoError::InvalidKey {
                    what: "exporter context longer than 2^16-1 bytes",
                })?;
                prf(
                    self.alg,
                    &self.secret[..],
                    label,
                    &[client_random, server_random, &len.to_be_bytes(), context],
                    out,
                );
            }
        }
        Ok(())
    }
}

impl core::fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MasterSecret")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The sizes of the key block's parts (RFC 5246 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyBlockLayout {
    /// `mac_key_length` (0 for AEAD suites).
    pub mac_key_len: usize,
    /// `enc_key_length`.
    pub enc_key_len: usize,
    /// `fixed_iv_length`.
    pub fixed_iv_len: usize,
}

impl KeyBlockLayout {
    /// AES-128-GCM: 16-byte key, 4-byte implicit nonce (RFC 5288 §3).
    pub const AES_128_GCM: Self = Self::aead(16, 4);
    /// AES-256-GCM: 32-byte key, 4-byte implicit nonce (RFC 5288 §3).
    pub const AES_256_GCM: Self = Self::aead(32, 4);
    /// ChaCha20-Poly1305: 32-byte key, 12-byte IV XORed with the sequence
    /// number (RFC 7905 §2: "fixed_iv_length ... 12 bytes").
    pub const CHACHA20_POLY1305: Self = Self::aead(32, 12);

    /// An AEAD suite's layout: no MAC keys (RFC 5246 §6.2.3.3).
    pub const fn aead(enc_key_len: usize, fixed_iv_len: usize) -> Self {
        Self {
            mac_key_len: 0,
            enc_key_len,
            fixed_iv_len,
        }
    }

    /// Length of the whole key block.
    pub const fn total_len(&self) -> usize {
        2 * (self.mac_key_len + self.enc_key_len + self.fixed_iv_len)
    }
}

/// The key block, split in RFC 5246 §6.3's order:
/// `client_write_MAC_key, server_write_MAC_key, client_write_key,
/// server_write_key, client_write_IV, server_write_IV`.
pub struct KeyBlock {
    layout: KeyBlockLayout,
    block: SecretBytes,
}

impl KeyBlock {
    fn part(&self, index: usize) -> &[u8] {
        let l = self.layout;
        let sizes = [
            l.mac_key_len,
            l.mac_key_len,
            l.enc_key_len,
            l.enc_key_len,
            l.fixed_iv_len,
            l.fixed_iv_len,
        ];
        let start: usize = sizes.iter().take(index).sum();
        let len = sizes.get(index).copied().unwrap_or(0);
        self.block.expose().get(start..start + len).unwrap_or(&[])
    }

    pub fn client_write_mac_key(&self) -> &[u8] {
        self.part(0)
    }

    pub fn server_write_mac_key(&self) -> &[u8] {
        self.part(1)
    }

    pub fn client_write_key(&self) -> &[u8] {
        self.part(2)
    }

    pub fn server_write_key(&self) -> &[u8] {
        self.part(3)
    }

    /// The client's implicit nonce part (GCM) or IV (ChaCha20-Poly1305).
    pub fn client_write_iv(&self) -> &[u8] {
        self.part(4)
    }

    /// The server's implicit nonce part (GCM) or IV (ChaCha20-Poly1305).
    pub fn server_write_iv(&self) -> &[u8] {
        self.part(5)
    }

    /// The whole key block (for tests).
    pub fn expose(&self) -> &[u8] {
        self.block.expose()
    }
}

impl core::fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyBlock")
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CR: [u8; 32] = [0xc1; 32];
    const SR: [u8; 32] = [0x5e; 32];

    #[test]
    fn key_block_split_in_rfc_order() {
        let ms = MasterSecret::from_bytes(HashAlgorithm::Sha256, &[0x4d; 48]).unwrap();
        let layout = KeyBlockLayout {
            mac_key_len: 20,
            enc_key_len: 16,
            fixed_iv_len: 4,
        };
        let kb = ms.key_block(layout, &CR, &SR);
        let mut expected = vec![0u8; 80];
        prf(
            HashAlgorithm::Sha256,
            &[0x4d; 48],
            b"key expansion",
            &[&SR, &CR],
            &mut expected,
        );
        assert_eq!(kb.expose(), &expected[..]);
        assert_eq!(kb.client_write_mac_key(), &expected[0..20]);
        assert_eq!(kb.server_write_mac_key(), &expected[20..40]);
        assert_eq!(kb.client_write_key(), &expected[40..56]);
        assert_eq!(kb.server_write_key(), &expected[56..72]);
        assert_eq!(kb.client_write_iv(), &expected[72..76]);
        assert_eq!(kb.server_write_iv(), &expected[76..80]);
    }

    #[test]
    fn chacha_layout_has_12_byte_ivs() {
        let ms = MasterSecret::from_bytes(HashAlgorithm::Sha256, &[1; 48]).unwrap();
        let kb = ms.key_block(KeyBlockLayout::CHACHA20_POLY1305, &CR, &SR);
        assert_eq!(kb.expose().len(), 88);
        assert!(kb.client_write_mac_key().is_empty());
        assert_eq!(kb.client_write_key().len(), 32);
        assert_eq!(kb.server_write_iv(), &kb.expose()[76..88]);
    }

    #[test]
    fn finished_and_exporter() {
        let ms = MasterSecret::from_bytes(HashAlgorithm::Sha384, &[2; 48]).unwrap();
        let h = HashAlgorithm::Sha384.hash(b"handshake messages");
        let c = ms.client_verify_data(&h);
        assert_ne!(c, ms.server_verify_data(&h));
        assert_eq!(MasterSecret::check_verify_data(&c, &c), Ok(()));
        assert!(MasterSecret::check_verify_data(&c, &c[..11]).is_err());
        let mut none = [0u8; 16];
        let mut empty = [0u8; 16];
        ms.export(b"EXPORTER-x", None, &CR, &SR, &mut none).unwrap();
        ms.export(b"EXPORTER-x", Some(b""), &CR, &SR, &mut empty)
            .unwrap();
        assert_ne!(none, empty);
        assert!(MasterSecret::from_bytes(HashAlgorithm::Sha256, &[0; 47]).is_err());
        assert_eq!(format!("{ms:?}"), "MasterSecret { alg: Sha384, .. }");
    }
}

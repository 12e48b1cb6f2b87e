//! ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
//!
//! The 4-byte handshake header is not part of this type's encoding; it
//! belongs to `msgs::handshake`. The PSK binder helpers below are the one
//! exception: the binder hash covers the header (RFC 8446 §4.2.11.2).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::{
    CipherSuite, CompressionMethod, ExtensionType, HandshakeType, ProtocolVersion,
};
use crate::msgs::extensions::{Extension, ExtensionContext, Extensions};

/// `opaque legacy_session_id<0..32>`.
pub(crate) const SESSION_ID: VecSpec = VecSpec::opaque("legacy_session_id", 0, 32);
/// `CipherSuite cipher_suites<2..2^16-2>`.
const CIPHER_SUITES: VecSpec = VecSpec::of("cipher_suites", 2, 0xfffe, 2);
/// `opaque legacy_compression_methods<1..2^8-1>`.
const COMPRESSION_METHODS: VecSpec = VecSpec::of("legacy_compression_methods", 1, 0xff, 1);

/// An extension block shared by every ClientHello without one.
static NO_EXTENSIONS: Extensions = Extensions(Vec::new());

/// RFC 8446 §4.1.2:
/// ```text
/// struct {
///     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
///     Random random;
///     opaque legacy_session_id<0..32>;
///     CipherSuite cipher_suites<2..2^16-2>;
///     opaque legacy_compression_methods<1..2^8-1>;
///     Extension extensions<8..2^16-1>;
/// } ClientHello;
/// ```
/// `extensions` is `None` when the field is absent, which RFC 5246
/// §7.4.1.2 allows ("the presence of extensions can be detected by
/// determining whether there are bytes following the compression_methods
/// at the end of the ClientHello"); TLS 1.3 requires it, which the
/// handshake checks through the extensions it needs.
///
/// Decoding enforces the vector bounds, one extension per type (§4.2) and
/// that pre_shared_key comes last (§4.2.11, illegal_parameter), since the
/// binder helpers rely on it. Whether the values are acceptable (versions,
/// suites, compression null only) is the handshake's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    pub legacy_version: ProtocolVersion,
    pub random: [u8; 32],
    pub legacy_session_id: Bytes,
    pub cipher_suites: Vec<CipherSuite>,
    pub legacy_compression_methods: Vec<CompressionMethod>,
    pub extensions: Option<Extensions>,
}

impl ClientHello {
    /// The extension block, empty when the field is absent.
    pub fn extensions(&self) -> &Extensions {
        self.extensions.as_ref().unwrap_or(&NO_EXTENSIONS)
    }

    fn offered_psks(&self) -> Option<&crate::msgs::ext::psk::OfferedPsks> {
        match self.extensions().0.last()? {
            Extension::PreSharedKey(offer) => Some(offer),
            _ => None,
        }
    }

    /// Size of the binders list at the end of the encoded ClientHello, when
    /// it offers PSKs (pre_shared_key is then the last extension and the
    /// binders the last field, RFC 8446 §4.2.11).
    pub fn binders_encoded_len(&self) -> Option<usize> {
        Some(self.offered_psks()?.binders_encoded_len())
    }

    /// `Truncate(ClientHello)` of RFC 8446 §4.2.11.2 for a ClientHello we
    /// send: the handshake message, header included, without the binders
    /// list, all lengths as if the binders were present. Encode with
    /// placeholder binders of the right sizes, hash this, then
    /// [`ClientHello::set_binders`]. `None` without pre_shared_key.
    pub fn encode_truncated_for_binders(&self) -> Option<Vec<u8>> {
        let cut = self.binders_encoded_len()?;
        let mut msg = Vec::new();
        let mut w = Writer::new(&mut msg);
        HandshakeType::ClientHello.encode(&mut w);
        w.vec(LengthPrefix::U24, |w| self.encode(w));
        msg.truncate(msg.len().checked_sub(cut)?);
        Some(msg)
    }

    /// `Truncate(ClientHello)` for a ClientHello received as `message`
    /// (with or without its handshake header): the received bytes up to
    /// the binders list, which is where the transcript must come from
    /// rather than a re-encoding. `None` without pre_shared_key or when
    /// `message` is shorter than the binders.
    pub fn strip_binders<'a>(&self, message: &'a [u8]) -> Option<&'a [u8]> {
        let cut = message.len().checked_sub(self.binders_encoded_len()?)?;
        message.get(..cut)
    }

    /// Replaces the placeholder binders with computed ones of the same
    /// count and sizes (RFC 8446 §4.2.11.2), leaving every other byte of
    /// the encoding unchanged.
    pub fn set_binders(&mut self, binders: Vec<Bytes>) -> Result<(), InvalidMessage> {
        let not_offered = InvalidMessage::IllegalParameter {
            what: "binders for a ClientHello without pre_shared_key",
        };
        let exts = self.extensions.as_mut().ok_or(not_offered.clone())?;
        match exts.0.last_mut() {
            Some(Extension::PreSharedKey(offer)) => offer.set_binders(binders),
            _ => Err(not_offered),
        }
    }

    /// Whether `typ` was offered.
    pub fn has_extension(&self, typ: ExtensionType) -> bool {
        self.extensions().contains(typ)
    }
}

impl Codec for ClientHello {
    fn encode(&self, w: &mut Writer<'_>) {
        self.legacy_version.encode(w);
        w.bytes(&self.random);
        w.opaque(LengthPrefix::U8, &self.legacy_session_id);
        w.codec_list(LengthPrefix::U16, &self.cipher_suites);
        w.codec_list(LengthPrefix::U8, &self.legacy_compression_methods);
        if let Some(exts) = &self.extensions {
            exts.encode(w);
        }
    }

    /// Reads a ClientHello body; `r` must hold exactly the message body,
    /// since an absent extensions field is told by the body's end.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let legacy_version = ProtocolVersion::read(r)?;
        let random = r.array("random")?;
        let legacy_session_id = r.opaque(SESSION_ID)?;
        let cipher_suites = r.codec_list(CIPHER_SUITES)?;
        let legacy_compression_methods = r.codec_list(COMPRESSION_METHODS)?;
        let extensions = match r.is_empty() {
            true => None,
            false => Some(Extensions::read(r, ExtensionContext::ClientHello)?),
        };
        Ok(Self {
            legacy_version,
            random,
            legacy_session_id,
            cipher_suites,
            legacy_compression_methods,
            extensions,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::msgs::enums::AlertDescription;
    use crate::msgs::ext::psk::{OfferedPsks, PskIdentity};
    use crate::msgs::ext::strategies;

    pub(crate) fn client_hello() -> impl Strategy<Value = ClientHello> {
        (
            any::<u16>(),
            any::<[u8; 32]>(),
            strategies::bytes(0, 32),
            proptest::collection::vec(any::<u16>().prop_map(CipherSuite::from_wire), 1..8),
            proptest::collection::vec(any::<u8>().prop_map(CompressionMethod::from_wire), 1..3),
            proptest::option::of(strategies::extensions(ExtensionContext::ClientHello)),
        )
            .prop_map(|(v, random, sid, suites, comp, extensions)| ClientHello {
                legacy_version: ProtocolVersion::from_wire(v),
                random,
                legacy_session_id: sid,
                cipher_suites: suites,
                legacy_compression_methods: comp,
                extensions,
            })
    }

    fn sample() -> ClientHello {
        ClientHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: [7; 32],
            legacy_session_id: Bytes::new(vec![1; 32]),
            cipher_suites: vec![CipherSuite::TLS_AES_128_GCM_SHA256],
            legacy_compression_methods: vec![CompressionMethod::Null],
            extensions: Some(Extensions(vec![
                Extension::ExtendedMasterSecret,
                Extension::PreSharedKey(OfferedPsks {
                    identities: vec![PskIdentity {
                        identity: Bytes::new(vec![9; 10]),
                        obfuscated_ticket_age: 5,
                    }],
                    binders: vec![Bytes::new(vec![0; 32])],
                }),
            ])),
        }
    }

    proptest! {
        #[test]
        fn round_trips(ch in client_hello()) {
            let bytes = ch.to_bytes();
            prop_assert_eq!(ClientHello::from_bytes(&bytes).unwrap(), ch.clone());
            // No strict prefix decodes, except the one that ends with the
            // compression methods: that is a ClientHello without extensions.
            let bare = bytes.len() - ch.extensions.as_ref().map_or(0, |e| {
                let mut v = Vec::new();
                e.encode(&mut Writer::new(&mut v));
                v.len()
            });
            for n in 0..bytes.len() {
                if n != bare {
                    prop_assert!(ClientHello::from_bytes(&bytes[..n]).is_err());
                }
            }
        }
    }

    #[test]
    fn without_extensions_field() {
        let mut ch = sample();
        ch.extensions = None;
        let bytes = ch.to_bytes();
        assert_eq!(bytes.len(), 2 + 32 + 33 + 4 + 2);
        let back = ClientHello::from_bytes(&bytes).unwrap();
        assert_eq!(back.extensions, None);
        assert!(back.extensions().is_empty());
        // An empty but present block is kept apart from an absent one.
        ch.extensions = Some(Extensions::default());
        let back = ClientHello::from_bytes(&ch.to_bytes()).unwrap();
        assert_eq!(back.extensions, Some(Extensions::default()));
    }

    #[test]
    fn field_bounds() {
        let bytes = sample().to_bytes();
        // legacy_session_id<0..32>: 33 bytes.
        let mut b = bytes.clone();
        b[34] = 33;
        assert!(matches!(
            ClientHello::from_bytes(&b),
            Err(InvalidMessage::LengthOutOfRange {
                what: "legacy_session_id",
                ..
            })
        ));
        // cipher_suites<2..2^16-2>: empty, then odd.
        let suites = 2 + 32 + 33;
        for (len, want) in [(0u8, "range"), (3, "multiple")] {
            let mut b = bytes.clone();
            b[suites + 1] = len;
            let err = ClientHello::from_bytes(&b).unwrap_err();
            assert_eq!(err.alert(), AlertDescription::DecodeError);
            match want {
                "range" => assert!(matches!(err, InvalidMessage::LengthOutOfRange { .. })),
                _ => assert!(matches!(err, InvalidMessage::LengthNotMultiple { .. })),
            }
        }
        // legacy_compression_methods<1..2^8-1>: empty.
        let mut b = bytes.clone();
        b[suites + 4] = 0;
        assert!(ClientHello::from_bytes(&b).is_err());
        // Trailing garbage after the extensions.
        let mut b = bytes;
        b.push(0);
        assert!(ClientHello::from_bytes(&b).is_err());
    }

    #[test]
    fn pre_shared_key_must_be_last() {
        let mut ch = sample();
        ch.extensions.as_mut().unwrap().0.reverse();
        let err = ClientHello::from_bytes(&ch.to_bytes()).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    }

    #[test]
    fn binder_helpers() {
        let mut ch = sample();
        assert_eq!(ch.binders_encoded_len(), Some(2 + 1 + 32));
        let body = ch.to_bytes();
        let truncated = ch.encode_truncated_for_binders().unwrap();
        // Header with the full length, then the body up to the binders.
        assert_eq!(truncated[0], 1);
        assert_eq!(
            u32::from_be_bytes([0, truncated[1], truncated[2], truncated[3]]) as usize,
            body.len()
        );
        assert_eq!(&truncated[4..], &body[..body.len() - 35]);
        let mut message = truncated[..4].to_vec();
        message.extend_from_slice(&body);
        assert_eq!(ch.strip_binders(&message).unwrap(), truncated);
        // Patching binders keeps the prefix and changes only the end.
        ch.set_binders(vec![Bytes::new(vec![0xab; 32])]).unwrap();
        let patched = ch.to_bytes();
        assert_eq!(&patched[..body.len() - 32], &body[..body.len() - 32]);
        assert_eq!(&patched[body.len() - 32..], [0xab; 32]);
        assert!(ch.set_binders(vec![]).is_err());
        let mut plain = sample();
        plain.extensions.as_mut().unwrap().0.pop();
        assert_eq!(plain.binders_encoded_len(), None);
        assert_eq!(plain.encode_truncated_for_binders(), None);
        assert!(plain.set_binders(vec![]).is_err());
    }
}

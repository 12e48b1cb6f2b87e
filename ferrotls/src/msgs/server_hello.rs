//! ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4;
//! RFC 5246 §7.4.1.3).
//!
//! Both share one structure; a HelloRetryRequest is a ServerHello whose
//! random is [`HELLO_RETRY_REQUEST_RANDOM`]. Decoding looks at the random
//! first, so the extensions are read in the right context (key_share
//! carries a `selected_group` in a HelloRetryRequest, a `server_share` in
//! a ServerHello).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, Writer};
use crate::error::InvalidMessage;
use crate::msgs::client_hello::SESSION_ID;
use crate::msgs::enums::{CipherSuite, CompressionMethod, ProtocolVersion};
use crate::msgs::extensions::{ExtensionContext, Extensions};

/// RFC 8446 §4.1.3: "For reasons of backward compatibility with middleboxes
/// ... the HelloRetryRequest message uses the same structure as the
/// ServerHello, but with Random set to the special value of the SHA-256 of
/// "HelloRetryRequest"".
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// RFC 8446 §4.1.3: last 8 bytes of a TLS 1.3 server's random when it
/// negotiates TLS 1.2.
pub const DOWNGRADE_TLS12: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];

/// RFC 8446 §4.1.3: last 8 bytes of a TLS 1.3 server's random when it
/// negotiates TLS 1.1 or below.
pub const DOWNGRADE_TLS11: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00];

/// A downgrade sentinel found in a ServerHello random (RFC 8446 §4.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DowngradeSentinel {
    /// [`DOWNGRADE_TLS12`].
    Tls12,
    /// [`DOWNGRADE_TLS11`].
    Tls11OrBelow,
}

impl DowngradeSentinel {
    /// The sentinel at the end of `random`, if any.
    pub fn find(random: &[u8; 32]) -> Option<Self> {
        match random.last_chunk::<8>() {
            Some(tail) if *tail == DOWNGRADE_TLS12 => Some(Self::Tls12),
            Some(tail) if *tail == DOWNGRADE_TLS11 => Some(Self::Tls11OrBelow),
            _ => None,
        }
    }

    /// Writes the sentinel into the last 8 bytes of `random` (RFC 8446
    /// §4.1.3: a TLS 1.3 server negotiating an older version "MUST set the
    /// last 8 bytes of their Random value specially").
    pub fn apply(self, random: &mut [u8; 32]) {
        let bytes = match self {
            Self::Tls12 => DOWNGRADE_TLS12,
            Self::Tls11OrBelow => DOWNGRADE_TLS11,
        };
        if let Some(tail) = random.last_chunk_mut::<8>() {
            *tail = bytes;
        }
    }
}

/// An extension block shared by every ServerHello without one.
static NO_EXTENSIONS: Extensions = Extensions(Vec::new());

/// RFC 8446 §4.1.3:
/// ```text
/// struct {
///     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
///     Random random;
///     opaque legacy_session_id_echo<0..32>;
///     CipherSuite cipher_suite;
///     uint8 legacy_compression_method = 0;
///     Extension extensions<6..2^16-1>;
/// } ServerHello;
/// ```
/// `extensions` is `None` when the field is absent, which a TLS 1.2
/// ServerHello may do (RFC 5246 §7.4.1.3). Values (version, suite,
/// compression 0, mandatory extensions) are the handshake's to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    pub legacy_version: ProtocolVersion,
    pub random: [u8; 32],
    pub legacy_session_id_echo: Bytes,
    pub cipher_suite: CipherSuite,
    pub legacy_compression_method: CompressionMethod,
    pub extensions: Option<Extensions>,
}

impl ServerHello {
    /// A HelloRetryRequest (RFC 8446 §4.1.4): legacy_version 0x0303, the
    /// special random, null compression.
    pub fn hello_retry_request(
        legacy_session_id_echo: Bytes,
        cipher_suite: CipherSuite,
        extensions: Extensions,
    ) -> Self {
        Self {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: HELLO_RETRY_REQUEST_RANDOM,
            legacy_session_id_echo,
            cipher_suite,
            legacy_compression_method: CompressionMethod::Null,
            extensions: Some(extensions),
        }
    }

    /// Whether this is a HelloRetryRequest (RFC 8446 §4.1.3).
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }

    /// The context its extensions were read in.
    pub fn context(&self) -> ExtensionContext {
        context_for(&self.random)
    }

    /// The extension block, empty when the field is absent.
    pub fn extensions(&self) -> &Extensions {
        self.extensions.as_ref().unwrap_or(&NO_EXTENSIONS)
    }

    /// The downgrade sentinel in the random, if any (RFC 8446 §4.1.3).
    pub fn downgrade_sentinel(&self) -> Option<DowngradeSentinel> {
        DowngradeSentinel::find(&self.random)
    }
}

fn context_for(random: &[u8; 32]) -> ExtensionContext {
    match *random == HELLO_RETRY_REQUEST_RANDOM {
        true => ExtensionContext::HelloRetryRequest,
        false => ExtensionContext::ServerHello,
    }
}

impl Codec for ServerHello {
    fn encode(&self, w: &mut Writer<'_>) {
        self.legacy_version.encode(w);
        w.bytes(&self.random);
        w.opaque(LengthPrefix::U8, &self.legacy_session_id_echo);
        self.cipher_suite.encode(w);
        self.legacy_compression_method.encode(w);
        if let Some(exts) = &self.extensions {
            exts.encode(w);
        }
    }

    /// Reads a ServerHello body; `r` must hold exactly the message body,
    /// since an absent extensions field is told by the body's end.
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let legacy_version = ProtocolVersion::read(r)?;
        let random = r.array("random")?;
        let legacy_session_id_echo = r.opaque(SESSION_ID)?;
        let cipher_suite = CipherSuite::read(r)?;
        let legacy_compression_method = CompressionMethod::read(r)?;
        let extensions = match r.is_empty() {
            true => None,
            false => Some(Extensions::read(r, context_for(&random))?),
        };
        Ok(Self {
            legacy_version,
            random,
            legacy_session_id_echo,
            cipher_suite,
            legacy_compression_method,
            extensions,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::msgs::enums::NamedGroup;
    use crate::msgs::ext::strategies;
    use crate::msgs::extensions::Extension;

    fn server_hello() -> impl Strategy<Value = ServerHello> {
        let random = prop_oneof![
            3 => any::<[u8; 32]>(),
            1 => Just(HELLO_RETRY_REQUEST_RANDOM),
        ];
        (
            random,
            any::<u16>(),
            strategies::bytes(0, 32),
            any::<u16>(),
            any::<u8>(),
        )
            .prop_flat_map(|(random, v, sid, suite, comp)| {
                let exts = proptest::option::of(strategies::extensions(context_for(&random)));
                exts.prop_map(move |extensions| ServerHello {
                    legacy_version: ProtocolVersion::from_wire(v),
                    random,
                    legacy_session_id_echo: sid.clone(),
                    cipher_suite: CipherSuite::from_wire(suite),
                    legacy_compression_method: CompressionMethod::from_wire(comp),
                    extensions,
                })
            })
    }

    proptest! {
        #[test]
        fn round_trips(sh in server_hello()) {
            let bytes = sh.to_bytes();
            let back = ServerHello::from_bytes(&bytes).unwrap();
            prop_assert_eq!(back.context(), sh.context());
            prop_assert_eq!(back, sh);
        }
    }

    #[test]
    fn hello_retry_request_reads_selected_group() {
        let hrr = ServerHello::hello_retry_request(
            Bytes::default(),
            CipherSuite::TLS_AES_128_GCM_SHA256,
            Extensions(vec![
                Extension::SelectedVersion(ProtocolVersion::TLSv1_3),
                Extension::KeyShareRetry(NamedGroup::Secp256r1),
            ]),
        );
        let back = ServerHello::from_bytes(&hrr.to_bytes()).unwrap();
        assert!(back.is_hello_retry_request());
        assert_eq!(back.context(), ExtensionContext::HelloRetryRequest);
        assert_eq!(back.extensions().retry_group(), Some(NamedGroup::Secp256r1));
        // The same bytes with another random are a ServerHello whose
        // key_share body (two bytes) is too short for a KeyShareEntry.
        let mut bytes = hrr.to_bytes();
        bytes[2] ^= 1;
        assert!(ServerHello::from_bytes(&bytes).is_err());
    }

    #[test]
    fn tls12_server_hello_without_extensions() {
        let sh = ServerHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: [3; 32],
            legacy_session_id_echo: Bytes::new(vec![5; 32]),
            cipher_suite: CipherSuite::from_wire(0xc02f),
            legacy_compression_method: CompressionMethod::Null,
            extensions: None,
        };
        let bytes = sh.to_bytes();
        assert_eq!(bytes.len(), 2 + 32 + 33 + 2 + 1);
        let back = ServerHello::from_bytes(&bytes).unwrap();
        assert_eq!(back, sh);
        assert!(back.extensions().is_empty());
        // Strict prefixes fail; one more byte is a truncated block.
        for n in 0..bytes.len() {
            assert!(ServerHello::from_bytes(&bytes[..n]).is_err());
        }
        let mut b = bytes;
        b.push(0);
        assert!(ServerHello::from_bytes(&b).is_err());
    }

    #[test]
    fn session_id_echo_bound() {
        let mut bytes = vec![3, 3];
        bytes.extend_from_slice(&[0; 32]);
        bytes.push(33);
        bytes.extend_from_slice(&[0; 33]);
        bytes.extend_from_slice(&[0x13, 0x01, 0]);
        assert!(matches!(
            ServerHello::from_bytes(&bytes),
            Err(InvalidMessage::LengthOutOfRange { .. })
        ));
    }

    #[test]
    fn downgrade_sentinels() {
        let mut random = [0x11; 32];
        assert_eq!(DowngradeSentinel::find(&random), None);
        DowngradeSentinel::Tls12.apply(&mut random);
        assert_eq!(&random[24..], b"DOWNGRD\x01");
        assert_eq!(
            DowngradeSentinel::find(&random),
            Some(DowngradeSentinel::Tls12)
        );
        DowngradeSentinel::Tls11OrBelow.apply(&mut random);
        assert_eq!(&random[24..], b"DOWNGRD\x00");
        assert_eq!(
            DowngradeSentinel::find(&random),
            Some(DowngradeSentinel::Tls11OrBelow)
        );
        assert_eq!(random[..24], [0x11; 24]);
    }
}

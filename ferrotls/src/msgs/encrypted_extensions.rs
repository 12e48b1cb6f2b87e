//! EncryptedExtensions (RFC 8446 §4.3.1).

use crate::codec::{Codec, Reader, Writer};
use crate::error::InvalidMessage;
use crate::msgs::extensions::{ExtensionContext, Extensions};

/// RFC 8446 §4.3.1: `struct { Extension extensions<0..2^16-1>; } EncryptedExtensions;`
///
/// Decoding checks the encoding; the client applies
/// [`Extensions::check_allowed`] with `ExtensionContext::EncryptedExtensions`
/// and checks that every extension answers one it sent (§4.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptedExtensions {
    pub extensions: Extensions,
}

impl Codec for EncryptedExtensions {
    fn encode(&self, w: &mut Writer<'_>) {
        self.extensions.encode(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            extensions: Extensions::read(r, ExtensionContext::EncryptedExtensions)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::msgs::ext::strategies;
    use crate::msgs::extensions::Extension;

    proptest! {
        #[test]
        fn round_trips(
            extensions in strategies::extensions(ExtensionContext::EncryptedExtensions)
        ) {
            let ee = EncryptedExtensions { extensions };
            let bytes = ee.to_bytes();
            prop_assert_eq!(EncryptedExtensions::from_bytes(&bytes).unwrap(), ee);
            for n in 0..bytes.len() {
                prop_assert!(EncryptedExtensions::from_bytes(&bytes[..n]).is_err());
            }
        }
    }

    #[test]
    fn empty_and_typical() {
        let ee = EncryptedExtensions::from_bytes(&[0, 0]).unwrap();
        assert!(ee.extensions.is_empty());
        // server_name acknowledged, early_data accepted, ALPN h2.
        let bytes = [
            0, 17, 0, 0, 0, 0, 0, 42, 0, 0, 0, 16, 0, 5, 0, 3, 2, b'h', b'2',
        ];
        let ee = EncryptedExtensions::from_bytes(&bytes).unwrap();
        assert_eq!(
            ee.extensions.0,
            [
                Extension::ServerNameAck,
                Extension::EarlyData,
                Extension::Alpn(vec![crate::codec::Bytes::new(b"h2".to_vec())])
            ]
        );
        ee.extensions
            .check_allowed(ExtensionContext::EncryptedExtensions)
            .unwrap();
        assert_eq!(ee.to_bytes(), bytes);
    }
}

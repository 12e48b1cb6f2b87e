//! CertificateVerify (RFC 8446 §4.4.3) and the TLS 1.2 `DigitallySigned`
//! structure it shares its shape with (RFC 5246 §4.7, §7.4.8).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::SignatureScheme;

/// RFC 8446 §4.4.3: `opaque signature<0..2^16-1>`.
const SIGNATURE: VecSpec = VecSpec::opaque("signature", 0, 0xffff);

/// A signature and the scheme that made it.
///
/// ```text
/// struct {
///     SignatureScheme algorithm;
///     opaque signature<0..2^16-1>;
/// } CertificateVerify;
/// ```
///
/// TLS 1.2 writes the same bytes as `digitally-signed struct` with a
/// `SignatureAndHashAlgorithm` (RFC 5246 §4.7, §7.4.1.4.1), whose two octets
/// are the `SignatureScheme` code points (RFC 8446 §4.2.3). It is used by
/// the TLS 1.2 CertificateVerify and ServerKeyExchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigitallySigned {
    pub scheme: SignatureScheme,
    pub signature: Bytes,
}

impl Codec for DigitallySigned {
    fn encode(&self, w: &mut Writer<'_>) {
        self.scheme.encode(w);
        w.opaque(LengthPrefix::U16, &self.signature);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            scheme: SignatureScheme::read(r)?,
            signature: r.opaque(SIGNATURE)?,
        })
    }
}

/// CertificateVerify: the same body in TLS 1.3 (§4.4.3) and TLS 1.2 (§7.4.8).
pub type CertificateVerify = DigitallySigned;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_scheme_and_signature() {
        let cv = DigitallySigned::from_bytes(&[0x08, 0x04, 0x00, 0x02, 0xaa, 0xbb]).unwrap();
        assert_eq!(cv.scheme, SignatureScheme::RsaPssRsaeSha256);
        assert_eq!(cv.signature.0, [0xaa, 0xbb]);
    }

    #[test]
    fn signature_length_must_match() {
        assert!(matches!(
            DigitallySigned::from_bytes(&[0x08, 0x04, 0x00, 0x03, 0xaa, 0xbb]),
            Err(InvalidMessage::Truncated { .. })
        ));
        assert!(matches!(
            DigitallySigned::from_bytes(&[0x08, 0x04, 0x00, 0x01, 0xaa, 0xbb]),
            Err(InvalidMessage::TrailingBytes { .. })
        ));
    }

    proptest! {
        #[test]
        fn round_trip(scheme: u16, sig in proptest::collection::vec(any::<u8>(), 0..300)) {
            let m = DigitallySigned { scheme: scheme.into(), signature: sig.into() };
            prop_assert_eq!(DigitallySigned::from_bytes(&m.to_bytes()).unwrap(), m);
        }
    }
}

//! CertificateRequest (RFC 8446 §4.3.2 for TLS 1.3, RFC 5246 §7.4.4 for TLS 1.2).

use crate::codec::{Bytes, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::certificate::REQUEST_CONTEXT;
use crate::msgs::enums::{ClientCertificateType, SignatureScheme};
use crate::msgs::extensions::{ExtensionContext, Extensions};

/// RFC 8446 §4.3.2: `Extension extensions<2..2^16-1>`: at least
/// signature_algorithms must be there ("The "signature_algorithms"
/// extension MUST be specified").
const EXTENSIONS: VecSpec = VecSpec::opaque("CertificateRequest extensions", 2, 0xffff);
/// RFC 5246 §7.4.4: `ClientCertificateType certificate_types<1..2^8-1>`.
const CERTIFICATE_TYPES: VecSpec = VecSpec::of("certificate_types", 1, 0xff, 1);
/// RFC 5246 §7.4.4 with §7.4.1.4.1's bounds: `SignatureAndHashAlgorithm
/// supported_signature_algorithms<2..2^16-2>`.
const SIGNATURE_ALGORITHMS: VecSpec = VecSpec::of("supported_signature_algorithms", 2, 0xfffe, 2);
/// RFC 5246 §7.4.4: `DistinguishedName certificate_authorities<0..2^16-1>`.
const CERTIFICATE_AUTHORITIES: VecSpec = VecSpec::opaque("certificate_authorities", 0, 0xffff);
/// RFC 5246 §7.4.4: `opaque DistinguishedName<1..2^16-1>`.
const DISTINGUISHED_NAME: VecSpec = VecSpec::opaque("DistinguishedName", 1, 0xffff);

/// TLS 1.3 CertificateRequest.
///
/// ```text
/// struct {
///     opaque certificate_request_context<0..2^8-1>;
///     Extension extensions<2..2^16-1>;
/// } CertificateRequest;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequestTls13 {
    /// Zero length in the main handshake (§4.3.2); echoed in the client's
    /// Certificate.
    pub context: Bytes,
    pub extensions: Extensions,
}

impl CertificateRequestTls13 {
    pub fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let context = r.opaque(REQUEST_CONTEXT)?;
        // The block's own reader allows <0..2^16-1>; check the tighter floor
        // first by looking at the length without consuming it.
        EXTENSIONS.check(r.clone().length(LengthPrefix::U16, EXTENSIONS.what)?)?;
        let extensions = Extensions::read(r, ExtensionContext::CertificateRequest)?;
        Ok(Self {
            context,
            extensions,
        })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        w.opaque(LengthPrefix::U8, &self.context);
        self.extensions.encode(w);
    }
}

/// TLS 1.2 CertificateRequest.
///
/// ```text
/// struct {
///     ClientCertificateType certificate_types<1..2^8-1>;
///     SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
///     DistinguishedName certificate_authorities<0..2^16-1>;
/// } CertificateRequest;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequestTls12 {
    pub certificate_types: Vec<ClientCertificateType>,
    /// The `SignatureAndHashAlgorithm` pairs, which are `SignatureScheme`
    /// code points (RFC 8446 §4.2.3).
    pub signature_schemes: Vec<SignatureScheme>,
    /// DER-encoded distinguished names of acceptable CAs.
    pub certificate_authorities: Vec<Bytes>,
}

impl CertificateRequestTls12 {
    pub fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            certificate_types: r.codec_list(CERTIFICATE_TYPES)?,
            signature_schemes: r.codec_list(SIGNATURE_ALGORITHMS)?,
            certificate_authorities: r
                .list(CERTIFICATE_AUTHORITIES, |r| r.opaque(DISTINGUISHED_NAME))?,
        })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        w.codec_list(LengthPrefix::U8, &self.certificate_types);
        w.codec_list(LengthPrefix::U16, &self.signature_schemes);
        w.vec(LengthPrefix::U16, |w| {
            for name in &self.certificate_authorities {
                w.opaque(LengthPrefix::U16, name);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;
    use crate::msgs::handshake::arb;
    use proptest::prelude::*;

    fn read13(bytes: &[u8]) -> Result<CertificateRequestTls13, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let m = CertificateRequestTls13::read(&mut r)?;
        r.finish("CertificateRequest")?;
        Ok(m)
    }

    fn read12(bytes: &[u8]) -> Result<CertificateRequestTls12, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let m = CertificateRequestTls12::read(&mut r)?;
        r.finish("CertificateRequest")?;
        Ok(m)
    }

    #[test]
    fn tls13_extensions_may_not_be_empty() {
        let e = read13(&[0, 0, 0]).unwrap_err();
        assert!(matches!(e, InvalidMessage::LengthOutOfRange { len: 0, .. }));
        assert_eq!(e.alert(), AlertDescription::DecodeError);
        // Truncated before the extensions' length.
        assert!(matches!(
            read13(&[0, 0]),
            Err(InvalidMessage::Truncated { .. })
        ));
    }

    #[test]
    fn tls12_bounds() {
        let ok = [1, 64, 0, 2, 4, 3, 0, 4, 0, 2, 0x30, 0];
        let m = read12(&ok).unwrap();
        assert_eq!(m.certificate_types, [ClientCertificateType::EcdsaSign]);
        assert_eq!(m.signature_schemes, [SignatureScheme::EcdsaSecp256r1Sha256]);
        assert_eq!(m.certificate_authorities, [Bytes::new([0x30, 0])]);
        // certificate_types<1..2^8-1> may not be empty.
        assert!(read12(&[0, 0, 2, 4, 3, 0, 0]).is_err());
        // supported_signature_algorithms<2..2^16-2>: not empty, not odd.
        assert!(read12(&[1, 64, 0, 0, 0, 0]).is_err());
        assert!(matches!(
            read12(&[1, 64, 0, 3, 4, 3, 4, 0, 0]),
            Err(InvalidMessage::LengthNotMultiple { .. })
        ));
        // DistinguishedName<1..2^16-1> may not be empty.
        assert!(read12(&[1, 64, 0, 2, 4, 3, 0, 2, 0, 0]).is_err());
    }

    proptest! {
        #[test]
        fn tls13_round_trip(m in arb::certificate_request13()) {
            let mut out = Vec::new();
            m.encode(&mut Writer::new(&mut out));
            prop_assert_eq!(read13(&out).unwrap(), m);
        }

        #[test]
        fn tls12_round_trip(m in arb::certificate_request12()) {
            let mut out = Vec::new();
            m.encode(&mut Writer::new(&mut out));
            prop_assert_eq!(read12(&out).unwrap(), m);
        }
    }
}

//! Certificate (RFC 8446 §4.4.2 for TLS 1.3, RFC 5246 §7.4.2 for TLS 1.2).

use crate::codec::{Bytes, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::extensions::{ExtensionContext, Extensions};

/// RFC 8446 §4.4.2: `opaque certificate_request_context<0..2^8-1>`.
pub(crate) const REQUEST_CONTEXT: VecSpec = VecSpec::opaque("certificate_request_context", 0, 0xff);
/// RFC 8446 §4.4.2: `opaque cert_data<1..2^24-1>` (also the raw public key
/// form, RFC 7250 §3); RFC 5246 §7.4.2: `opaque ASN.1Cert<1..2^24-1>`.
const CERT_DATA: VecSpec = VecSpec::opaque("cert_data", 1, 0xff_ffff);
/// RFC 8446 §4.4.2: `CertificateEntry certificate_list<0..2^24-1>`.
const CERTIFICATE_LIST: VecSpec = VecSpec::opaque("certificate_list", 0, 0xff_ffff);

/// One certificate of a TLS 1.3 chain with its own extensions
/// (status_request, signed_certificate_timestamp: RFC 8446 §4.4.2.1).
///
/// ```text
/// struct {
///     select (certificate_type) {
///         case RawPublicKey: opaque ASN1_subjectPublicKeyInfo<1..2^24-1>;
///         case X509: opaque cert_data<1..2^24-1>;
///     };
///     Extension extensions<0..2^16-1>;
/// } CertificateEntry;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateEntry {
    /// DER certificate, or a DER SubjectPublicKeyInfo for raw public keys:
    /// both have the same encoding here.
    pub cert_data: Bytes,
    pub extensions: Extensions,
}

impl CertificateEntry {
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            cert_data: r.opaque(CERT_DATA)?,
            extensions: Extensions::read(r, ExtensionContext::Certificate)?,
        })
    }

    fn encode(&self, w: &mut Writer<'_>) {
        w.opaque(LengthPrefix::U24, &self.cert_data);
        self.extensions.encode(w);
    }
}

/// TLS 1.3 Certificate.
///
/// ```text
/// struct {
///     opaque certificate_request_context<0..2^8-1>;
///     CertificateEntry certificate_list<0..2^24-1>;
/// } Certificate;
/// ```
///
/// The sender's own certificate comes first (§4.4.2). An empty list is
/// legal on the wire (a client without a certificate); whether it is
/// acceptable is the handshake's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateTls13 {
    /// Empty in the main handshake; echoes the CertificateRequest's context
    /// in post-handshake authentication (§4.4.2).
    pub context: Bytes,
    pub entries: Vec<CertificateEntry>,
}

impl CertificateTls13 {
    pub fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            context: r.opaque(REQUEST_CONTEXT)?,
            entries: r.list(CERTIFICATE_LIST, CertificateEntry::read)?,
        })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        w.opaque(LengthPrefix::U8, &self.context);
        w.vec(LengthPrefix::U24, |w| {
            for entry in &self.entries {
                entry.encode(w);
            }
        });
    }

    /// The certificates, sender's first.
    pub fn certificates(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().map(|e| &e.cert_data[..])
    }
}

/// TLS 1.2 Certificate (RFC 5246 §7.4.2).
///
/// ```text
/// opaque ASN.1Cert<1..2^24-1>;
/// struct {
///     ASN.1Cert certificate_list<0..2^24-1>;
/// } Certificate;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateTls12 {
    /// DER certificates, sender's first.
    pub chain: Vec<Bytes>,
}

impl CertificateTls12 {
    pub fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            chain: r.list(CERTIFICATE_LIST, |r| r.opaque(CERT_DATA))?,
        })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        w.vec(LengthPrefix::U24, |w| {
            for cert in &self.chain {
                w.opaque(LengthPrefix::U24, cert);
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

    fn read13(bytes: &[u8]) -> Result<CertificateTls13, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let c = CertificateTls13::read(&mut r)?;
        r.finish("Certificate")?;
        Ok(c)
    }

    fn read12(bytes: &[u8]) -> Result<CertificateTls12, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let c = CertificateTls12::read(&mut r)?;
        r.finish("Certificate")?;
        Ok(c)
    }

    #[test]
    fn tls13_entries_carry_extensions() {
        let bytes = [
            0x01, 0xaa, // context
            0x00, 0x00, 0x0a, // list
            0x00, 0x00, 0x02, 0x30, 0x00, // cert_data
            0x00, 0x03, 0xfa, 0xfa, 0x00, // one extension... truncated below
        ];
        // The list length says 10 but the entry's extensions need 5 bytes.
        assert!(read13(&bytes).is_err());
        let good = [
            0x01, 0xaa, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x02, 0x30, 0x00, 0x00, 0x04, 0xfa, 0xfa,
            0x00, 0x00,
        ];
        let c = read13(&good).unwrap();
        assert_eq!(c.context.0, [0xaa]);
        assert_eq!(c.certificates().collect::<Vec<_>>(), [&[0x30, 0x00][..]]);
    }

    #[test]
    fn empty_cert_data_is_decode_error() {
        // RFC 8446 §4.4.2 / RFC 5246 §7.4.2: cert_data<1..2^24-1>.
        let e = read13(&[0, 0, 0, 5, 0, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::DecodeError);
        let e = read12(&[0, 0, 3, 0, 0, 0]).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::DecodeError);
    }

    #[test]
    fn empty_chain_is_legal_on_the_wire() {
        assert!(read13(&[0, 0, 0, 0]).unwrap().entries.is_empty());
        assert!(read12(&[0, 0, 0]).unwrap().chain.is_empty());
    }

    proptest! {
        #[test]
        fn tls13_round_trip(m in arb::certificate13()) {
            let mut out = Vec::new();
            m.encode(&mut Writer::new(&mut out));
            prop_assert_eq!(read13(&out).unwrap(), m);
        }

        #[test]
        fn tls12_round_trip(m in arb::certificate12()) {
            let mut out = Vec::new();
            m.encode(&mut Writer::new(&mut out));
            prop_assert_eq!(read12(&out).unwrap(), m);
        }
    }
}

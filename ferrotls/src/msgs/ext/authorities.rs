//! Extensions that name certificate authorities or certificate contents:
//! certificate_authorities and oid_filters (RFC 8446 §4.2.4, §4.2.5),
//! trusted_ca_keys (RFC 6066 §6).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::TrustedAuthorityType;

/// `opaque DistinguishedName<1..2^16-1>`.
const DISTINGUISHED_NAME: VecSpec = VecSpec::opaque("DistinguishedName", 1, 0xffff);
/// `DistinguishedName authorities<3..2^16-1>`.
const AUTHORITIES: VecSpec = VecSpec::opaque("authorities", 3, 0xffff);
/// `opaque certificate_extension_oid<1..2^8-1>`.
const OID: VecSpec = VecSpec::opaque("certificate_extension_oid", 1, 0xff);
/// `opaque certificate_extension_values<0..2^16-1>`.
const OID_VALUES: VecSpec = VecSpec::opaque("certificate_extension_values", 0, 0xffff);
/// `OIDFilter filters<0..2^16-1>`.
const FILTERS: VecSpec = VecSpec::opaque("filters", 0, 0xffff);
/// `TrustedAuthority trusted_authorities_list<0..2^16-1>`.
const TRUSTED_AUTHORITIES: VecSpec = VecSpec::opaque("trusted_authorities_list", 0, 0xffff);

/// RFC 8446 §4.2.4: `DistinguishedName authorities<3..2^16-1>`, each a
/// DER-encoded X.501 name.
pub fn read_authorities(r: &mut Reader<'_>) -> Result<Vec<Bytes>, InvalidMessage> {
    r.list(AUTHORITIES, |r| r.opaque(DISTINGUISHED_NAME))
}

/// Writes `authorities`.
pub fn encode_authorities(w: &mut Writer<'_>, names: &[Bytes]) {
    w.vec(LengthPrefix::U16, |w| {
        for n in names {
            w.opaque(LengthPrefix::U16, n);
        }
    });
}

/// RFC 8446 §4.2.5:
/// ```text
/// struct {
///     opaque certificate_extension_oid<1..2^8-1>;
///     opaque certificate_extension_values<0..2^16-1>;
/// } OIDFilter;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidFilter {
    /// DER content octets of the extension's OID.
    pub oid: Bytes,
    /// DER-encoded values the certificate's extension must match.
    pub values: Bytes,
}

impl Codec for OidFilter {
    fn encode(&self, w: &mut Writer<'_>) {
        w.opaque(LengthPrefix::U8, &self.oid);
        w.opaque(LengthPrefix::U16, &self.values);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            oid: r.opaque(OID)?,
            values: r.opaque(OID_VALUES)?,
        })
    }
}

/// RFC 8446 §4.2.5: `OIDFilter filters<0..2^16-1>`.
pub fn read_filters(r: &mut Reader<'_>) -> Result<Vec<OidFilter>, InvalidMessage> {
    r.codec_list(FILTERS)
}

/// Writes `filters`.
pub fn encode_filters(w: &mut Writer<'_>, filters: &[OidFilter]) {
    w.codec_list(LengthPrefix::U16, filters);
}

/// RFC 6066 §6:
/// ```text
/// struct {
///     TrustedAuthorityType identifier_type;
///     select (identifier_type) {
///         case pre_agreed: struct {};
///         case key_sha1_hash: SHA1Hash;
///         case x509_name: DistinguishedName;
///         case cert_sha1_hash: SHA1Hash;
///     } identifier;
/// } TrustedAuthority;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustedAuthority {
    PreAgreed,
    KeySha1Hash([u8; 20]),
    X509Name(Bytes),
    CertSha1Hash([u8; 20]),
}

impl Codec for TrustedAuthority {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::PreAgreed => TrustedAuthorityType::PreAgreed.encode(w),
            Self::KeySha1Hash(h) => {
                TrustedAuthorityType::KeySha1Hash.encode(w);
                w.bytes(h);
            }
            Self::X509Name(n) => {
                TrustedAuthorityType::X509Name.encode(w);
                w.opaque(LengthPrefix::U16, n);
            }
            Self::CertSha1Hash(h) => {
                TrustedAuthorityType::CertSha1Hash.encode(w);
                w.bytes(h);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match TrustedAuthorityType::read(r)? {
            TrustedAuthorityType::PreAgreed => Ok(Self::PreAgreed),
            TrustedAuthorityType::KeySha1Hash => Ok(Self::KeySha1Hash(r.array("SHA1Hash")?)),
            TrustedAuthorityType::X509Name => Ok(Self::X509Name(r.opaque(DISTINGUISHED_NAME)?)),
            TrustedAuthorityType::CertSha1Hash => Ok(Self::CertSha1Hash(r.array("SHA1Hash")?)),
            // The identifier of an unknown type has no length of its own,
            // so the rest of the list cannot be parsed.
            other => Err(InvalidMessage::InvalidValue {
                what: "TrustedAuthority identifier_type",
                value: u32::from(other.to_wire()),
            }),
        }
    }
}

/// RFC 6066 §6: `TrustedAuthority trusted_authorities_list<0..2^16-1>`.
pub fn read_trusted_authorities(
    r: &mut Reader<'_>,
) -> Result<Vec<TrustedAuthority>, InvalidMessage> {
    r.codec_list(TRUSTED_AUTHORITIES)
}

/// Writes `trusted_authorities_list`.
pub fn encode_trusted_authorities(w: &mut Writer<'_>, list: &[TrustedAuthority]) {
    w.codec_list(LengthPrefix::U16, list);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_bounds() {
        // A list of one empty name is shorter than 3 bytes.
        assert!(read_authorities(&mut Reader::new(&[0, 2, 0, 0])).is_err());
        // A name of one byte: list length 3.
        let list = read_authorities(&mut Reader::new(&[0, 3, 0, 1, 0x30])).unwrap();
        assert_eq!(list, [Bytes::new(vec![0x30])]);
        let mut out = Vec::new();
        encode_authorities(&mut Writer::new(&mut out), &list);
        assert_eq!(out, [0, 3, 0, 1, 0x30]);
    }

    #[test]
    fn filters_round_trip_and_reject_empty_oid() {
        let f = OidFilter {
            oid: Bytes::new(vec![0x55, 0x1d, 0x25]),
            values: Bytes::default(),
        };
        let mut out = Vec::new();
        encode_filters(&mut Writer::new(&mut out), std::slice::from_ref(&f));
        assert_eq!(read_filters(&mut Reader::new(&out)).unwrap(), [f]);
        assert_eq!(read_filters(&mut Reader::new(&[0, 0])).unwrap(), []);
        assert!(read_filters(&mut Reader::new(&[0, 3, 0, 0, 0])).is_err());
    }

    #[test]
    fn trusted_authorities() {
        let list = vec![
            TrustedAuthority::PreAgreed,
            TrustedAuthority::KeySha1Hash([1; 20]),
            TrustedAuthority::X509Name(Bytes::new(vec![0x30, 0])),
            TrustedAuthority::CertSha1Hash([2; 20]),
        ];
        let mut out = Vec::new();
        encode_trusted_authorities(&mut Writer::new(&mut out), &list);
        assert_eq!(
            read_trusted_authorities(&mut Reader::new(&out)).unwrap(),
            list
        );
        let err = read_trusted_authorities(&mut Reader::new(&[0, 1, 9])).unwrap_err();
        assert!(matches!(err, InvalidMessage::InvalidValue { value: 9, .. }));
        // A truncated hash.
        assert!(read_trusted_authorities(&mut Reader::new(&[0, 2, 1, 0])).is_err());
    }
}

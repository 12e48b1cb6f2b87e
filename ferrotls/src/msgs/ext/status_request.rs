//! status_request (RFC 6066 §8) and the CertificateStatus it brings back in
//! a TLS 1.3 Certificate entry (RFC 8446 §4.4.2.1).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::CertificateStatusType;

/// `opaque ResponderID<1..2^16-1>`.
const RESPONDER_ID: VecSpec = VecSpec::opaque("ResponderID", 1, 0xffff);
/// `ResponderID responder_id_list<0..2^16-1>`.
const RESPONDER_ID_LIST: VecSpec = VecSpec::opaque("responder_id_list", 0, 0xffff);
/// `opaque Extensions<0..2^16-1>` (DER-encoded OCSP request extensions).
const REQUEST_EXTENSIONS: VecSpec = VecSpec::opaque("request_extensions", 0, 0xffff);
/// `opaque OCSPResponse<1..2^24-1>`.
const OCSP_RESPONSE: VecSpec = VecSpec::opaque("OCSPResponse", 1, 0xff_ffff);

/// RFC 6066 §8:
/// ```text
/// struct {
///     ResponderID responder_id_list<0..2^16-1>;
///     Extensions  request_extensions;
/// } OCSPStatusRequest;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OcspStatusRequest {
    pub responder_ids: Vec<Bytes>,
    pub request_extensions: Bytes,
}

/// RFC 6066 §8: `CertificateStatusRequest`, sent by the client (and, empty,
/// by a TLS 1.3 server in CertificateRequest, which is a different form).
/// Status types other than ocsp keep their body raw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateStatusRequest {
    Ocsp(OcspStatusRequest),
    Unknown {
        typ: CertificateStatusType,
        body: Bytes,
    },
}

impl Codec for CertificateStatusRequest {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::Ocsp(req) => {
                CertificateStatusType::Ocsp.encode(w);
                w.vec(LengthPrefix::U16, |w| {
                    for id in &req.responder_ids {
                        w.opaque(LengthPrefix::U16, id);
                    }
                });
                w.opaque(LengthPrefix::U16, &req.request_extensions);
            }
            Self::Unknown { typ, body } => {
                typ.encode(w);
                w.bytes(body);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match CertificateStatusType::read(r)? {
            CertificateStatusType::Ocsp => Ok(Self::Ocsp(OcspStatusRequest {
                responder_ids: r.list(RESPONDER_ID_LIST, |r| r.opaque(RESPONDER_ID))?,
                request_extensions: r.opaque(REQUEST_EXTENSIONS)?,
            })),
            typ => Ok(Self::Unknown {
                typ,
                body: Bytes::from(r.take_rest()),
            }),
        }
    }
}

/// RFC 6066 §8 / RFC 8446 §4.4.2.1:
/// ```text
/// struct {
///     CertificateStatusType status_type;
///     select (status_type) { case ocsp: OCSPResponse; } response;
/// } CertificateStatus;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateStatus {
    /// A DER-encoded OCSP response.
    Ocsp(Bytes),
    Unknown {
        typ: CertificateStatusType,
        body: Bytes,
    },
}

impl Codec for CertificateStatus {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::Ocsp(resp) => {
                CertificateStatusType::Ocsp.encode(w);
                w.opaque(LengthPrefix::U24, resp);
            }
            Self::Unknown { typ, body } => {
                typ.encode(w);
                w.bytes(body);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match CertificateStatusType::read(r)? {
            CertificateStatusType::Ocsp => Ok(Self::Ocsp(r.opaque(OCSP_RESPONSE)?)),
            typ => Ok(Self::Unknown {
                typ,
                body: Bytes::from(r.take_rest()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ocsp_request_round_trips() {
        // The request every browser sends: no responder ids, no extensions.
        let bytes = [1, 0, 0, 0, 0];
        let req = CertificateStatusRequest::from_bytes(&bytes).unwrap();
        assert_eq!(
            req,
            CertificateStatusRequest::Ocsp(OcspStatusRequest::default())
        );
        assert_eq!(req.to_bytes(), bytes);
    }

    #[test]
    fn responder_ids_must_not_be_empty() {
        let err = CertificateStatusRequest::from_bytes(&[1, 0, 2, 0, 0, 0, 0]).unwrap_err();
        assert!(matches!(
            err,
            InvalidMessage::LengthOutOfRange {
                what: "ResponderID",
                ..
            }
        ));
    }

    #[test]
    fn status_round_trips_and_rejects_empty_response() {
        let st = CertificateStatus::Ocsp(Bytes::new(vec![0x30, 0x03, 1, 2, 3]));
        let bytes = st.to_bytes();
        assert_eq!(&bytes[..4], [1, 0, 0, 5]);
        assert_eq!(CertificateStatus::from_bytes(&bytes).unwrap(), st);
        assert!(CertificateStatus::from_bytes(&[1, 0, 0, 0]).is_err());
        let unknown = [9, 1, 2];
        assert_eq!(
            CertificateStatus::from_bytes(&unknown).unwrap().to_bytes(),
            unknown
        );
    }
}

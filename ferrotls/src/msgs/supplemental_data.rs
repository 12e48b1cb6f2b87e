//! SupplementalData (RFC 4680 §2), with the user mapping data of RFC 4681
//! typed. TLS 1.2 only.

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::{SupplementalDataType, UserMappingType};

/// RFC 4680 §2: `SupplementalDataEntry supp_data<1..2^24-1>`.
const SUPP_DATA: VecSpec = VecSpec::opaque("supp_data", 1, 0xff_ffff);
/// RFC 4680 §2: `uint16 supp_data_length` and the data it measures.
const ENTRY_DATA: VecSpec = VecSpec::opaque("supp_data_length", 0, 0xffff);
/// RFC 4681 §3: `UserMappingData user_mapping_data_list<1..2^16-1>`.
const USER_MAPPING_LIST: VecSpec = VecSpec::opaque("user_mapping_data_list", 1, 0xffff);
/// RFC 4681 §3: `uint16 user_mapping_length` and the data it measures.
const USER_MAPPING_DATA: VecSpec = VecSpec::opaque("user_mapping_length", 0, 0xffff);
/// RFC 4681 §6: `opaque user_principal_name<0..2^16-1>`.
const UPN: VecSpec = VecSpec::opaque("user_principal_name", 0, 0xffff);
/// RFC 4681 §6: `opaque domain_name<0..2^16-1>`.
const DOMAIN: VecSpec = VecSpec::opaque("domain_name", 0, 0xffff);

/// ```text
/// struct {
///     SupplementalDataEntry supp_data<1..2^24-1>;
/// } SupplementalData;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplementalData {
    /// At least one (RFC 4680 §2: "MUST contain a non-empty
    /// SupplementalDataEntry structure").
    pub entries: Vec<SupplementalDataEntry>,
}

impl Codec for SupplementalData {
    fn encode(&self, w: &mut Writer<'_>) {
        w.codec_list(LengthPrefix::U24, &self.entries);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            entries: r.codec_list(SUPP_DATA)?,
        })
    }
}

/// ```text
/// struct {
///     SupplementalDataType supp_data_type;
///     uint16 supp_data_length;
///     select(SupplementalDataType) {
///         case user_mapping_data: UserMappingDataList;   /* RFC 4681 §3 */
///     }
/// } SupplementalDataEntry;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SupplementalDataEntry {
    /// `user_mapping_data(0)`: the UserMappingDataList, one or more hints.
    UserMapping(Vec<UserMappingData>),
    /// Any other type, kept as received.
    Unknown {
        typ: SupplementalDataType,
        data: Bytes,
    },
}

impl Codec for SupplementalDataEntry {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::UserMapping(list) => {
                SupplementalDataType::UserMappingData.encode(w);
                w.vec(LengthPrefix::U16, |w| {
                    w.codec_list(LengthPrefix::U16, list);
                });
            }
            Self::Unknown { typ, data } => {
                typ.encode(w);
                w.opaque(LengthPrefix::U16, data);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let typ = SupplementalDataType::read(r)?;
        let mut data = r.vec(ENTRY_DATA)?;
        let entry = match typ {
            SupplementalDataType::UserMappingData => {
                Self::UserMapping(data.codec_list(USER_MAPPING_LIST)?)
            }
            _ => Self::Unknown {
                typ,
                data: Bytes::from(data.take_rest()),
            },
        };
        data.finish("SupplementalDataEntry")?;
        Ok(entry)
    }
}

/// ```text
/// struct {
///     UserMappingType user_mapping_version;
///     uint16 user_mapping_length;
///     select(UserMappingType) {
///         case upn_domain_hint: UpnDomainHint;   /* RFC 4681 §6 */
///     }
/// } UserMappingData;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserMappingData {
    /// `struct { opaque user_principal_name<0..2^16-1>; opaque domain_name<0..2^16-1>; }`
    UpnDomainHint {
        user_principal_name: Bytes,
        domain_name: Bytes,
    },
    /// Any other mapping type, kept as received.
    Unknown { typ: UserMappingType, data: Bytes },
}

impl Codec for UserMappingData {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::UpnDomainHint {
                user_principal_name,
                domain_name,
            } => {
                UserMappingType::UpnDomainHint.encode(w);
                w.vec(LengthPrefix::U16, |w| {
                    w.opaque(LengthPrefix::U16, user_principal_name);
                    w.opaque(LengthPrefix::U16, domain_name);
                });
            }
            Self::Unknown { typ, data } => {
                typ.encode(w);
                w.opaque(LengthPrefix::U16, data);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let typ = UserMappingType::read(r)?;
        let mut data = r.vec(USER_MAPPING_DATA)?;
        let hint = match typ {
            UserMappingType::UpnDomainHint => Self::UpnDomainHint {
                user_principal_name: data.opaque(UPN)?,
                domain_name: data.opaque(DOMAIN)?,
            },
            _ => Self::Unknown {
                typ,
                data: Bytes::from(data.take_rest()),
            },
        };
        data.finish("UserMappingData")?;
        Ok(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;
    use crate::msgs::handshake::arb;
    use proptest::prelude::*;

    #[test]
    fn upn_domain_hint_is_typed() {
        let bytes = [
            0, 0, 16, // supp_data
            0, 0, 0, 12, // user_mapping_data, length 12
            0, 10, // user_mapping_data_list
            64, 0, 7, 0, 2, b'a', b'b', 0, 1, b'c', // upn_domain_hint
        ];
        let sd = SupplementalData::from_bytes(&bytes).unwrap();
        assert_eq!(
            sd.entries,
            [SupplementalDataEntry::UserMapping(vec![
                UserMappingData::UpnDomainHint {
                    user_principal_name: Bytes::new(*b"ab"),
                    domain_name: Bytes::new(*b"c"),
                }
            ])]
        );
        assert_eq!(sd.to_bytes(), bytes);
    }

    #[test]
    fn empty_and_inconsistent_lengths_are_decode_errors() {
        // supp_data<1..2^24-1> may not be empty.
        let e = SupplementalData::from_bytes(&[0, 0, 0]).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::DecodeError);
        // A hint that does not fill its user_mapping_length.
        let bytes = [0, 0, 14, 0, 0, 0, 10, 0, 8, 64, 0, 5, 0, 0, 0, 0, 9];
        assert!(matches!(
            SupplementalData::from_bytes(&bytes),
            Err(InvalidMessage::TrailingBytes {
                what: "UserMappingData",
                extra: 1
            })
        ));
    }

    proptest! {
        #[test]
        fn round_trip(m in arb::supplemental_data()) {
            prop_assert_eq!(SupplementalData::from_bytes(&m.to_bytes()).unwrap(), m);
        }
    }
}

//! pre_shared_key (RFC 8446 §4.2.11).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;

/// `opaque identity<1..2^16-1>`.
const IDENTITY: VecSpec = VecSpec::opaque("identity", 1, 0xffff);
/// `PskIdentity identities<7..2^16-1>`.
const IDENTITIES: VecSpec = VecSpec::opaque("identities", 7, 0xffff);
/// `opaque PskBinderEntry<32..255>`.
const BINDER: VecSpec = VecSpec::opaque("PskBinderEntry", 32, 255);
/// `PskBinderEntry binders<33..2^16-1>`.
const BINDERS: VecSpec = VecSpec::opaque("binders", 33, 0xffff);

/// RFC 8446 §4.2.11:
/// `struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskIdentity {
    pub identity: Bytes,
    pub obfuscated_ticket_age: u32,
}

impl Codec for PskIdentity {
    fn encode(&self, w: &mut Writer<'_>) {
        w.opaque(LengthPrefix::U16, &self.identity);
        w.u32(self.obfuscated_ticket_age);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            identity: r.opaque(IDENTITY)?,
            obfuscated_ticket_age: r.u32("obfuscated_ticket_age")?,
        })
    }
}

/// RFC 8446 §4.2.11: the ClientHello form of pre_shared_key.
/// ```text
/// struct {
///     PskIdentity identities<7..2^16-1>;
///     PskBinderEntry binders<33..2^16-1>;
/// } OfferedPsks;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferedPsks {
    pub identities: Vec<PskIdentity>,
    pub binders: Vec<Bytes>,
}

impl OfferedPsks {
    /// Size of the encoded `binders` field, its 2-byte length included:
    /// what Truncate() removes from the end of the ClientHello
    /// (RFC 8446 §4.2.11.2).
    pub fn binders_encoded_len(&self) -> usize {
        2 + self.binders.iter().map(|b| 1 + b.len()).sum::<usize>()
    }

    /// Replaces the binders with computed ones of the same count and sizes,
    /// so the bytes hashed for the binders (everything before them) stay
    /// exactly as they were (RFC 8446 §4.2.11.2: "The length fields ... are
    /// all set as if binders of the correct lengths were present").
    pub fn set_binders(&mut self, binders: Vec<Bytes>) -> Result<(), InvalidMessage> {
        let same_shape = binders.len() == self.binders.len()
            && binders
                .iter()
                .zip(&self.binders)
                .all(|(new, old)| new.len() == old.len());
        if !same_shape {
            return Err(InvalidMessage::IllegalParameter {
                what: "binders of a different shape than the placeholders",
            });
        }
        self.binders = binders;
        Ok(())
    }

    /// Writes only the `binders` field.
    pub fn encode_binders(&self, w: &mut Writer<'_>) {
        w.vec(LengthPrefix::U16, |w| {
            for b in &self.binders {
                w.opaque(LengthPrefix::U8, b);
            }
        });
    }
}

impl Codec for OfferedPsks {
    fn encode(&self, w: &mut Writer<'_>) {
        w.codec_list(LengthPrefix::U16, &self.identities);
        self.encode_binders(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let identities = r.codec_list(IDENTITIES)?;
        let binders = r.list(BINDERS, |r| r.opaque(BINDER))?;
        // RFC 8446 §4.2.11: binders are "one for each value in the
        // identities list"; a server could not validate the binder of a
        // selected identity that has none.
        if binders.len() != identities.len() {
            return Err(InvalidMessage::IllegalParameter {
                what: "pre_shared_key with unequal numbers of identities and binders",
            });
        }
        Ok(Self {
            identities,
            binders,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;

    fn offer() -> OfferedPsks {
        OfferedPsks {
            identities: vec![PskIdentity {
                identity: Bytes::new(vec![1, 2, 3]),
                obfuscated_ticket_age: 0x01020304,
            }],
            binders: vec![Bytes::new(vec![0xaa; 32])],
        }
    }

    #[test]
    fn round_trips_and_measures_binders() {
        let o = offer();
        let bytes = o.to_bytes();
        assert_eq!(OfferedPsks::from_bytes(&bytes).unwrap(), o);
        assert_eq!(o.binders_encoded_len(), 2 + 1 + 32);
        let mut b = Vec::new();
        o.encode_binders(&mut Writer::new(&mut b));
        assert!(bytes.ends_with(&b));
        assert_eq!(b.len(), o.binders_encoded_len());
    }

    #[test]
    fn bounds() {
        // A binder shorter than 32 bytes: binders<33..> and PskBinderEntry<32..>.
        let mut o = offer();
        o.binders = vec![Bytes::new(vec![0; 31])];
        let err = OfferedPsks::from_bytes(&o.to_bytes()).unwrap_err();
        assert!(matches!(err, InvalidMessage::LengthOutOfRange { .. }));
        // No identities at all.
        let err = OfferedPsks::from_bytes(&[0, 0, 0, 33, 32]).unwrap_err();
        assert!(matches!(
            err,
            InvalidMessage::LengthOutOfRange {
                what: "identities",
                ..
            }
        ));
        // An empty identity.
        let mut o = offer();
        o.identities[0].identity = Bytes::default();
        let err = OfferedPsks::from_bytes(&o.to_bytes()).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::DecodeError);
    }

    #[test]
    fn mismatched_counts_are_illegal() {
        let mut o = offer();
        o.binders.push(Bytes::new(vec![0; 32]));
        let err = OfferedPsks::from_bytes(&o.to_bytes()).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    }

    #[test]
    fn set_binders_keeps_shape() {
        let mut o = offer();
        assert!(o.set_binders(vec![Bytes::new(vec![1; 33])]).is_err());
        o.set_binders(vec![Bytes::new(vec![1; 32])]).unwrap();
        assert_eq!(o.binders[0].0, vec![1; 32]);
    }
}

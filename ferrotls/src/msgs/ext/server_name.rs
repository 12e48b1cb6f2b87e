//! server_name (RFC 6066 §3).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::ServerNameType;

/// `opaque HostName<1..2^16-1>`.
const HOST_NAME: VecSpec = VecSpec::opaque("HostName", 1, 0xffff);
/// `ServerName server_name_list<1..2^16-1>`.
const SERVER_NAME_LIST: VecSpec = VecSpec::opaque("server_name_list", 1, 0xffff);

/// RFC 6066 §3:
/// ```text
/// struct {
///     NameType name_type;
///     select (name_type) { case host_name: HostName; } name;
/// } ServerName;
/// ```
/// Name types other than host_name are read with the same
/// `opaque<1..2^16-1>` layout, which is the only one ever defined, so a
/// list holding them still round-trips.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerName {
    pub typ: ServerNameType,
    pub name: Bytes,
}

impl ServerName {
    /// A host_name entry.
    pub fn host_name(name: &str) -> Self {
        Self {
            typ: ServerNameType::HostName,
            name: Bytes::new(name.as_bytes()),
        }
    }

    /// The name as text when this is a host_name in ASCII (RFC 6066 §3:
    /// "represented as a byte string using ASCII encoding without a
    /// trailing dot"). Whether it is a usable DNS name is checked by the
    /// code that acts on it.
    pub fn as_host_name(&self) -> Option<&str> {
        if self.typ != ServerNameType::HostName || !self.name.is_ascii() {
            return None;
        }
        core::str::from_utf8(&self.name).ok()
    }
}

impl Codec for ServerName {
    fn encode(&self, w: &mut Writer<'_>) {
        self.typ.encode(w);
        w.opaque(LengthPrefix::U16, &self.name);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            typ: ServerNameType::read(r)?,
            name: r.opaque(HOST_NAME)?,
        })
    }
}

/// Reads a `ServerNameList`.
///
/// RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name of
/// the same name_type" (rejected as illegal_parameter).
pub fn read_list(r: &mut Reader<'_>) -> Result<Vec<ServerName>, InvalidMessage> {
    let names: Vec<ServerName> = r.codec_list(SERVER_NAME_LIST)?;
    let mut seen = std::collections::BTreeSet::new();
    for n in &names {
        if !seen.insert(n.typ.to_wire()) {
            return Err(InvalidMessage::IllegalParameter {
                what: "server_name with two names of one type",
            });
        }
    }
    Ok(names)
}

/// Writes a `ServerNameList`.
pub fn encode_list(w: &mut Writer<'_>, names: &[ServerName]) {
    w.codec_list(LengthPrefix::U16, names);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;

    #[test]
    fn host_name_round_trips() {
        let mut buf = Vec::new();
        encode_list(
            &mut Writer::new(&mut buf),
            &[ServerName::host_name("server")],
        );
        assert_eq!(buf, b"\x00\x09\x00\x00\x06server");
        let names = read_list(&mut Reader::new(&buf)).unwrap();
        assert_eq!(names[0].as_host_name(), Some("server"));
    }

    #[test]
    fn bounds_and_duplicates() {
        // Empty list.
        let err = read_list(&mut Reader::new(&[0, 0])).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::DecodeError);
        // Empty host name.
        let err = read_list(&mut Reader::new(&[0, 3, 0, 0, 0])).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::DecodeError);
        // Two host names.
        let mut buf = Vec::new();
        let n = ServerName::host_name("a");
        encode_list(&mut Writer::new(&mut buf), &[n.clone(), n]);
        let err = read_list(&mut Reader::new(&buf)).unwrap_err();
        assert_eq!(err.alert(), AlertDescription::IllegalParameter);
    }

    #[test]
    fn unknown_name_type_round_trips() {
        let buf = [0, 4, 7, 0, 1, b'x'];
        let names = read_list(&mut Reader::new(&buf)).unwrap();
        assert_eq!(names[0].typ, ServerNameType::Unknown(7));
        assert_eq!(names[0].as_host_name(), None);
        let mut out = Vec::new();
        encode_list(&mut Writer::new(&mut out), &names);
        assert_eq!(out, buf);
    }
}

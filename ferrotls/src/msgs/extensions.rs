//! Extensions (RFC 8446 §4.2 and the RFCs it names). Placeholder: every
//! extension is kept raw until the typed forms land.

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::ExtensionType;

/// The message an extension block belongs to; some extensions have a
/// different form in each (key_share, pre_shared_key, early_data,
/// supported_versions: RFC 8446 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionContext {
    ClientHello,
    ServerHello,
    HelloRetryRequest,
    EncryptedExtensions,
    CertificateRequest,
    Certificate,
    NewSessionTicket,
}

/// One extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extension {
    /// An extension kept as received.
    Unknown { typ: ExtensionType, body: Bytes },
}

/// An extension block: `Extension extensions<0..2^16-1>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extensions(pub Vec<Extension>);

impl Extensions {
    pub fn read(r: &mut Reader<'_>, _ctx: ExtensionContext) -> Result<Self, InvalidMessage> {
        let list = r.list(VecSpec::opaque("extensions", 0, 0xffff), |r| {
            let typ = ExtensionType::read(r)?;
            let body = r.opaque(VecSpec::opaque("extension_data", 0, 0xffff))?;
            Ok(Extension::Unknown { typ, body })
        })?;
        Ok(Self(list))
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        w.vec(LengthPrefix::U16, |w| {
            for Extension::Unknown { typ, body } in &self.0 {
                typ.encode(w);
                w.opaque(LengthPrefix::U16, body);
            }
        });
    }
}

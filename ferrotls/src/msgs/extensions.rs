//! Extensions (RFC 8446 §4.2 and the RFCs it names): the typed `Extension`
//! enum, the extension block with its lookups, and the TLS 1.3 check of
//! which message may carry which extension.
//!
//! Several extensions have a different body in each message that carries
//! them (key_share, pre_shared_key, early_data, supported_versions,
//! server_name, status_request, trusted_ca_keys); decoding picks the form
//! from the [`ExtensionContext`]. Decoding is otherwise permissive about
//! *where* an extension appears, so a TLS 1.2 ServerHello decodes with the
//! same types; [`Extensions::check_allowed`] applies the RFC 8446 §4.2
//! table for TLS 1.3.

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::enums::{
    EcPointFormat, ExtensionType, MaxFragmentLength, NamedGroup, ProtocolVersion,
    PskKeyExchangeMode, SignatureScheme, UserMappingType,
};
use crate::msgs::ext::authorities::{self, OidFilter, TrustedAuthority};
use crate::msgs::ext::key_share::{self, KeyShareEntry};
use crate::msgs::ext::psk::OfferedPsks;
use crate::msgs::ext::server_name::{self, ServerName};
use crate::msgs::ext::status_request::{CertificateStatus, CertificateStatusRequest};
use crate::msgs::ext::{allowed, alpn};

/// `Extension extensions<0..2^16-1>`.
const EXTENSIONS: VecSpec = VecSpec::opaque("extensions", 0, 0xffff);
/// `opaque extension_data<0..2^16-1>`.
const EXTENSION_DATA: VecSpec = VecSpec::opaque("extension_data", 0, 0xffff);
/// RFC 8446 §4.2.1: `ProtocolVersion versions<2..254>`.
const VERSIONS: VecSpec = VecSpec::of("versions", 2, 254, 2);
/// RFC 8446 §4.2.7: `NamedGroup named_group_list<2..2^16-1>`.
const NAMED_GROUP_LIST: VecSpec = VecSpec::of("named_group_list", 2, 0xffff, 2);
/// RFC 8446 §4.2.3: `SignatureScheme supported_signature_algorithms<2..2^16-2>`.
const SIGNATURE_SCHEMES: VecSpec = VecSpec::of("supported_signature_algorithms", 2, 0xfffe, 2);
/// RFC 8446 §4.2.9: `PskKeyExchangeMode ke_modes<1..255>`.
const KE_MODES: VecSpec = VecSpec::of("ke_modes", 1, 255, 1);
/// RFC 8446 §4.2.2: `opaque cookie<1..2^16-1>`.
const COOKIE: VecSpec = VecSpec::opaque("cookie", 1, 0xffff);
/// RFC 8422 §5.1.2: `ECPointFormat ec_point_format_list<1..2^8-1>`.
const EC_POINT_FORMATS: VecSpec = VecSpec::of("ec_point_format_list", 1, 0xff, 1);
/// RFC 4681 §2: `UserMappingType user_mapping_types<1..2^8-1>`.
const USER_MAPPING_TYPES: VecSpec = VecSpec::of("user_mapping_types", 1, 0xff, 1);
/// RFC 5746 §3.2: `opaque renegotiated_connection<0..255>`.
const RENEGOTIATED_CONNECTION: VecSpec = VecSpec::opaque("renegotiated_connection", 0, 255);
/// RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension
/// with a value smaller than 64."
pub const MIN_RECORD_SIZE_LIMIT: u16 = 64;

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

impl ExtensionContext {
    /// The message's name, for errors.
    pub const fn name(self) -> &'static str {
        match self {
            Self::ClientHello => "ClientHello",
            Self::ServerHello => "ServerHello",
            Self::HelloRetryRequest => "HelloRetryRequest",
            Self::EncryptedExtensions => "EncryptedExtensions",
            Self::CertificateRequest => "CertificateRequest",
            Self::Certificate => "Certificate",
            Self::NewSessionTicket => "NewSessionTicket",
        }
    }

    pub(crate) const fn bit(self) -> u8 {
        match self {
            Self::ClientHello => 1,
            Self::ServerHello => 2,
            Self::HelloRetryRequest => 4,
            Self::EncryptedExtensions => 8,
            Self::CertificateRequest => 16,
            Self::Certificate => 32,
            Self::NewSessionTicket => 64,
        }
    }
}

/// One extension, in the form the message carrying it uses. Variants named
/// `...Ack` are the empty answers a server gives (RFC 6066).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extension {
    /// server_name in a ClientHello: a ServerNameList (RFC 6066 §3).
    ServerName(Vec<ServerName>),
    /// server_name in a server's answer: "extension_data" empty (RFC 6066 §3).
    ServerNameAck,
    /// max_fragment_length (RFC 6066 §4), the same in both directions.
    MaxFragmentLength(MaxFragmentLength),
    /// status_request in a ClientHello (RFC 6066 §8).
    StatusRequest(CertificateStatusRequest),
    /// status_request, empty: a TLS 1.2 server's answer (RFC 6066 §8) or a
    /// TLS 1.3 CertificateRequest (RFC 8446 §4.4.2.1).
    StatusRequestAck,
    /// status_request in a TLS 1.3 CertificateEntry (RFC 8446 §4.4.2.1).
    CertificateStatus(CertificateStatus),
    /// client_certificate_url (RFC 6066 §5), empty in both directions.
    ClientCertificateUrl,
    /// trusted_ca_keys in a ClientHello (RFC 6066 §6).
    TrustedCaKeys(Vec<TrustedAuthority>),
    /// trusted_ca_keys in a server's answer: empty (RFC 6066 §6).
    TrustedCaKeysAck,
    /// truncated_hmac (RFC 6066 §7), empty.
    TruncatedHmac,
    /// user_mapping (RFC 4681 §2), the same form in both directions.
    UserMapping(Vec<UserMappingType>),
    /// supported_groups (RFC 8446 §4.2.7).
    SupportedGroups(Vec<NamedGroup>),
    /// ec_point_formats (RFC 8422 §5.1.2).
    EcPointFormats(Vec<EcPointFormat>),
    /// signature_algorithms (RFC 8446 §4.2.3).
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// application_layer_protocol_negotiation (RFC 7301 §3.1).
    Alpn(Vec<Bytes>),
    /// padding (RFC 7685 §3). The bytes are kept as received: RFC 7685
    /// requires senders to use zeros but gives receivers no rule, so
    /// non-zero padding is tolerated (it carries nothing we act on) and
    /// round-trips; see [`Extension::padding`].
    Padding(Bytes),
    /// encrypt_then_mac (RFC 7366 §2), empty.
    EncryptThenMac,
    /// extended_master_secret (RFC 7627 §5.1), empty.
    ExtendedMasterSecret,
    /// record_size_limit (RFC 8449 §4).
    RecordSizeLimit(u16),
    /// SessionTicket (RFC 5077 §3.2): the ticket, or empty.
    SessionTicket(Bytes),
    /// pre_shared_key in a ClientHello (RFC 8446 §4.2.11).
    PreSharedKey(OfferedPsks),
    /// pre_shared_key in a ServerHello: `uint16 selected_identity`.
    SelectedPsk(u16),
    /// early_data in a ClientHello or EncryptedExtensions: empty (RFC 8446 §4.2.10).
    EarlyData,
    /// early_data in a NewSessionTicket: `uint32 max_early_data_size`.
    MaxEarlyDataSize(u32),
    /// supported_versions in a ClientHello (RFC 8446 §4.2.1).
    SupportedVersions(Vec<ProtocolVersion>),
    /// supported_versions in a ServerHello or HelloRetryRequest.
    SelectedVersion(ProtocolVersion),
    /// cookie (RFC 8446 §4.2.2).
    Cookie(Bytes),
    /// psk_key_exchange_modes (RFC 8446 §4.2.9).
    PskKeyExchangeModes(Vec<PskKeyExchangeMode>),
    /// certificate_authorities (RFC 8446 §4.2.4): DER distinguished names.
    CertificateAuthorities(Vec<Bytes>),
    /// oid_filters (RFC 8446 §4.2.5).
    OidFilters(Vec<OidFilter>),
    /// post_handshake_auth (RFC 8446 §4.2.6), empty.
    PostHandshakeAuth,
    /// signature_algorithms_cert (RFC 8446 §4.2.3).
    SignatureAlgorithmsCert(Vec<SignatureScheme>),
    /// key_share in a ClientHello: `client_shares` (RFC 8446 §4.2.8).
    KeyShares(Vec<KeyShareEntry>),
    /// key_share in a ServerHello: `server_share`.
    KeyShare(KeyShareEntry),
    /// key_share in a HelloRetryRequest: `selected_group`.
    KeyShareRetry(NamedGroup),
    /// renegotiation_info (RFC 5746 §3.2).
    RenegotiationInfo(Bytes),
    /// An extension this library does not interpret (GREASE among them),
    /// kept as received so it round-trips byte for byte.
    Unknown { typ: ExtensionType, body: Bytes },
}

impl Extension {
    /// The extension's type on the wire.
    pub fn typ(&self) -> ExtensionType {
        use ExtensionType as T;
        match self {
            Self::ServerName(_) | Self::ServerNameAck => T::ServerName,
            Self::MaxFragmentLength(_) => T::MaxFragmentLength,
            Self::StatusRequest(_) | Self::StatusRequestAck | Self::CertificateStatus(_) => {
                T::StatusRequest
            }
            Self::ClientCertificateUrl => T::ClientCertificateUrl,
            Self::TrustedCaKeys(_) | Self::TrustedCaKeysAck => T::TrustedCaKeys,
            Self::TruncatedHmac => T::TruncatedHmac,
            Self::UserMapping(_) => T::UserMapping,
            Self::SupportedGroups(_) => T::SupportedGroups,
            Self::EcPointFormats(_) => T::EcPointFormats,
            Self::SignatureAlgorithms(_) => T::SignatureAlgorithms,
            Self::Alpn(_) => T::ApplicationLayerProtocolNegotiation,
            Self::Padding(_) => T::Padding,
            Self::EncryptThenMac => T::EncryptThenMac,
            Self::ExtendedMasterSecret => T::ExtendedMasterSecret,
            Self::RecordSizeLimit(_) => T::RecordSizeLimit,
            Self::SessionTicket(_) => T::SessionTicket,
            Self::PreSharedKey(_) | Self::SelectedPsk(_) => T::PreSharedKey,
            Self::EarlyData | Self::MaxEarlyDataSize(_) => T::EarlyData,
            Self::SupportedVersions(_) | Self::SelectedVersion(_) => T::SupportedVersions,
            Self::Cookie(_) => T::Cookie,
            Self::PskKeyExchangeModes(_) => T::PskKeyExchangeModes,
            Self::CertificateAuthorities(_) => T::CertificateAuthorities,
            Self::OidFilters(_) => T::OidFilters,
            Self::PostHandshakeAuth => T::PostHandshakeAuth,
            Self::SignatureAlgorithmsCert(_) => T::SignatureAlgorithmsCert,
            Self::KeyShares(_) | Self::KeyShare(_) | Self::KeyShareRetry(_) => T::KeyShare,
            Self::RenegotiationInfo(_) => T::RenegotiationInfo,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    /// For padding: whether every byte is zero, as RFC 7685 §3 requires of
    /// the sender. `None` for other extensions.
    pub fn padding(&self) -> Option<bool> {
        match self {
            Self::Padding(p) => Some(p.iter().all(|b| *b == 0)),
            _ => None,
        }
    }

    /// Reads one extension (type, then `extension_data`) in the form `ctx`
    /// gives it.
    pub fn read(r: &mut Reader<'_>, ctx: ExtensionContext) -> Result<Self, InvalidMessage> {
        let typ = ExtensionType::read(r)?;
        let mut body = r.vec(EXTENSION_DATA)?;
        let ext = Self::read_body(typ, &mut body, ctx)?;
        // A body longer than its structure, or a non-empty body where the
        // extension must be empty, is a decode_error (RFC 8446 §6.2).
        body.finish(typ.iana_name().unwrap_or("extension_data"))?;
        Ok(ext)
    }

    fn read_body(
        typ: ExtensionType,
        r: &mut Reader<'_>,
        ctx: ExtensionContext,
    ) -> Result<Self, InvalidMessage> {
        use ExtensionContext as C;
        use ExtensionType as T;
        let ch = ctx == C::ClientHello;
        Ok(match typ {
            T::ServerName if ch => Self::ServerName(server_name::read_list(r)?),
            T::ServerName => Self::ServerNameAck,
            T::MaxFragmentLength => Self::MaxFragmentLength(read_max_fragment_length(r)?),
            T::StatusRequest if ch => Self::StatusRequest(CertificateStatusRequest::read(r)?),
            T::StatusRequest if ctx == C::Certificate => {
                Self::CertificateStatus(CertificateStatus::read(r)?)
            }
            T::StatusRequest => Self::StatusRequestAck,
            T::ClientCertificateUrl => Self::ClientCertificateUrl,
            T::TrustedCaKeys if ch => {
                Self::TrustedCaKeys(authorities::read_trusted_authorities(r)?)
            }
            T::TrustedCaKeys => Self::TrustedCaKeysAck,
            T::TruncatedHmac => Self::TruncatedHmac,
            T::UserMapping => Self::UserMapping(r.codec_list(USER_MAPPING_TYPES)?),
            T::SupportedGroups => Self::SupportedGroups(r.codec_list(NAMED_GROUP_LIST)?),
            T::EcPointFormats => Self::EcPointFormats(r.codec_list(EC_POINT_FORMATS)?),
            T::SignatureAlgorithms => Self::SignatureAlgorithms(r.codec_list(SIGNATURE_SCHEMES)?),
            T::ApplicationLayerProtocolNegotiation => Self::Alpn(alpn::read_list(r)?),
            T::Padding => Self::Padding(Bytes::from(r.take_rest())),
            T::EncryptThenMac => Self::EncryptThenMac,
            T::ExtendedMasterSecret => Self::ExtendedMasterSecret,
            T::RecordSizeLimit => Self::RecordSizeLimit(read_record_size_limit(r)?),
            // RFC 5077 §3.2: the extension_data is the ticket itself.
            T::SessionTicket => Self::SessionTicket(Bytes::from(r.take_rest())),
            T::PreSharedKey if ch => Self::PreSharedKey(OfferedPsks::read(r)?),
            T::PreSharedKey => Self::SelectedPsk(r.u16("selected_identity")?),
            T::EarlyData if ctx == C::NewSessionTicket => {
                Self::MaxEarlyDataSize(r.u32("max_early_data_size")?)
            }
            T::EarlyData => Self::EarlyData,
            T::SupportedVersions if ch => Self::SupportedVersions(r.codec_list(VERSIONS)?),
            T::SupportedVersions => Self::SelectedVersion(ProtocolVersion::read(r)?),
            T::Cookie => Self::Cookie(r.opaque(COOKIE)?),
            T::PskKeyExchangeModes => Self::PskKeyExchangeModes(r.codec_list(KE_MODES)?),
            T::CertificateAuthorities => {
                Self::CertificateAuthorities(authorities::read_authorities(r)?)
            }
            T::OidFilters => Self::OidFilters(authorities::read_filters(r)?),
            T::PostHandshakeAuth => Self::PostHandshakeAuth,
            T::SignatureAlgorithmsCert => {
                Self::SignatureAlgorithmsCert(r.codec_list(SIGNATURE_SCHEMES)?)
            }
            T::KeyShare if ch => Self::KeyShares(key_share::read_client_shares(r)?),
            T::KeyShare if ctx == C::HelloRetryRequest => Self::KeyShareRetry(NamedGroup::read(r)?),
            T::KeyShare => Self::KeyShare(KeyShareEntry::read(r)?),
            T::RenegotiationInfo => Self::RenegotiationInfo(r.opaque(RENEGOTIATED_CONNECTION)?),
            _ => Self::Unknown {
                typ,
                body: Bytes::from(r.take_rest()),
            },
        })
    }

    /// Writes the extension: type, then `extension_data`.
    pub fn encode(&self, w: &mut Writer<'_>) {
        self.typ().encode(w);
        w.vec(LengthPrefix::U16, |w| self.encode_body(w));
    }

    fn encode_body(&self, w: &mut Writer<'_>) {
        use LengthPrefix::{U16, U8};
        match self {
            Self::ServerNameAck
            | Self::StatusRequestAck
            | Self::ClientCertificateUrl
            | Self::TrustedCaKeysAck
            | Self::TruncatedHmac
            | Self::EncryptThenMac
            | Self::ExtendedMasterSecret
            | Self::EarlyData
            | Self::PostHandshakeAuth => {}
            Self::ServerName(names) => server_name::encode_list(w, names),
            Self::MaxFragmentLength(m) => m.encode(w),
            Self::StatusRequest(req) => req.encode(w),
            Self::CertificateStatus(st) => st.encode(w),
            Self::TrustedCaKeys(list) => authorities::encode_trusted_authorities(w, list),
            Self::UserMapping(list) => w.codec_list(U8, list),
            Self::SupportedGroups(list) => w.codec_list(U16, list),
            Self::EcPointFormats(list) => w.codec_list(U8, list),
            Self::SignatureAlgorithms(list) | Self::SignatureAlgorithmsCert(list) => {
                w.codec_list(U16, list)
            }
            Self::Alpn(names) => alpn::encode_list(w, names),
            Self::Padding(bytes) | Self::SessionTicket(bytes) => w.bytes(bytes),
            Self::RecordSizeLimit(limit) => w.u16(*limit),
            Self::PreSharedKey(offer) => offer.encode(w),
            Self::SelectedPsk(index) => w.u16(*index),
            Self::MaxEarlyDataSize(size) => w.u32(*size),
            Self::SupportedVersions(list) => w.codec_list(U8, list),
            Self::SelectedVersion(v) => v.encode(w),
            Self::Cookie(cookie) => w.opaque(U16, cookie),
            Self::PskKeyExchangeModes(list) => w.codec_list(U8, list),
            Self::CertificateAuthorities(names) => authorities::encode_authorities(w, names),
            Self::OidFilters(filters) => authorities::encode_filters(w, filters),
            Self::KeyShares(shares) => key_share::encode_client_shares(w, shares),
            Self::KeyShare(share) => share.encode(w),
            Self::KeyShareRetry(group) => group.encode(w),
            Self::RenegotiationInfo(bytes) => w.opaque(U8, bytes),
            Self::Unknown { body, .. } => w.bytes(body),
        }
    }
}

/// RFC 6066 §4: "If a server receives a maximum fragment length negotiation
/// request for a value other than the allowed values, it MUST abort the
/// handshake with an "illegal_parameter" alert" (and a client receiving a
/// value it did not request does the same).
fn read_max_fragment_length(r: &mut Reader<'_>) -> Result<MaxFragmentLength, InvalidMessage> {
    let v = MaxFragmentLength::read(r)?;
    if !v.is_known() {
        return Err(InvalidMessage::IllegalParameter {
            what: "max_fragment_length value",
        });
    }
    Ok(v)
}

/// RFC 8449 §4: "An endpoint MUST treat receipt of a smaller value [than
/// 64] as a fatal error and generate an "illegal_parameter" alert."
fn read_record_size_limit(r: &mut Reader<'_>) -> Result<u16, InvalidMessage> {
    let limit = r.u16("record_size_limit")?;
    if limit < MIN_RECORD_SIZE_LIMIT {
        return Err(InvalidMessage::IllegalParameter {
            what: "record_size_limit below 64",
        });
    }
    Ok(limit)
}

/// An extension block: `Extension extensions<0..2^16-1>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extensions(pub Vec<Extension>);

impl Extensions {
    /// Reads an extension block of the message `ctx`.
    ///
    /// RFC 8446 §4.2: "There MUST NOT be more than one extension of the
    /// same type in a given extension block" (`DuplicateExtension`,
    /// illegal_parameter). For a ClientHello, RFC 8446 §4.2.11:
    /// "pre_shared_key ... MUST be the last extension in the ClientHello
    /// ... Servers MUST check that it is the last extension and otherwise
    /// fail the handshake with an illegal_parameter alert": this is checked
    /// here, at decoding, because the binder computation relies on it.
    pub fn read(r: &mut Reader<'_>, ctx: ExtensionContext) -> Result<Self, InvalidMessage> {
        let mut body = r.vec(EXTENSIONS)?;
        let mut list = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        while !body.is_empty() {
            let ext = Extension::read(&mut body, ctx)?;
            let typ = ext.typ().to_wire();
            if !seen.insert(typ) {
                return Err(InvalidMessage::DuplicateExtension { typ });
            }
            if ctx == ExtensionContext::ClientHello && seen.contains(&PSK) && typ != PSK {
                return Err(InvalidMessage::IllegalParameter {
                    what: "pre_shared_key not the last ClientHello extension",
                });
            }
            list.push(ext);
        }
        Ok(Self(list))
    }

    /// Writes the block with its 2-byte length.
    pub fn encode(&self, w: &mut Writer<'_>) {
        w.vec(LengthPrefix::U16, |w| {
            for ext in &self.0 {
                ext.encode(w);
            }
        });
    }

    /// RFC 8446 §4.2: in TLS 1.3, an extension recognized but "not
    /// specified for the message in which it appears" is an
    /// illegal_parameter (`ExtensionNotAllowed`). The table is
    /// [`allowed::TLS13_TABLE`].
    pub fn check_allowed(&self, ctx: ExtensionContext) -> Result<(), InvalidMessage> {
        match self.0.iter().find(|e| !allowed::is_allowed(e.typ(), ctx)) {
            Some(ext) => Err(InvalidMessage::ExtensionNotAllowed {
                typ: ext.typ().to_wire(),
                message: ctx.name(),
            }),
            None => Ok(()),
        }
    }

    pub fn iter(&self) -> core::slice::Iter<'_, Extension> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The extension of this type, if present.
    pub fn get(&self, typ: ExtensionType) -> Option<&Extension> {
        self.0.iter().find(|e| e.typ() == typ)
    }

    pub fn contains(&self, typ: ExtensionType) -> bool {
        self.get(typ).is_some()
    }

    /// The types in the block, in order (e.g. to check that a server only
    /// answered what was asked).
    pub fn types(&self) -> impl Iterator<Item = ExtensionType> + '_ {
        self.0.iter().map(Extension::typ)
    }

    /// Adds an extension at the end, replacing one of the same type.
    pub fn push(&mut self, ext: Extension) {
        self.0.retain(|e| e.typ() != ext.typ());
        self.0.push(ext);
    }
}

const PSK: u16 = ExtensionType::PreSharedKey.to_wire();

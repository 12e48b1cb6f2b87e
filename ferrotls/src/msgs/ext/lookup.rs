//! Typed finders on an extension block, for the state machines: each
//! returns the extension's value in the form the message carries, or
//! `None` when it is absent.

use crate::codec::Bytes;
use crate::msgs::enums::{
    EcPointFormat, ExtensionType, MaxFragmentLength, NamedGroup, ProtocolVersion,
    PskKeyExchangeMode, SignatureScheme,
};
use crate::msgs::ext::authorities::OidFilter;
use crate::msgs::ext::key_share::KeyShareEntry;
use crate::msgs::ext::psk::OfferedPsks;
use crate::msgs::ext::server_name::ServerName;
use crate::msgs::ext::status_request::{CertificateStatus, CertificateStatusRequest};
use crate::msgs::extensions::{Extension, Extensions};

impl Extensions {
    /// ClientHello server_name list (RFC 6066 §3).
    pub fn server_names(&self) -> Option<&[ServerName]> {
        self.iter().find_map(|e| match e {
            Extension::ServerName(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// The ClientHello's host_name as text, when it sent one in ASCII.
    pub fn host_name(&self) -> Option<&str> {
        self.server_names()?
            .iter()
            .find_map(ServerName::as_host_name)
    }

    /// ClientHello supported_versions (RFC 8446 §4.2.1).
    pub fn supported_versions(&self) -> Option<&[ProtocolVersion]> {
        self.iter().find_map(|e| match e {
            Extension::SupportedVersions(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// ServerHello / HelloRetryRequest selected_version (RFC 8446 §4.2.1).
    pub fn selected_version(&self) -> Option<ProtocolVersion> {
        self.iter().find_map(|e| match e {
            Extension::SelectedVersion(v) => Some(*v),
            _ => None,
        })
    }

    /// supported_groups (RFC 8446 §4.2.7).
    pub fn supported_groups(&self) -> Option<&[NamedGroup]> {
        self.iter().find_map(|e| match e {
            Extension::SupportedGroups(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// signature_algorithms (RFC 8446 §4.2.3).
    pub fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        self.iter().find_map(|e| match e {
            Extension::SignatureAlgorithms(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// signature_algorithms_cert (RFC 8446 §4.2.3).
    pub fn signature_algorithms_cert(&self) -> Option<&[SignatureScheme]> {
        self.iter().find_map(|e| match e {
            Extension::SignatureAlgorithmsCert(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// ClientHello key_share client_shares (RFC 8446 §4.2.8).
    pub fn key_shares(&self) -> Option<&[KeyShareEntry]> {
        self.iter().find_map(|e| match e {
            Extension::KeyShares(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// ServerHello key_share server_share (RFC 8446 §4.2.8).
    pub fn server_key_share(&self) -> Option<&KeyShareEntry> {
        self.iter().find_map(|e| match e {
            Extension::KeyShare(share) => Some(share),
            _ => None,
        })
    }

    /// HelloRetryRequest key_share selected_group (RFC 8446 §4.2.8).
    pub fn retry_group(&self) -> Option<NamedGroup> {
        self.iter().find_map(|e| match e {
            Extension::KeyShareRetry(group) => Some(*group),
            _ => None,
        })
    }

    /// cookie (RFC 8446 §4.2.2).
    pub fn cookie(&self) -> Option<&Bytes> {
        self.iter().find_map(|e| match e {
            Extension::Cookie(c) => Some(c),
            _ => None,
        })
    }

    /// psk_key_exchange_modes (RFC 8446 §4.2.9).
    pub fn psk_modes(&self) -> Option<&[PskKeyExchangeMode]> {
        self.iter().find_map(|e| match e {
            Extension::PskKeyExchangeModes(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// ClientHello pre_shared_key (RFC 8446 §4.2.11).
    pub fn offered_psks(&self) -> Option<&OfferedPsks> {
        self.iter().find_map(|e| match e {
            Extension::PreSharedKey(o) => Some(o),
            _ => None,
        })
    }

    /// Mutable access, to patch binders (RFC 8446 §4.2.11.2).
    pub fn offered_psks_mut(&mut self) -> Option<&mut OfferedPsks> {
        self.0.iter_mut().find_map(|e| match e {
            Extension::PreSharedKey(o) => Some(o),
            _ => None,
        })
    }

    /// ServerHello pre_shared_key selected_identity (RFC 8446 §4.2.11).
    pub fn selected_psk(&self) -> Option<u16> {
        self.iter().find_map(|e| match e {
            Extension::SelectedPsk(i) => Some(*i),
            _ => None,
        })
    }

    /// Whether an empty early_data is present (ClientHello,
    /// EncryptedExtensions; RFC 8446 §4.2.10).
    pub fn early_data(&self) -> bool {
        self.iter().any(|e| matches!(e, Extension::EarlyData))
    }

    /// NewSessionTicket early_data max_early_data_size (RFC 8446 §4.2.10).
    pub fn max_early_data_size(&self) -> Option<u32> {
        self.iter().find_map(|e| match e {
            Extension::MaxEarlyDataSize(n) => Some(*n),
            _ => None,
        })
    }

    /// application_layer_protocol_negotiation names (RFC 7301 §3.1).
    pub fn alpn(&self) -> Option<&[Bytes]> {
        self.iter().find_map(|e| match e {
            Extension::Alpn(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// The protocol a server selected: its ALPN list when it holds exactly
    /// one name (RFC 7301 §3.1), `None` otherwise.
    pub fn selected_alpn(&self) -> Option<&Bytes> {
        match self.alpn()? {
            [one] => Some(one),
            _ => None,
        }
    }

    /// certificate_authorities (RFC 8446 §4.2.4).
    pub fn certificate_authorities(&self) -> Option<&[Bytes]> {
        self.iter().find_map(|e| match e {
            Extension::CertificateAuthorities(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// oid_filters (RFC 8446 §4.2.5).
    pub fn oid_filters(&self) -> Option<&[OidFilter]> {
        self.iter().find_map(|e| match e {
            Extension::OidFilters(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// ClientHello status_request (RFC 6066 §8).
    pub fn status_request(&self) -> Option<&CertificateStatusRequest> {
        self.iter().find_map(|e| match e {
            Extension::StatusRequest(req) => Some(req),
            _ => None,
        })
    }

    /// CertificateEntry status_request: the OCSP response (RFC 8446 §4.4.2.1).
    pub fn certificate_status(&self) -> Option<&CertificateStatus> {
        self.iter().find_map(|e| match e {
            Extension::CertificateStatus(st) => Some(st),
            _ => None,
        })
    }

    /// max_fragment_length (RFC 6066 §4).
    pub fn max_fragment_length(&self) -> Option<MaxFragmentLength> {
        self.iter().find_map(|e| match e {
            Extension::MaxFragmentLength(m) => Some(*m),
            _ => None,
        })
    }

    /// record_size_limit (RFC 8449 §4).
    pub fn record_size_limit(&self) -> Option<u16> {
        self.iter().find_map(|e| match e {
            Extension::RecordSizeLimit(n) => Some(*n),
            _ => None,
        })
    }

    /// ec_point_formats (RFC 8422 §5.1.2).
    pub fn ec_point_formats(&self) -> Option<&[EcPointFormat]> {
        self.iter().find_map(|e| match e {
            Extension::EcPointFormats(list) => Some(list.as_slice()),
            _ => None,
        })
    }

    /// renegotiation_info renegotiated_connection (RFC 5746 §3.2).
    pub fn renegotiation_info(&self) -> Option<&Bytes> {
        self.iter().find_map(|e| match e {
            Extension::RenegotiationInfo(b) => Some(b),
            _ => None,
        })
    }

    /// SessionTicket contents, possibly empty (RFC 5077 §3.2).
    pub fn session_ticket(&self) -> Option<&Bytes> {
        self.iter().find_map(|e| match e {
            Extension::SessionTicket(b) => Some(b),
            _ => None,
        })
    }

    /// extended_master_secret present (RFC 7627 §5.1).
    pub fn extended_master_secret(&self) -> bool {
        self.contains(ExtensionType::ExtendedMasterSecret)
    }

    /// encrypt_then_mac present (RFC 7366 §2).
    pub fn encrypt_then_mac(&self) -> bool {
        self.contains(ExtensionType::EncryptThenMac)
    }

    /// post_handshake_auth present (RFC 8446 §4.2.6).
    pub fn post_handshake_auth(&self) -> bool {
        self.contains(ExtensionType::PostHandshakeAuth)
    }
}

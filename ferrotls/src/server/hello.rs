//! Reading a ClientHello: version negotiation, the TLS 1.3 rules the
//! message must follow, and the choice of suite and key exchange group
//! (RFC 8446 §4.1.1, §4.1.2, §4.2).
//!
//! These are pure functions of the ClientHello and the configuration; the
//! states in `tls13.rs` call them in the RFC's order.

use crate::config::ServerConfig;
use crate::crypto::kx::KxGroup;
use crate::crypto::suites::{tls13_suite, Tls13Suite};
use crate::error::{Error, PeerMisbehaved};
use crate::msgs::client_hello::ClientHello;
use crate::msgs::enums::{CipherSuite, CompressionMethod, ExtensionType, ProtocolVersion};
use crate::msgs::extensions::{Extension, ExtensionContext};

/// Picks the version (RFC 8446 §4.2.1, RFC 8996): TLS 1.3 when both
/// sides have it, else TLS 1.2; anything older is `protocol_version`.
pub(crate) fn negotiate_version(
    ch: &ClientHello,
    config: &ServerConfig,
) -> Result<ProtocolVersion, Error> {
    let ours = |v| config.policy.supports(v);
    let (chosen, client_highest) = match ch.extensions().supported_versions() {
        // RFC 8446 §4.2.1: "If this extension is present in the
        // ClientHello, servers MUST NOT use the ClientHello.legacy_version
        // value for version negotiation and MUST use only the
        // "supported_versions" extension".
        Some(versions) => {
            let chosen = [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2]
                .into_iter()
                .find(|v| versions.contains(v) && ours(*v));
            let highest = versions
                .iter()
                .map(|v| v.to_wire())
                .filter(|v| *v <= ProtocolVersion::TLSv1_3.to_wire())
                .max();
            (chosen, highest)
        }
        // RFC 5246 §E.1: without the extension, legacy_version is the
        // highest version the client supports; a TLS 1.2 server answers
        // anything from 0x0303 up with TLS 1.2. RFC 8446 §4.2.1: "If the
        // "supported_versions" extension is absent and the server only
        // supports versions greater than ClientHello.legacy_version, the
        // server MUST abort the handshake with a "protocol_version"
        // alert" (TLS 1.0 and 1.1 are never spoken, RFC 8996).
        None => {
            let legacy = ch.legacy_version.to_wire();
            let chosen = (legacy >= ProtocolVersion::TLSv1_2.to_wire()
                && ours(ProtocolVersion::TLSv1_2))
            .then_some(ProtocolVersion::TLSv1_2);
            (chosen, Some(legacy.min(ProtocolVersion::TLSv1_2.to_wire())))
        }
    };
    // RFC 7507 §3: "If TLS_FALLBACK_SCSV appears in
    // ClientHello.cipher_suites and the highest protocol version supported
    // by the server is higher than the version indicated by the client,
    // the server MUST respond with a fatal inappropriate_fallback alert".
    let our_highest = config.policy.versions.iter().map(|v| v.to_wire()).max();
    if ch.cipher_suites.contains(&CipherSuite::TLS_FALLBACK_SCSV) && client_highest < our_highest {
        return Err(PeerMisbehaved::InappropriateFallback.into());
    }
    chosen.ok_or_else(|| PeerMisbehaved::NoCommonVersion.into())
}

/// The rules a TLS 1.3 ClientHello must follow before anything is chosen
/// from it.
pub(crate) fn check_tls13_hello(ch: &ClientHello) -> Result<(), Error> {
    // RFC 8446 §4.1.2: "legacy_version ... MUST be set to 0x0303".
    if ch.legacy_version != ProtocolVersion::TLSv1_2 {
        return Err(PeerMisbehaved::IllegalParameter {
            what: "ClientHello legacy_version (must be 0x0303)",
        }
        .into());
    }
    // RFC 8446 §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST
    // contain exactly one byte, set to zero ... If a TLS 1.3 ClientHello
    // is received with any other value in this field, the server MUST
    // abort the handshake with an "illegal_parameter" alert."
    if ch.legacy_compression_methods != [CompressionMethod::Null] {
        return Err(PeerMisbehaved::IllegalParameter {
            what: "legacy_compression_methods (must be exactly [null])",
        }
        .into());
    }
    let exts = ch.extensions();
    // RFC 8446 §4.2: an extension "not specified for the message in which
    // it appears ... MUST abort the handshake with an "illegal_parameter"
    // alert".
    exts.check_allowed(ExtensionContext::ClientHello)?;
    // RFC 8446 §9.2: a ClientHello for (EC)DHE with certificates "MUST"
    // carry signature_algorithms, supported_groups and key_share; "If
    // containing a "supported_groups" extension, it MUST also contain a
    // "key_share" extension, and vice versa." ... servers "MUST abort the
    // handshake with a "missing_extension" alert".
    // (No PSK is accepted yet, so every handshake needs all three.)
    let missing = |what| Err(PeerMisbehaved::MissingExtension { what }.into());
    let Some(groups) = exts.supported_groups() else {
        return missing("supported_groups");
    };
    let Some(shares) = exts.key_shares() else {
        return missing("key_share");
    };
    if exts.signature_algorithms().is_none() {
        return missing("signature_algorithms");
    }
    // RFC 8446 §4.2.8: "Clients MUST NOT offer any KeyShareEntry values
    // for groups not listed in the client's "supported_groups" extension.
    // Servers MAY check for violations of these rules and abort the
    // handshake with an "illegal_parameter" alert". (Two shares for one
    // group are refused when the extension is decoded.)
    if shares.iter().any(|s| !groups.contains(&s.group)) {
        return Err(PeerMisbehaved::IllegalParameter {
            what: "key_share for a group not in supported_groups",
        }
        .into());
    }
    Ok(())
}

/// Picks the TLS 1.3 suite: ours or the client's order, per
/// `prefer_server_order` (RFC 8446 §4.1.1: the server "selects" among the
/// client's suites). Nothing in common is `handshake_failure`.
pub(crate) fn choose_suite(ch: &ClientHello, config: &ServerConfig) -> Result<Tls13Suite, Error> {
    let ours: Vec<Tls13Suite> = config
        .policy
        .cipher_suites
        .iter()
        .filter_map(|s| tls13_suite(*s))
        .collect();
    let chosen = match config.prefer_server_order {
        true => ours
            .iter()
            .copied()
            .find(|s| ch.cipher_suites.contains(&s.suite)),
        false => ch
            .cipher_suites
            .iter()
            .find_map(|c| ours.iter().copied().find(|s| s.suite == *c)),
    };
    chosen.ok_or_else(|| PeerMisbehaved::NoCommonCipherSuite.into())
}

/// The key exchange a ClientHello leads to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GroupChoice {
    /// The client sent a share for the group chosen.
    Share { group: KxGroup, share: Vec<u8> },
    /// The group chosen has no share: ask for one (RFC 8446 §4.1.4).
    Retry { group: KxGroup },
}

/// Picks the group (RFC 8446 §4.2.7, §4.2.8). With `prefer_server_order`
/// the first of our groups the client supports wins, even when that costs
/// a HelloRetryRequest; otherwise the client's first share we can use,
/// else its most preferred supported group we have. Nothing in common is
/// `handshake_failure` (RFC 8446 §4.1.1: "If there is no overlap between
/// the received "supported_groups" and the groups supported by the server,
/// then the server MUST abort the handshake with a "handshake_failure" or
/// an "insufficient_security" alert").
pub(crate) fn choose_group(ch: &ClientHello, config: &ServerConfig) -> Result<GroupChoice, Error> {
    let exts = ch.extensions();
    let supported = exts.supported_groups().unwrap_or_default();
    let shares = exts.key_shares().unwrap_or_default();
    let ours: Vec<KxGroup> = config.policy.kx_groups().collect();
    let with_share = |group: KxGroup| {
        shares
            .iter()
            .find(|s| s.group == group.named_group())
            .map(|s| GroupChoice::Share {
                group,
                share: s.key_exchange.0.clone(),
            })
    };
    let group = match config.prefer_server_order {
        true => ours
            .iter()
            .copied()
            .find(|g| supported.contains(&g.named_group())),
        false => {
            let shared = shares
                .iter()
                .filter_map(|s| ours.iter().copied().find(|g| g.named_group() == s.group))
                .next();
            shared.or_else(|| {
                supported
                    .iter()
                    .find_map(|n| ours.iter().copied().find(|g| g.named_group() == *n))
            })
        }
    };
    let group = group.ok_or(PeerMisbehaved::NoCommonGroup)?;
    Ok(with_share(group).unwrap_or(GroupChoice::Retry { group }))
}

/// The extensions a second ClientHello may change (RFC 8446 §4.1.2): the
/// key shares, early_data (removed), the cookie, the PSK binders, padding.
fn may_change(typ: ExtensionType) -> bool {
    matches!(
        typ,
        ExtensionType::KeyShare
            | ExtensionType::EarlyData
            | ExtensionType::Cookie
            | ExtensionType::PreSharedKey
            | ExtensionType::Padding
    )
}

/// RFC 8446 §4.1.2: after a HelloRetryRequest, "the client MUST send the
/// same ClientHello without modification, except as follows" (a new
/// key_share, no early_data, the cookie, updated PSKs, padding). Any other
/// change is `illegal_parameter`.
pub(crate) fn check_second_hello(ch1: &ClientHello, ch2: &ClientHello) -> Result<(), Error> {
    let changed = |what| Err(PeerMisbehaved::Inconsistent { what }.into());
    if ch1.legacy_version != ch2.legacy_version {
        return changed("legacy_version changed in the second ClientHello");
    }
    if ch1.random != ch2.random {
        return changed("random changed in the second ClientHello");
    }
    if ch1.legacy_session_id != ch2.legacy_session_id {
        return changed("legacy_session_id changed in the second ClientHello");
    }
    if ch1.cipher_suites != ch2.cipher_suites {
        return changed("cipher_suites changed in the second ClientHello");
    }
    if ch1.legacy_compression_methods != ch2.legacy_compression_methods {
        return changed("legacy_compression_methods changed in the second ClientHello");
    }
    let kept = |ch: &ClientHello| -> Vec<Extension> {
        ch.extensions()
            .iter()
            .filter(|e| !may_change(e.typ()))
            .cloned()
            .collect()
    };
    if kept(ch1) != kept(ch2) {
        return changed("extensions changed in the second ClientHello");
    }
    // RFC 8446 §4.1.2: early_data may only be removed.
    if ch2.has_extension(ExtensionType::EarlyData) {
        return changed("early_data in the second ClientHello");
    }
    Ok(())
}

/// The share of a second ClientHello. RFC 8446 §4.2.8: after a
/// HelloRetryRequest the client sends "a single KeyShareEntry for the
/// group indicated in the selected_group field"; anything else is
/// `illegal_parameter`.
pub(crate) fn retried_share(ch2: &ClientHello, group: KxGroup) -> Result<Vec<u8>, Error> {
    match ch2.extensions().key_shares() {
        Some([share]) if share.group == group.named_group() => Ok(share.key_exchange.0.clone()),
        _ => Err(PeerMisbehaved::IllegalParameter {
            what: "second ClientHello key_share (must be one share for the group asked for)",
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::auth::ServerCertResolver;
    use crate::codec::Bytes;
    use crate::msgs::enums::{AlertDescription, CipherSuite, NamedGroup, SignatureScheme};
    use crate::msgs::ext::key_share::KeyShareEntry;
    use crate::msgs::extensions::Extensions;

    fn config(groups: &[NamedGroup], server_order: bool) -> ServerConfig {
        let mut c = ServerConfig::new(Arc::new(ServerCertResolver::new()));
        c.policy.groups = groups.to_vec();
        c.prefer_server_order = server_order;
        c
    }

    fn hello(supported: &[NamedGroup], shares: &[NamedGroup]) -> ClientHello {
        ClientHello {
            legacy_version: ProtocolVersion::TLSv1_2,
            random: [1; 32],
            legacy_session_id: Bytes(vec![]),
            cipher_suites: vec![
                CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                CipherSuite::TLS_AES_256_GCM_SHA384,
            ],
            legacy_compression_methods: vec![CompressionMethod::Null],
            extensions: Some(Extensions(vec![
                Extension::SupportedVersions(vec![ProtocolVersion::TLSv1_3]),
                Extension::SupportedGroups(supported.to_vec()),
                Extension::SignatureAlgorithms(vec![SignatureScheme::Ed25519]),
                Extension::KeyShares(
                    shares
                        .iter()
                        .map(|g| KeyShareEntry::new(*g, vec![g.to_wire() as u8; 4]))
                        .collect(),
                ),
            ])),
        }
    }

    fn alert(r: Result<impl core::fmt::Debug, Error>) -> AlertDescription {
        r.unwrap_err().alert().unwrap()
    }

    use NamedGroup::{Secp256r1 as P256, Secp384r1 as P384, X25519};

    #[test]
    fn group_choice_by_server_or_client_order() {
        let ch = hello(&[X25519, P256], &[X25519]);
        let c = config(&[P256, X25519], true);
        assert_eq!(
            choose_group(&ch, &c).unwrap(),
            GroupChoice::Retry {
                group: KxGroup::Secp256r1
            }
        );
        let c = config(&[P256, X25519], false);
        assert!(matches!(
            choose_group(&ch, &c).unwrap(),
            GroupChoice::Share {
                group: KxGroup::X25519,
                ..
            }
        ));
        let ch = hello(&[P384, P256], &[]);
        let c = config(&[P256, P384], false);
        assert_eq!(
            choose_group(&ch, &c).unwrap(),
            GroupChoice::Retry {
                group: KxGroup::Secp384r1
            }
        );
        let c = config(&[X25519], true);
        assert_eq!(
            alert(choose_group(&ch, &c)),
            AlertDescription::HandshakeFailure
        );
    }

    #[test]
    fn suite_choice_by_server_or_client_order() {
        let ch = hello(&[X25519], &[X25519]);
        let c = config(&[X25519], true);
        assert_eq!(
            choose_suite(&ch, &c).unwrap().suite,
            CipherSuite::TLS_AES_256_GCM_SHA384
        );
        let c = config(&[X25519], false);
        assert_eq!(
            choose_suite(&ch, &c).unwrap().suite,
            CipherSuite::TLS_CHACHA20_POLY1305_SHA256
        );
    }

    #[test]
    fn tls13_hello_rules() {
        check_tls13_hello(&hello(&[X25519], &[X25519])).unwrap();
        let mut ch = hello(&[X25519], &[P256]);
        assert_eq!(
            alert(check_tls13_hello(&ch)),
            AlertDescription::IllegalParameter
        );
        ch = hello(&[X25519], &[X25519]);
        ch.legacy_compression_methods
            .push(CompressionMethod::Unknown(1));
        assert_eq!(
            alert(check_tls13_hello(&ch)),
            AlertDescription::IllegalParameter
        );
        for drop in [
            ExtensionType::SupportedGroups,
            ExtensionType::KeyShare,
            ExtensionType::SignatureAlgorithms,
        ] {
            let mut ch = hello(&[X25519], &[X25519]);
            ch.extensions
                .as_mut()
                .unwrap()
                .0
                .retain(|e| e.typ() != drop);
            assert_eq!(
                alert(check_tls13_hello(&ch)),
                AlertDescription::MissingExtension
            );
        }
    }

    #[test]
    fn second_hello_may_change_only_what_the_rfc_allows() {
        let ch1 = hello(&[X25519, P256], &[X25519]);
        let ch2 = hello(&[X25519, P256], &[P256]);
        check_second_hello(&ch1, &ch2).unwrap();
        assert_eq!(
            retried_share(&ch2, KxGroup::Secp256r1).unwrap(),
            vec![23; 4]
        );
        assert_eq!(
            alert(retried_share(&ch2, KxGroup::X25519)),
            AlertDescription::IllegalParameter
        );
        let mut other = ch2.clone();
        other.random[0] ^= 1;
        assert_eq!(
            alert(check_second_hello(&ch1, &other)),
            AlertDescription::IllegalParameter
        );
        let other = hello(&[P256], &[P256]);
        assert_eq!(
            alert(check_second_hello(&ch1, &other)),
            AlertDescription::IllegalParameter
        );
    }

    #[test]
    fn versions() {
        let c = config(&[X25519], true);
        negotiate_version(&hello(&[X25519], &[X25519]), &c).unwrap();
        assert_eq!(
            negotiate_version(&hello(&[X25519], &[X25519]), &c).unwrap(),
            ProtocolVersion::TLSv1_3
        );
        // No supported_versions: legacy_version 0x0303 is TLS 1.2.
        let mut ch = hello(&[X25519], &[X25519]);
        ch.extensions.as_mut().unwrap().0.remove(0);
        assert_eq!(
            negotiate_version(&ch, &c).unwrap(),
            ProtocolVersion::TLSv1_2
        );
        // TLS 1.0 and 1.1 are refused (RFC 8996).
        for old in [ProtocolVersion::TLSv1_0, ProtocolVersion::TLSv1_1] {
            ch.legacy_version = old;
            assert_eq!(
                alert(negotiate_version(&ch, &c)),
                AlertDescription::ProtocolVersion
            );
        }
        let mut ch = hello(&[X25519], &[X25519]);
        ch.extensions.as_mut().unwrap().0[0] =
            Extension::SupportedVersions(vec![ProtocolVersion::TLSv1_2]);
        assert_eq!(
            negotiate_version(&ch, &c).unwrap(),
            ProtocolVersion::TLSv1_2
        );
        // RFC 7507 §3: a fallback below our highest version is refused...
        ch.cipher_suites.push(CipherSuite::TLS_FALLBACK_SCSV);
        assert_eq!(
            alert(negotiate_version(&ch, &c)),
            AlertDescription::InappropriateFallback
        );
        // ...but not when TLS 1.2 is the best we have.
        let mut c12 = config(&[X25519], true);
        c12.policy.versions = vec![ProtocolVersion::TLSv1_2];
        assert_eq!(
            negotiate_version(&ch, &c12).unwrap(),
            ProtocolVersion::TLSv1_2
        );
        ch.extensions.as_mut().unwrap().0[0] =
            Extension::SupportedVersions(vec![ProtocolVersion::TLSv1_1]);
        assert_eq!(
            alert(negotiate_version(&ch, &c12)),
            AlertDescription::InappropriateFallback
        );
    }
}

//! Flags shared by `client` and `server`: versions, suites, groups, ALPN,
//! key log. Names are IANA names, matched without regard to case.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use ferrotls::config::{Hooks, Policy};
use ferrotls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use ferrotls::trace::{KeyLog, KeyLogFile};

#[derive(Args, Debug, Clone, Default)]
pub struct PolicyArgs {
    /// Protocol version to enable: 1.3 or 1.2 (repeat for both; default both).
    #[arg(long = "tls", value_name = "VERSION")]
    pub tls: Vec<String>,
    /// Cipher suite to enable, by IANA name (repeat; default: all safe ones).
    #[arg(long = "cipher", value_name = "NAME")]
    pub ciphers: Vec<String>,
    /// Key exchange group to enable, by IANA name, e.g. x25519, secp256r1,
    /// X25519MLKEM768, ffdhe2048 (repeat; default: all).
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// ALPN protocol to offer or accept (repeat, in preference order).
    #[arg(long = "alpn", value_name = "PROTO")]
    pub alpn: Vec<String>,
    /// Append secrets to FILE in the NSS key log format (SSLKEYLOGFILE is
    /// honoured too).
    #[arg(long = "keylog", value_name = "FILE")]
    pub keylog: Option<PathBuf>,
}

fn find<T: Copy + std::fmt::Display>(all: &[T], name: &str, what: &str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| v.to_string().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let known: Vec<String> = all.iter().map(ToString::to_string).collect();
            format!("unknown {what} {name:?}; known: {}", known.join(", "))
        })
}

impl PolicyArgs {
    /// The policy these flags describe, on top of the defaults.
    pub fn policy(&self) -> Result<Policy, String> {
        let mut policy = Policy::default();
        if !self.tls.is_empty() {
            policy.versions = self
                .tls
                .iter()
                .map(
                    |v| match v.trim_start_matches("TLSv").trim_start_matches("tls") {
                        "1.3" | "13" => Ok(ProtocolVersion::TLSv1_3),
                        "1.2" | "12" => Ok(ProtocolVersion::TLSv1_2),
                        other => Err(format!(
                            "unsupported TLS version {other:?} (use 1.3 or 1.2)"
                        )),
                    },
                )
                .collect::<Result<_, _>>()?;
        }
        if !self.ciphers.is_empty() {
            policy.cipher_suites = self
                .ciphers
                .iter()
                .map(|c| find(CipherSuite::ALL, c, "cipher suite"))
                .collect::<Result<_, _>>()?;
        }
        if !self.groups.is_empty() {
            policy.groups = self
                .groups
                .iter()
                .map(|g| find(NamedGroup::ALL, g, "group"))
                .collect::<Result<_, _>>()?;
        }
        policy.alpn_protocols = self.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        policy.validate().map_err(|e| e.to_string())?;
        Ok(policy)
    }

    /// Key log from `--keylog`, else from SSLKEYLOGFILE.
    pub fn hooks(&self) -> Result<Hooks, String> {
        let keylog: Option<Arc<dyn KeyLog>> = match &self.keylog {
            Some(path) => Some(Arc::new(
                KeyLogFile::create(path).map_err(|e| format!("key log {}: {e}", path.display()))?,
            )),
            None => KeyLogFile::from_env().map(|k| Arc::new(k) as Arc<dyn KeyLog>),
        };
        Ok(Hooks {
            keylog,
            ..Hooks::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_policy() {
        let args = PolicyArgs {
            tls: vec!["1.3".into()],
            ciphers: vec!["tls_aes_256_gcm_sha384".into()],
            groups: vec!["X25519".into(), "secp256r1".into()],
            alpn: vec!["h2".into()],
            keylog: None,
        };
        let p = args.policy().unwrap();
        assert_eq!(p.versions, [ProtocolVersion::TLSv1_3]);
        assert_eq!(p.cipher_suites, [CipherSuite::TLS_AES_256_GCM_SHA384]);
        assert_eq!(p.groups, [NamedGroup::X25519, NamedGroup::Secp256r1]);
        assert_eq!(p.alpn_protocols, [b"h2".to_vec()]);
    }

    #[test]
    fn unknown_names_are_explained() {
        let args = PolicyArgs {
            groups: vec!["p-999".into()],
            ..PolicyArgs::default()
        };
        let err = args.policy().unwrap_err();
        assert!(
            err.contains("unknown group") && err.contains("x25519"),
            "{err}"
        );
        let args = PolicyArgs {
            tls: vec!["1.1".into()],
            ..PolicyArgs::default()
        };
        assert!(args.policy().is_err());
    }
}

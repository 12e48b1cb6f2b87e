//! `ferrotls inspect`: decodes TLS records or handshake messages and
//! prints them as an indented tree with field names.
//!
//! Input that starts like a record header (a known content type, then
//! 0x03) is read as a stream of records; handshake records are joined and
//! split into messages, so a message fragmented over records prints once.
//! Anything else is read as a sequence of handshake messages. The version
//! and suite a ServerHello selects decide how later messages are read;
//! records sent after the peers switched to encryption are reported as
//! such, since they cannot be read without keys.

use std::fmt::Write as _;

use ferrotls::codec::Reader;
use ferrotls::msgs::alert::Alert;
use ferrotls::msgs::ccs::ChangeCipherSpec;
use ferrotls::msgs::enums::{CipherSuite, ContentType, ProtocolVersion};
use ferrotls::msgs::handshake::{
    DecodeContext, HandshakeHeader, HandshakeMessage, HandshakePayload,
};
use ferrotls::msgs::key_exchange::KeyExchangeKind;
use ferrotls::msgs::record::records;
use ferrotls::InvalidMessage;

use crate::hexinput;

pub fn run(arg: &str, tls12: bool) -> Result<(), String> {
    let bytes = hexinput::read(arg)?;
    let mut out = String::new();
    let result = render(&bytes, tls12, &mut out);
    print!("{out}");
    result
}

/// Renders `bytes` into `out`; on a decoding error, `out` holds what was
/// decoded before it.
pub fn render(bytes: &[u8], tls12: bool, out: &mut String) -> Result<(), String> {
    let mut state = Decoder::new(tls12);
    if looks_like_records(bytes) {
        state.records(bytes, out)
    } else {
        state.handshake_bytes(bytes, "", out)?;
        state.finish_handshake(out)
    }
}

fn looks_like_records(bytes: &[u8]) -> bool {
    match bytes {
        [typ, 3, ..] => matches!(
            ContentType::from_wire(*typ),
            ContentType::ChangeCipherSpec
                | ContentType::Alert
                | ContentType::Handshake
                | ContentType::ApplicationData
        ),
        _ => false,
    }
}

/// What is known so far about the handshake being decoded.
struct Decoder {
    ctx: DecodeContext,
    /// Handshake bytes received but not yet a whole message.
    pending: Vec<u8>,
    /// Set once TLS 1.3 handshake encryption starts (after ServerHello)
    /// or TLS 1.2 sends ChangeCipherSpec.
    encrypted: bool,
    tls12_forced: bool,
}

impl Decoder {
    fn new(tls12: bool) -> Self {
        Self {
            ctx: if tls12 {
                DecodeContext::Tls12 {
                    kx: KeyExchangeKind::Ecdhe,
                }
            } else {
                DecodeContext::Hello
            },
            pending: Vec::new(),
            encrypted: false,
            tls12_forced: tls12,
        }
    }

    fn records(&mut self, bytes: &[u8], out: &mut String) -> Result<(), String> {
        for (i, rec) in records(bytes).enumerate() {
            let rec = rec.map_err(|e| describe("record", &e))?;
            let _ = writeln!(
                out,
                "record #{i}: {} {} length={}",
                rec.typ,
                rec.version,
                rec.payload.len()
            );
            match rec.typ {
                ContentType::Handshake if !self.encrypted => {
                    self.handshake_bytes(rec.payload, "  ", out)?
                }
                ContentType::ChangeCipherSpec => {
                    let ccs = ferrotls::codec::Codec::from_bytes(rec.payload)
                        .map(|c: ChangeCipherSpec| format!("{c:?}"))
                        .map_err(|e| describe("ChangeCipherSpec", &e))?;
                    let _ = writeln!(out, "  {ccs}");
                    // In TLS 1.2 everything after ChangeCipherSpec is
                    // encrypted (RFC 5246 §7.1); in TLS 1.3 it is the
                    // compatibility message of §D.4 and changes nothing.
                    if matches!(self.ctx, DecodeContext::Tls12 { .. }) {
                        self.encrypted = true;
                    }
                }
                ContentType::Alert if !self.encrypted => {
                    let alert = ferrotls::codec::Codec::from_bytes(rec.payload)
                        .map(|a: Alert| format!("{a:#?}"))
                        .map_err(|e| describe("alert", &e))?;
                    let _ = writeln!(out, "{}", indent(&alert, "  "));
                }
                _ => {
                    let _ = writeln!(out, "  (encrypted: {} bytes)", rec.payload.len());
                }
            }
        }
        self.finish_handshake(out)
    }

    fn handshake_bytes(&mut self, bytes: &[u8], pad: &str, out: &mut String) -> Result<(), String> {
        self.pending.extend_from_slice(bytes);
        loop {
            let Ok(header) = HandshakeHeader::read(&mut Reader::new(&self.pending)) else {
                return Ok(());
            };
            if self.pending.len() < header.message_len() {
                // Fragmented: the rest arrives in the next record.
                return Ok(());
            }
            let msg = HandshakeMessage::read(&mut Reader::new(&self.pending), self.ctx)
                .map_err(|e| describe(&header.typ.to_string(), &e))?;
            let _ = writeln!(
                out,
                "{pad}{} ({} bytes)\n{}",
                msg.typ(),
                msg.encoded().len(),
                indent(
                    &compact_byte_arrays(&format!("{:#?}", msg.payload())),
                    &format!("{pad}  ")
                )
            );
            self.learn(msg.payload());
            let used = msg.encoded().len();
            self.pending.drain(..used.min(self.pending.len()));
        }
    }

    fn finish_handshake(&self, out: &mut String) -> Result<(), String> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            let _ = writeln!(
                out,
                "{} byte(s) of an incomplete handshake message left",
                self.pending.len()
            );
            Err("input ends inside a handshake message".into())
        }
    }

    /// Updates the decode context from a ServerHello.
    fn learn(&mut self, payload: &HandshakePayload) {
        let HandshakePayload::ServerHello(sh) = payload else {
            return;
        };
        if sh.is_hello_retry_request() || self.tls12_forced {
            return;
        }
        let suite = sh.cipher_suite;
        if sh.extensions().selected_version() == Some(ProtocolVersion::TLSv1_3) {
            let hash_len = if suite == CipherSuite::TLS_AES_256_GCM_SHA384 {
                48
            } else {
                32
            };
            self.ctx = DecodeContext::Tls13 { hash_len };
            // RFC 8446 §2: everything after the ServerHello is encrypted.
            self.encrypted = true;
        } else {
            self.ctx = DecodeContext::Tls12 {
                kx: tls12_kx(suite),
            };
        }
    }
}

/// The key exchange a TLS 1.2 suite names (RFC 5246 App. A.5, RFC 8422 §6).
fn tls12_kx(suite: CipherSuite) -> KeyExchangeKind {
    let name = suite.to_string();
    if name.starts_with("TLS_ECDHE_") {
        KeyExchangeKind::Ecdhe
    } else if name.starts_with("TLS_DHE_") {
        KeyExchangeKind::Dhe
    } else {
        KeyExchangeKind::Rsa
    }
}

fn describe(what: &str, e: &InvalidMessage) -> String {
    format!(
        "cannot decode {what}: {e} (a peer would send {})",
        e.alert()
    )
}

/// Pretty `Debug` prints a fixed byte array (a `random`, say) one decimal
/// per line; this folds each such array into `[N] hex`, as `Bytes` prints.
fn compact_byte_arrays(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        i += 1;
        if !line.ends_with('[') {
            out.push((*line).to_string());
            continue;
        }
        let mut bytes = Vec::new();
        let mut j = i;
        while let Some(b) = lines
            .get(j)
            .and_then(|l| l.trim().strip_suffix(',')?.parse::<u8>().ok())
        {
            bytes.push(b);
            j += 1;
        }
        let after = lines.get(j).and_then(|l| l.trim_start().strip_prefix(']'));
        match after {
            Some(after) if !bytes.is_empty() => {
                out.push(format!(
                    "{line}{}] {}{after}",
                    bytes.len(),
                    hex::encode(&bytes)
                ));
                i = j + 1;
            }
            _ => out.push((*line).to_string()),
        }
    }
    out.join("\n")
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ClientHello record of RFC 8448 §3.
    const CLIENT_HELLO_RECORD: &str = "16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001";

    fn render_hex(hex: &str) -> (Result<(), String>, String) {
        let mut out = String::new();
        let r = render(&hexinput::parse(hex).unwrap(), false, &mut out);
        (r, out)
    }

    #[test]
    fn prints_a_client_hello_record_as_a_tree() {
        let (r, out) = render_hex(CLIENT_HELLO_RECORD);
        r.unwrap();
        assert!(
            out.starts_with("record #0: handshake TLSv1.0 length=196\n  client_hello (196 bytes)"),
            "{out}"
        );
        for needle in [
            "TLS_AES_128_GCM_SHA256",
            "x25519",
            "cipher_suites",
            "\n      ",
            "random: [32] cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7,",
        ] {
            assert!(out.contains(needle), "missing {needle:?} in\n{out}");
        }
    }

    #[test]
    fn a_bare_handshake_message_and_a_fragmented_one() {
        // The same ClientHello without the record header.
        let (r, out) = render_hex(&CLIENT_HELLO_RECORD[10..]);
        r.unwrap();
        assert!(out.starts_with("client_hello (196 bytes)"), "{out}");
        // Split over two records.
        let body = &CLIENT_HELLO_RECORD[10..];
        let (a, b) = body.split_at(100);
        let two = format!(
            "16030100{:02x}{a}16030100{:02x}{b}",
            a.len() / 2,
            b.len() / 2
        );
        let (r, out) = render_hex(&two);
        r.unwrap();
        assert!(out.contains("record #1"), "{out}");
        assert_eq!(out.matches("client_hello (196 bytes)").count(), 1, "{out}");
    }

    #[test]
    fn errors_name_the_fault_and_the_alert() {
        let (r, _) = render_hex(&CLIENT_HELLO_RECORD[..CLIENT_HELLO_RECORD.len() - 2]);
        let err = r.unwrap_err();
        assert!(err.contains("record") || err.contains("truncated"), "{err}");
        let (r, _) = render_hex("0100000403030000");
        let err = r.unwrap_err();
        assert!(err.contains("decode_error"), "{err}");
    }

    #[test]
    fn alerts_and_encrypted_records() {
        let (r, out) = render_hex("15030300020228 1703030005aabbccddee");
        r.unwrap();
        assert!(out.contains("handshake_failure"), "{out}");
        assert!(out.contains("(encrypted: 5 bytes)"), "{out}");
    }
}

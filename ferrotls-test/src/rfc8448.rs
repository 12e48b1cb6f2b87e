//! The example handshakes of RFC 8448, read from the RFC text itself.
//!
//! `vectors/rfc8448.txt` is the RFC Editor's plain-text edition. Each
//! section is a list of steps such as `{client}  construct a ClientHello
//! handshake message:` followed by labelled values such as
//! `ClientHello (196 octets):  01 00 00 c0 ...`. Tests look values up by
//! section, step and label, so every byte compared comes from the RFC as
//! published.

use std::sync::OnceLock;

const TEXT: &str = include_str!("../vectors/rfc8448.txt");

/// A labelled value of a step, e.g. `("ClientHello", [0x01, ...])`.
#[derive(Clone, Debug)]
pub struct Value {
    pub label: String,
    pub bytes: Vec<u8>,
}

/// One `{client}`/`{server}` step of a trace.
#[derive(Clone, Debug)]
pub struct Step {
    /// `client` or `server`.
    pub who: String,
    /// The step's description without the actor, e.g.
    /// `derive secret "tls13 c hs traffic"`. A trailing `(same as ...)`
    /// remark is kept.
    pub what: String,
    pub values: Vec<Value>,
}

impl Step {
    /// The value with this label (`ClientHello`, `secret`, `key`, ...).
    pub fn get(&self, label: &str) -> Option<&[u8]> {
        self.values
            .iter()
            .find(|v| v.label == label)
            .map(|v| v.bytes.as_slice())
    }

    /// Like [`Step::get`], panicking with a useful message when missing.
    pub fn value(&self, label: &str) -> &[u8] {
        self.get(label).unwrap_or_else(|| {
            panic!(
                "RFC 8448 step {{{}}} {:?} has no value {label:?}; it has {:?}",
                self.who,
                self.what,
                self.values.iter().map(|v| &v.label).collect::<Vec<_>>()
            )
        })
    }
}

/// One section of RFC 8448 (e.g. 3, "Simple 1-RTT Handshake").
#[derive(Clone, Debug)]
pub struct Trace {
    pub number: u32,
    pub title: String,
    /// Values printed before the first step (section 2's private key).
    pub preamble: Vec<Value>,
    pub steps: Vec<Step>,
}

impl Trace {
    /// Every step of `who` whose description starts with `what`, in order.
    pub fn steps<'a>(&'a self, who: &'a str, what: &'a str) -> impl Iterator<Item = &'a Step> {
        self.steps
            .iter()
            .filter(move |s| s.who == who && s.what.starts_with(what))
    }

    /// The first step of `who` whose description starts with `what`.
    pub fn step(&self, who: &str, what: &str) -> &Step {
        self.nth_step(who, what, 0)
    }

    /// The `n`th (0-based) step of `who` whose description starts with `what`.
    pub fn nth_step(&self, who: &str, what: &str, n: usize) -> &Step {
        self.steps
            .iter()
            .filter(|s| s.who == who && s.what.starts_with(what))
            .nth(n)
            .unwrap_or_else(|| {
                panic!(
                    "RFC 8448 section {} has no step #{n} {{{who}}} {what:?}",
                    self.number
                )
            })
    }

    /// Shorthand: the value `label` of the first step `{who} what...`.
    pub fn value(&self, who: &str, what: &str, label: &str) -> &[u8] {
        self.step(who, what).value(label)
    }

    /// A value printed before the first step (section 2).
    pub fn preamble_value(&self, label: &str) -> &[u8] {
        self.preamble
            .iter()
            .find(|v| v.label == label)
            .map(|v| v.bytes.as_slice())
            .unwrap_or_else(|| panic!("RFC 8448 section {} has no {label:?}", self.number))
    }
}

/// Section `number` of RFC 8448 (2 to 7).
pub fn section(number: u32) -> &'static Trace {
    static ALL: OnceLock<Vec<Trace>> = OnceLock::new();
    ALL.get_or_init(parse)
        .iter()
        .find(|t| t.number == number)
        .unwrap_or_else(|| panic!("RFC 8448 has no section {number}"))
}

fn is_page_furniture(line: &str) -> bool {
    line.starts_with("Thomson ") || line.starts_with("RFC 8448 ") || line.contains('\x0c')
}

fn hex_tokens(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for tok in s.split_whitespace() {
        if tok.len() != 2 {
            return None;
        }
        out.push(u8::from_str_radix(tok, 16).ok()?);
    }
    (!out.is_empty()).then_some(out)
}

/// `label (N octets):  hex...` or `label:  hex...`; returns the label,
/// the stated octet count and the first bytes.
fn value_start(line: &str) -> Option<(String, Option<usize>, Vec<u8>)> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('{') {
        return None;
    }
    let (head, tail) = trimmed.split_once(":  ")?;
    let bytes = hex_tokens(tail)?;
    let (label, count) = match head.strip_suffix(" octets)") {
        Some(h) => {
            let (label, n) = h.rsplit_once(" (")?;
            (label.to_string(), n.parse().ok())
        }
        None => (head.to_string(), None),
    };
    Some((label, count, bytes))
}

fn parse() -> Vec<Trace> {
    let mut traces: Vec<Trace> = Vec::new();
    let mut open: Option<(String, Option<usize>, Vec<u8>)> = None;
    let mut header_open = false;

    fn close(traces: &mut [Trace], open: &mut Option<(String, Option<usize>, Vec<u8>)>) {
        let Some((label, count, bytes)) = open.take() else {
            return;
        };
        if let Some(n) = count {
            assert_eq!(bytes.len(), n, "RFC 8448: {label} should have {n} octets");
        }
        let Some(trace) = traces.last_mut() else {
            return;
        };
        let value = Value { label, bytes };
        match trace.steps.last_mut() {
            Some(step) => step.values.push(value),
            None => trace.preamble.push(value),
        }
    }

    for line in TEXT.lines() {
        if is_page_furniture(line) {
            continue;
        }
        // Section headings start at column 0: "3.  Simple 1-RTT Handshake".
        if let Some((num, title)) = line.split_once(".  ") {
            if let Ok(number) = num.parse::<u32>() {
                close(&mut traces, &mut open);
                traces.push(Trace {
                    number,
                    title: title.trim().to_string(),
                    preamble: Vec::new(),
                    steps: Vec::new(),
                });
                header_open = false;
                continue;
            }
        }
        if traces.is_empty() {
            continue;
        }
        let trimmed = line.trim();
        // Blank lines do not end a value: a page break may split one.
        if trimmed.is_empty() {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('{') {
            close(&mut traces, &mut open);
            if let (Some((who, what)), Some(trace)) = (rest.split_once('}'), traces.last_mut()) {
                let what = what.trim().to_string();
                header_open = what.matches('(').count() > what.matches(')').count();
                trace.steps.push(Step {
                    who: who.to_string(),
                    what: what.trim_end_matches(':').to_string(),
                    values: Vec::new(),
                });
            }
            continue;
        }
        if header_open {
            if let Some(step) = traces.last_mut().and_then(|t| t.steps.last_mut()) {
                step.what.push(' ');
                step.what.push_str(trimmed.trim_end_matches(':'));
                header_open = step.what.matches('(').count() > step.what.matches(')').count();
            }
            continue;
        }
        if let Some(start) = value_start(line) {
            close(&mut traces, &mut open);
            open = Some(start);
            continue;
        }
        if let (Some((_, _, bytes)), Some(more)) = (open.as_mut(), hex_tokens(trimmed)) {
            bytes.extend(more);
        }
    }
    close(&mut traces, &mut open);
    traces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_simple_handshake() {
        let t = section(3);
        assert_eq!(t.title, "Simple 1-RTT Handshake");
        let ch = t.value("client", "construct a ClientHello", "ClientHello");
        assert_eq!(ch.len(), 196);
        assert_eq!(&ch[..4], [0x01, 0x00, 0x00, 0xc0]);
        let key = t.value(
            "client",
            "create an ephemeral x25519 key pair",
            "private key",
        );
        assert_eq!(key[0], 0x49);
        let hs = t.value("server", "extract secret \"handshake\"", "secret");
        assert_eq!(&hs[..3], [0x1d, 0xc8, 0x26]);
        // A header that wraps over two lines is joined.
        let step = t.step("client", "derive read traffic keys for handshake data");
        assert!(step.what.ends_with("traffic keys)"), "{}", step.what);
        assert!(step.values.is_empty());
        let keys = t.step("server", "derive write traffic keys for handshake data");
        assert_eq!(keys.value("key expanded").len(), 16);
        assert_eq!(keys.value("iv expanded").len(), 12);
    }

    #[test]
    fn reads_the_private_key_and_every_section() {
        let keys = section(2);
        assert_eq!(keys.preamble_value("modulus (public)").len(), 128);
        assert_eq!(keys.preamble_value("public exponent"), [1, 0, 1]);
        for n in 3..=7 {
            let t = section(n);
            assert!(
                t.steps.len() > 20,
                "section {n} has {} steps",
                t.steps.len()
            );
        }
        assert_eq!(
            section(5)
                .steps("client", "construct a ClientHello")
                .count(),
            2
        );
    }
}

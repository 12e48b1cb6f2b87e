//! Draws a handshake as the RFCs draw one: the client's messages on the
//! left, the server's on the right, one arrow per flight. TLS 1.3 follows
//! RFC 8446 §2: `{}` around messages under handshake keys and `[]` under
//! application keys. TLS 1.2 follows RFC 5246 §7.3: `[ChangeCipherSpec]` is
//! a record of its own protocol, and `{}` marks the handshake messages
//! protected by the keys it switched on (TLS 1.2 has no separate handshake
//! keys, so these are the connection's traffic keys).

use std::sync::Mutex;

use ferrotls::msgs::alert::Alert;
use ferrotls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use ferrotls::trace::{Direction, Observer, Protection};

/// One thing seen on the wire, from the client's side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// `Sent` is client to server.
    pub dir: Direction,
    pub text: String,
    /// Lines under the message (a hello's extensions).
    pub detail: Vec<String>,
}

/// Records what a client connection sends and receives.
#[derive(Default)]
pub struct Recorder {
    events: Mutex<Vec<Event>>,
    /// Whether a ServerHello selected TLS 1.2 (ChangeCipherSpec then
    /// switches keys instead of being the TLS 1.3 compatibility record).
    tls12: std::sync::atomic::AtomicBool,
}

impl Recorder {
    pub fn events(&self) -> Vec<Event> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// Whether the last ServerHello seen selected TLS 1.2.
    pub fn tls12(&self) -> bool {
        self.tls12.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets what was recorded, to record the next connection on its own.
    pub fn clear(&self) {
        if let Ok(mut e) = self.events.lock() {
            e.clear();
        }
        self.tls12
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }

    fn push(&self, event: Event) {
        if let Ok(mut e) = self.events.lock() {
            e.push(event);
        }
    }
}

fn wrap(name: &str, protection: Protection, tls12: bool) -> String {
    match protection {
        Protection::Plaintext => name.to_string(),
        Protection::EarlyData => format!("({name})"),
        Protection::Handshake => format!("{{{name}}}"),
        // RFC 5246 §7.3 draws the messages after ChangeCipherSpec bare; `{}`
        // marks them as protected, the way RFC 8446 §2 does.
        Protection::Application if tls12 => format!("{{{name}}}"),
        Protection::Application => format!("[{name}]"),
    }
}

/// The message's name as RFC 8446 writes it.
fn message_name(msg: &HandshakeMessage) -> String {
    match msg.payload() {
        HandshakePayload::ServerHello(sh) if sh.is_hello_retry_request() => {
            "HelloRetryRequest".into()
        }
        other => {
            // `ClientHello(...)` -> `ClientHello`; `CertificateTls13` -> `Certificate`.
            let debug = format!("{other:?}");
            let name = debug
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or("?")
                .to_string();
            name.trim_end_matches("Tls13")
                .trim_end_matches("Tls12")
                .to_string()
        }
    }
}

/// `+ key_share (x25519)`-style lines for the extensions of a hello.
fn hello_detail(msg: &HandshakeMessage) -> Vec<String> {
    let exts = match msg.payload() {
        HandshakePayload::ClientHello(ch) => ch.extensions(),
        HandshakePayload::ServerHello(sh) => sh.extensions(),
        _ => return Vec::new(),
    };
    exts.iter()
        .map(|e| {
            let typ = e.typ();
            let extra = match typ {
                ferrotls::msgs::enums::ExtensionType::KeyShare => {
                    let groups: Vec<String> = exts
                        .key_shares()
                        .map(|s| s.iter().map(|k| k.group.to_string()).collect())
                        .or_else(|| exts.server_key_share().map(|k| vec![k.group.to_string()]))
                        .or_else(|| exts.retry_group().map(|g| vec![g.to_string()]))
                        .unwrap_or_default();
                    format!(" ({})", groups.join(", "))
                }
                _ => String::new(),
            };
            format!("+ {typ}{extra}")
        })
        .collect()
}

impl Observer for Recorder {
    fn message(&self, dir: Direction, protection: Protection, msg: &HandshakeMessage) {
        if let HandshakePayload::ServerHello(sh) = msg.payload() {
            let tls13 = sh.is_hello_retry_request()
                || sh.extensions().selected_version()
                    == Some(ferrotls::msgs::enums::ProtocolVersion::TLSv1_3);
            self.tls12
                .store(!tls13, std::sync::atomic::Ordering::Relaxed);
        }
        self.push(Event {
            dir,
            text: wrap(&message_name(msg), protection, self.tls12()),
            detail: hello_detail(msg),
        });
    }

    fn change_cipher_spec(&self, dir: Direction) {
        // RFC 5246 §7.3 brackets ChangeCipherSpec: it is not a handshake
        // message. In TLS 1.3 it only soothes middleboxes (RFC 8446 §D.4).
        let (text, detail) = if self.tls12() {
            ("[ChangeCipherSpec]", Vec::new())
        } else {
            ("ChangeCipherSpec", vec!["(compatibility)".into()])
        };
        self.push(Event {
            dir,
            text: text.into(),
            detail,
        });
    }

    fn alert(&self, dir: Direction, alert: &Alert) {
        self.push(Event {
            dir,
            text: format!("Alert({})", alert.description),
            detail: Vec::new(),
        });
    }
}

const LEFT: usize = 4;
const ARROW: usize = 36;
const RIGHT_END: usize = 78;

/// Renders the handshake's events as a flow diagram; `app_data` adds the
/// line showing application data crossing both ways, then `closing` (the
/// close_notify alerts) follows. `tls12` picks RFC 5246's notation and
/// legend instead of RFC 8446's.
pub fn render(handshake: &[Event], app_data: bool, closing: &[Event], tls12: bool) -> String {
    let mut out = format!(
        "{:>w$}{:>r$}\n\n",
        "Client",
        "Server",
        w = LEFT + 6,
        r = RIGHT_END - LEFT - 6
    );
    draw(&mut out, handshake);
    if app_data {
        let data = if tls12 {
            "Application Data"
        } else {
            "[Application Data]"
        };
        out.push_str(&format!(
            "{:LEFT$}{data}{:pad$}<------->{data:>r$}\n",
            "",
            "",
            pad = ARROW - LEFT - data.len(),
            r = RIGHT_END - ARROW - 9
        ));
    }
    draw(&mut out, closing);
    out.push_str(if tls12 {
        "\n    TLS 1.2: [ChangeCipherSpec] switches the sender to the new keys; {} messages under them\n"
    } else {
        "\n    TLS 1.3: {} handshake keys, [] application keys\n"
    });
    out
}

fn draw(out: &mut String, events: &[Event]) {
    let mut i = 0;
    while let Some(first) = events.get(i) {
        let dir = first.dir;
        let flight: Vec<&Event> = events.iter().skip(i).take_while(|e| e.dir == dir).collect();
        i += flight.len();
        let lines: Vec<String> = flight
            .iter()
            .flat_map(|e| {
                std::iter::once(e.text.clone()).chain(e.detail.iter().map(|d| format!("  {d}")))
            })
            .collect();
        let last = lines.len().saturating_sub(1);
        for (n, line) in lines.iter().enumerate() {
            let arrow = n == last;
            match dir {
                Direction::Sent => {
                    let mut l = format!("{:LEFT$}{line}", "");
                    if arrow {
                        let pad = ARROW.saturating_sub(l.chars().count()).max(1);
                        l.push_str(&format!("{:pad$}-------->", ""));
                    }
                    out.push_str(&l);
                }
                Direction::Received => {
                    let prefix = if arrow {
                        format!("{:ARROW$}<--------", "")
                    } else {
                        String::new()
                    };
                    let width = RIGHT_END.saturating_sub(prefix.chars().count());
                    out.push_str(&format!("{prefix}{line:>width$}"));
                }
            }
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(dir: Direction, text: &str) -> Event {
        Event {
            dir,
            text: text.into(),
            detail: Vec::new(),
        }
    }

    #[test]
    fn flights_get_one_arrow_each() {
        let events = [
            ev(Direction::Sent, "ClientHello"),
            ev(Direction::Received, "ServerHello"),
            ev(Direction::Received, "{Finished}"),
            ev(Direction::Sent, "{Finished}"),
        ];
        let out = render(&events, true, &[], false);
        assert_eq!(out.matches("-------->").count(), 2, "{out}");
        assert_eq!(out.matches("<--------").count(), 1, "{out}");
        assert!(out.contains("<------->"), "{out}");
        let server_hello = out.lines().find(|l| l.contains("ServerHello")).unwrap();
        assert!(
            server_hello.ends_with("ServerHello") && !server_hello.contains("<"),
            "{out}"
        );
        assert!(out.contains("TLS 1.3: {} handshake keys"), "{out}");
    }

    #[test]
    fn tls12_uses_rfc5246_notation() {
        let recorder = Recorder::default();
        recorder
            .tls12
            .store(true, std::sync::atomic::Ordering::Relaxed);
        recorder.change_cipher_spec(Direction::Received);
        let events = [
            ev(Direction::Sent, "ClientHello"),
            ev(Direction::Received, "ServerHello"),
            recorder.events().remove(0),
            ev(
                Direction::Received,
                &wrap("Finished", Protection::Application, true),
            ),
        ];
        let out = render(&events, true, &[], true);
        assert!(out.contains("[ChangeCipherSpec]"), "{out}");
        assert!(out.contains("{Finished}"), "{out}");
        assert!(!out.contains("[Application Data]"), "{out}");
        let data = out.lines().find(|l| l.contains("<------->")).unwrap();
        assert_eq!(data.matches("Application Data").count(), 2, "{out}");
        assert!(out.contains("TLS 1.2: [ChangeCipherSpec]"), "{out}");
        assert_eq!(
            wrap("Finished", Protection::Application, false),
            "[Finished]"
        );
    }
}

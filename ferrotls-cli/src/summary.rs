//! The one-line summary each handshake prints to stderr.

use ferrotls::conn::Negotiated;

/// `handshake: version=TLSv1.3 cipher=... group=... signature=... alpn=- resumed=no`
pub fn line(n: &Negotiated) -> String {
    format!("handshake: {}", n.summary())
}

pub fn print(n: &Negotiated) {
    eprintln!("{}", line(n));
}

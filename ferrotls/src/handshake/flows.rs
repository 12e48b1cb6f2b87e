//! The legal message sequences of each kind of handshake, as data.
//!
//! Each table lists who sends what, in order, as RFC 8446 §2 and RFC 5246
//! §7.3 draw it (with the middlebox-compatibility ChangeCipherSpec records
//! of RFC 8446 §D.4 that ferrotls sends and expects by default). Tests run
//! real handshakes and compare what crossed the wire with these tables.

use crate::msgs::enums::HandshakeType;

/// Which side sent a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    Client,
    Server,
}

/// One thing sent: a handshake message or a ChangeCipherSpec record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Handshake(HandshakeType),
    ChangeCipherSpec,
}

/// A named sequence of steps.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    pub name: &'static str,
    pub steps: &'static [(Sender, Step)],
}

use HandshakeType as H;
use Sender::{Client as C, Server as S};
use Step::{ChangeCipherSpec as Ccs, Handshake as M};

/// RFC 8446 §2, Figure 1: a full TLS 1.3 handshake.
pub const TLS13_FULL: Flow = Flow {
    name: "TLS 1.3 full handshake",
    steps: &[
        (C, M(H::ClientHello)),
        (S, M(H::ServerHello)),
        (S, Ccs),
        (S, M(H::EncryptedExtensions)),
        (S, M(H::Certificate)),
        (S, M(H::CertificateVerify)),
        (S, M(H::Finished)),
        (C, Ccs),
        (C, M(H::Finished)),
    ],
};

/// RFC 8446 §2.1, Figure 2: a handshake after a HelloRetryRequest (on the
/// wire a ServerHello with the special random).
pub const TLS13_HRR: Flow = Flow {
    name: "TLS 1.3 handshake with HelloRetryRequest",
    steps: &[
        (C, M(H::ClientHello)),
        (S, M(H::ServerHello)),
        (S, Ccs),
        (C, Ccs),
        (C, M(H::ClientHello)),
        (S, M(H::ServerHello)),
        (S, M(H::EncryptedExtensions)),
        (S, M(H::Certificate)),
        (S, M(H::CertificateVerify)),
        (S, M(H::Finished)),
        (C, M(H::Finished)),
    ],
};

/// RFC 8446 §2, with the server asking for a client certificate.
pub const TLS13_CLIENT_AUTH: Flow = Flow {
    name: "TLS 1.3 handshake with client authentication",
    steps: &[
        (C, M(H::ClientHello)),
        (S, M(H::ServerHello)),
        (S, Ccs),
        (S, M(H::EncryptedExtensions)),
        (S, M(H::CertificateRequest)),
        (S, M(H::Certificate)),
        (S, M(H::CertificateVerify)),
        (S, M(H::Finished)),
        (C, Ccs),
        (C, M(H::Certificate)),
        (C, M(H::CertificateVerify)),
        (C, M(H::Finished)),
    ],
};

/// RFC 5246 §7.3, Figure 1, with ECDHE or DHE and a ticket issued
/// (RFC 5077 §3.1).
pub const TLS12_FULL: Flow = Flow {
    name: "TLS 1.2 full handshake",
    steps: &[
        (C, M(H::ClientHello)),
        (S, M(H::ServerHello)),
        (S, M(H::Certificate)),
        (S, M(H::ServerKeyExchange)),
        (S, M(H::ServerHelloDone)),
        (C, M(H::ClientKeyExchange)),
        (C, Ccs),
        (C, M(H::Finished)),
        (S, M(H::NewSessionTicket)),
        (S, Ccs),
        (S, M(H::Finished)),
    ],
};

/// RFC 5246 §7.3, Figure 1, with a client certificate and no ticket.
pub const TLS12_CLIENT_AUTH: Flow = Flow {
    name: "TLS 1.2 full handshake with client authentication",
    steps: &[
        (C, M(H::ClientHello)),
        (S, M(H::ServerHello)),
        (S, M(H::Certificate)),
        (S, M(H::ServerKeyExchange)),
        (S, M(H::CertificateRequest)),
        (S, M(H::ServerHelloDone)),
        (C, M(H::Certificate)),
        (C, M(H::ClientKeyExchange)),
        (C, M(H::CertificateVerify)),
        (C, Ccs),
        (C, M(H::Finished)),
        (S, Ccs),
        (S, M(H::Finished)),
    ],
};

/// RFC 5246 §7.3, Figure 2: the abbreviated handshake (session ID or ticket).
pub const TLS12_ABBREVIATED: Flow = Flow {
    name: "TLS 1.2 abbreviated handshake",
    steps: &[
        (C, M(H::ClientHello)),
        (S, M(H::ServerHello)),
        (S, Ccs),
        (S, M(H::Finished)),
        (C, Ccs),
        (C, M(H::Finished)),
    ],
};

/// Every table.
pub const ALL: &[Flow] = &[
    TLS13_FULL,
    TLS13_HRR,
    TLS13_CLIENT_AUTH,
    TLS12_FULL,
    TLS12_CLIENT_AUTH,
    TLS12_ABBREVIATED,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flow_starts_with_a_client_hello_and_ends_with_a_finished() {
        for flow in ALL {
            assert_eq!(
                flow.steps.first(),
                Some(&(C, M(H::ClientHello))),
                "{}",
                flow.name
            );
            assert!(
                matches!(flow.steps.last(), Some((_, M(H::Finished)))),
                "{}",
                flow.name
            );
            // Each side sends exactly one Finished.
            for side in [C, S] {
                let n = flow
                    .steps
                    .iter()
                    .filter(|s| **s == (side, M(H::Finished)))
                    .count();
                assert_eq!(n, 1, "{} {:?}", flow.name, side);
            }
        }
    }
}

//! Real handshakes between the ferrotls client and server follow the
//! message sequences tabled in `ferrotls::flows`, message for message,
//! ChangeCipherSpec records included.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, Mutex};

use ferrotls::auth::{
    provider_key, CertifiedKey, ClientCertChooser, ClientCertVerifier, RootStore,
};
use ferrotls::config::{ClientConfig, ServerConfig};
use ferrotls::flows::{self, Flow, Sender, Step};
use ferrotls::msgs::enums::{NamedGroup, ProtocolVersion};
use ferrotls::msgs::handshake::HandshakeMessage;
use ferrotls::trace::{Direction, Observer, Protection};
use ferrotls::{ClientConnection, ServerConnection};
use ferrotls_test::loopback;
use ferrotls_test::pair;
use ferrotls_test::pki::{KeyType, Pki};

/// Records the steps a client saw, as sender and step.
#[derive(Default)]
struct Steps(Mutex<Vec<(Sender, Step)>>);

fn sender(dir: Direction) -> Sender {
    match dir {
        Direction::Sent => Sender::Client,
        Direction::Received => Sender::Server,
    }
}

impl Observer for Steps {
    fn message(&self, dir: Direction, _: Protection, msg: &HandshakeMessage) {
        self.0
            .lock()
            .unwrap()
            .push((sender(dir), Step::Handshake(msg.typ())));
    }

    fn change_cipher_spec(&self, dir: Direction) {
        self.0
            .lock()
            .unwrap()
            .push((sender(dir), Step::ChangeCipherSpec));
    }
}

fn client_config(version: ProtocolVersion) -> ClientConfig {
    let mut config = loopback::client_config();
    config.policy.versions = vec![version];
    config.policy.cipher_suites = ferrotls::config::Policy::default().cipher_suites;
    config
}

fn with_client_certificate(config: &mut ClientConfig) {
    let id = Pki::get().client(KeyType::EcdsaP256);
    let key = CertifiedKey::new(id.chain(), provider_key(&id.private_key()).unwrap()).unwrap();
    config.client_auth = Some(Arc::new(ClientCertChooser::new(vec![Arc::new(key)])));
}

fn requiring_client_certificates(config: &mut ServerConfig) {
    let mut roots = RootStore::empty();
    roots.add_all(&Pki::get().roots()).unwrap();
    config.client_verifier = Some(Arc::new(ClientCertVerifier::new(Arc::new(roots))));
}

/// Runs one handshake and data exchange; returns what the client saw.
fn run(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>) -> Vec<(Sender, Step)> {
    let steps = Arc::new(Steps::default());
    let mut config = (**client).clone();
    config.hooks.observer = Some(Arc::clone(&steps) as Arc<dyn Observer>);
    let mut c = ClientConnection::new(Arc::new(config), "localhost".try_into().unwrap()).unwrap();
    let mut s = ServerConnection::new(Arc::clone(server)).unwrap();
    pair::handshake(&mut c, &mut s);
    pair::exchange_data(&mut c, &mut s);
    let seen = steps.0.lock().unwrap().clone();
    seen
}

/// Compares what each side sent with the table. The order between the
/// two sides is not compared: a client may queue its compatibility
/// ChangeCipherSpec while it still reads the server's flight (RFC 8446
/// §D.4 only asks that it precede the client's second flight on the wire).
fn check(flow: &Flow, seen: &[(Sender, Step)]) {
    for side in [Sender::Client, Sender::Server] {
        let of = |steps: &[(Sender, Step)]| -> Vec<Step> {
            steps
                .iter()
                .filter(|(s, _)| *s == side)
                .map(|(_, step)| *step)
                .collect()
        };
        assert_eq!(
            of(seen),
            of(flow.steps),
            "{}: what the {side:?} sent differs from the table\nrun: {seen:?}",
            flow.name
        );
    }
}

#[test]
fn tls13_runs_follow_their_tables() {
    let server = Arc::new(loopback::server_config(KeyType::EcdsaP256));
    let client = Arc::new(client_config(ProtocolVersion::TLSv1_3));
    check(&flows::TLS13_FULL, &run(&client, &server));

    let mut p256_only = loopback::server_config(KeyType::EcdsaP256);
    p256_only.policy.groups = vec![NamedGroup::Secp256r1];
    check(&flows::TLS13_HRR, &run(&client, &Arc::new(p256_only)));

    let mut auth_server = loopback::server_config(KeyType::EcdsaP256);
    requiring_client_certificates(&mut auth_server);
    let mut auth_client = client_config(ProtocolVersion::TLSv1_3);
    with_client_certificate(&mut auth_client);
    check(
        &flows::TLS13_CLIENT_AUTH,
        &run(&Arc::new(auth_client), &Arc::new(auth_server)),
    );
}

#[test]
fn tls12_runs_follow_their_tables() {
    let client = Arc::new(client_config(ProtocolVersion::TLSv1_2));

    // Tickets on: a full handshake issues one, and the next connection
    // resumes with it.
    let server = Arc::new(loopback::server_config(KeyType::EcdsaP256));
    check(&flows::TLS12_FULL, &run(&client, &server));
    check(&flows::TLS12_ABBREVIATED, &run(&client, &server));

    // Tickets off, client certificates: session-ID resumption afterwards.
    let mut no_tickets = loopback::server_config(KeyType::EcdsaP256);
    no_tickets.ticket_keys = None;
    requiring_client_certificates(&mut no_tickets);
    let no_tickets = Arc::new(no_tickets);
    let mut auth_client = client_config(ProtocolVersion::TLSv1_2);
    with_client_certificate(&mut auth_client);
    let auth_client = Arc::new(auth_client);
    check(&flows::TLS12_CLIENT_AUTH, &run(&auth_client, &no_tickets));
    check(&flows::TLS12_ABBREVIATED, &run(&auth_client, &no_tickets));
}

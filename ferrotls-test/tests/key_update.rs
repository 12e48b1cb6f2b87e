//! Traffic-key updates between a ferrotls client and server in memory:
//! TLS 1.3 KeyUpdate (RFC 8446 §4.6.3) both ways with data before and
//! after, and TLS 1.2, which has no KeyUpdate, refusing with a typed error
//! while the connection goes on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use ferrotls::error::{Error, LocalError};
use ferrotls::msgs::enums::ProtocolVersion;
use ferrotls::{ClientConnection, ServerConnection};
use ferrotls_test::loopback;
use ferrotls_test::pair;
use ferrotls_test::pki::KeyType;

fn connected(version: ProtocolVersion) -> (ClientConnection, ServerConnection) {
    let mut client = loopback::client_config();
    client.policy.versions = vec![version];
    client.policy.cipher_suites = ferrotls::config::Policy::default().cipher_suites;
    let server = loopback::server_config(KeyType::EcdsaP256);
    let mut c = ClientConnection::new(Arc::new(client), "localhost".try_into().unwrap()).unwrap();
    let mut s = ServerConnection::new(Arc::new(server)).unwrap();
    pair::handshake(&mut c, &mut s);
    assert_eq!(c.negotiated().version, Some(version));
    pair::exchange_data(&mut c, &mut s);
    (c, s)
}

#[test]
fn tls13_key_updates_keep_data_flowing() {
    let (mut c, mut s) = connected(ProtocolVersion::TLSv1_3);
    // The client asks the server to update too (update_requested).
    c.refresh_traffic_keys().unwrap();
    pair::exchange_data(&mut c, &mut s);
    s.refresh_traffic_keys().unwrap();
    pair::exchange_data(&mut c, &mut s);
}

#[test]
fn tls12_has_no_key_update() {
    let (mut c, mut s) = connected(ProtocolVersion::TLSv1_2);
    for err in [
        c.refresh_traffic_keys().unwrap_err(),
        s.refresh_traffic_keys().unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::Local(LocalError::NoKeyUpdateInTls12)),
            "{err:?}"
        );
    }
    // Nothing was sent and nothing broke.
    pair::exchange_data(&mut c, &mut s);
    assert!(c.error().is_none() && s.error().is_none());
}

//! The TLS 1.3 traffic phase shared by both sides: installing application
//! keys, and key updates in both directions (RFC 8446 §4.6.3, §7.2).

use crate::conn::common::CommonState;
use crate::crypto::suites::Tls13Suite;
use crate::error::{Error, PeerMisbehaved};
use crate::keys::tls13::ApplicationTrafficSecret;
use crate::msgs::enums::KeyUpdateRequest;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::key_update::KeyUpdate;
use crate::record::protect::RecordCipher;
use crate::trace::Protection;

/// How many KeyUpdates may arrive with no application data between them.
const MAX_KEY_UPDATES_IN_A_ROW: usize = 32;

/// Application traffic secrets of both directions.
pub(crate) struct Traffic13 {
    suite: Tls13Suite,
    send: ApplicationTrafficSecret,
    recv: ApplicationTrafficSecret,
    updates_in_a_row: usize,
}

/// A record cipher for `secret` (RFC 8446 §7.3).
pub(crate) fn cipher_for<K>(
    suite: Tls13Suite,
    secret: &crate::keys::tls13_traffic::TrafficSecret<K>,
) -> Result<RecordCipher, Error> {
    let keys = secret.traffic_keys(suite.aead.key_len())?;
    Ok(RecordCipher::tls13(suite.aead, keys.key(), keys.iv())?)
}

impl Traffic13 {
    pub(crate) fn new(
        suite: Tls13Suite,
        send: ApplicationTrafficSecret,
        recv: ApplicationTrafficSecret,
    ) -> Self {
        Self {
            suite,
            send,
            recv,
            updates_in_a_row: 0,
        }
    }

    /// Installs the application keys for sending.
    pub(crate) fn install_send(&self, cx: &mut CommonState) -> Result<(), Error> {
        cx.set_encrypter(cipher_for(self.suite, &self.send)?, Protection::Application)
    }

    /// Installs the application keys for receiving.
    pub(crate) fn install_recv(&self, cx: &mut CommonState) -> Result<(), Error> {
        cx.set_decrypter(cipher_for(self.suite, &self.recv)?, Protection::Application)
    }

    /// Handles a KeyUpdate from the peer (RFC 8446 §4.6.3): the receiving
    /// key moves on, and if the peer asked, ours does too.
    pub(crate) fn handle_key_update(
        &mut self,
        cx: &mut CommonState,
        ku: &KeyUpdate,
    ) -> Result<(), Error> {
        self.updates_in_a_row += 1;
        if self.updates_in_a_row > MAX_KEY_UPDATES_IN_A_ROW {
            return Err(PeerMisbehaved::TooManyInARow { what: "KeyUpdates" }.into());
        }
        self.recv = self.recv.next()?;
        self.install_recv(cx)?;
        if ku.request_update == KeyUpdateRequest::UpdateRequested {
            // RFC 8446 §4.6.3: answer with update_not_requested, so two
            // requests crossing do not loop.
            self.update_send(cx, false)?;
        }
        Ok(())
    }

    /// Application data arrived: KeyUpdates are no longer in a row.
    pub(crate) fn made_progress(&mut self) {
        self.updates_in_a_row = 0;
    }

    /// Sends a KeyUpdate and switches to the next sending key (RFC 8446
    /// §4.6.3: the sender updates right after sending it).
    pub(crate) fn update_send(
        &mut self,
        cx: &mut CommonState,
        request_peer: bool,
    ) -> Result<(), Error> {
        let request_update = if request_peer {
            KeyUpdateRequest::UpdateRequested
        } else {
            KeyUpdateRequest::UpdateNotRequested
        };
        cx.send_handshake(&HandshakeMessage::new(HandshakePayload::KeyUpdate(
            KeyUpdate { request_update },
        )));
        self.send = self.send.next()?;
        self.install_send(cx)
    }
}

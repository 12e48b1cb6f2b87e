//! NewSessionTicket: TLS 1.3 (RFC 8446 §4.6.1) and TLS 1.2 (RFC 5077 §3.3).

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::extensions::{ExtensionContext, Extensions};

/// RFC 8446 §4.6.1: `opaque ticket_nonce<0..255>`.
const NONCE: VecSpec = VecSpec::opaque("ticket_nonce", 0, 0xff);
/// RFC 8446 §4.6.1: `opaque ticket<1..2^16-1>`.
const TICKET13: VecSpec = VecSpec::opaque("ticket", 1, 0xffff);
/// RFC 8446 §4.6.1: `Extension extensions<0..2^16-2>`.
const EXTENSIONS: VecSpec = VecSpec::opaque("NewSessionTicket extensions", 0, 0xfffe);
/// RFC 5077 §3.3: `opaque ticket<0..2^16-1>` (empty: the server will not
/// issue a ticket after all, §3.3).
const TICKET12: VecSpec = VecSpec::opaque("ticket", 0, 0xffff);

/// TLS 1.3 NewSessionTicket.
///
/// ```text
/// struct {
///     uint32 ticket_lifetime;
///     uint32 ticket_age_add;
///     opaque ticket_nonce<0..255>;
///     opaque ticket<1..2^16-1>;
///     Extension extensions<0..2^16-2>;
/// } NewSessionTicket;
/// ```
///
/// `ticket_lifetime` is kept as sent; the 7-day cap (§4.6.1: "Servers MUST
/// NOT use any value greater than 604800 seconds") is applied by the
/// session store, which must not keep a ticket longer than that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicketTls13 {
    /// Seconds from issue.
    pub lifetime: u32,
    /// Obfuscates the ticket age the client reports (§4.2.11.1).
    pub age_add: u32,
    /// Makes each ticket's PSK unique (§4.6.1).
    pub nonce: Bytes,
    pub ticket: Bytes,
    /// early_data (max_early_data_size) and unknown extensions.
    pub extensions: Extensions,
}

impl Codec for NewSessionTicketTls13 {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u32(self.lifetime);
        w.u32(self.age_add);
        w.opaque(LengthPrefix::U8, &self.nonce);
        w.opaque(LengthPrefix::U16, &self.ticket);
        self.extensions.encode(w);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let lifetime = r.u32("ticket_lifetime")?;
        let age_add = r.u32("ticket_age_add")?;
        let nonce = r.opaque(NONCE)?;
        let ticket = r.opaque(TICKET13)?;
        EXTENSIONS.check(r.clone().length(LengthPrefix::U16, EXTENSIONS.what)?)?;
        let extensions = Extensions::read(r, ExtensionContext::NewSessionTicket)?;
        Ok(Self {
            lifetime,
            age_add,
            nonce,
            ticket,
            extensions,
        })
    }
}

/// TLS 1.2 NewSessionTicket (RFC 5077 §3.3).
///
/// ```text
/// struct {
///     uint32 ticket_lifetime_hint;
///     opaque ticket<0..2^16-1>;
/// } NewSessionTicket;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicketTls12 {
    /// Seconds; 0 means unspecified (RFC 5077 §3.3).
    pub lifetime_hint: u32,
    pub ticket: Bytes,
}

impl Codec for NewSessionTicketTls12 {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u32(self.lifetime_hint);
        w.opaque(LengthPrefix::U16, &self.ticket);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            lifetime_hint: r.u32("ticket_lifetime_hint")?,
            ticket: r.opaque(TICKET12)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;
    use crate::msgs::handshake::arb;
    use proptest::prelude::*;

    #[test]
    fn tls13_ticket_may_not_be_empty() {
        let bytes = [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0];
        let e = NewSessionTicketTls13::from_bytes(&bytes).unwrap_err();
        assert!(matches!(e, InvalidMessage::LengthOutOfRange { .. }));
        assert_eq!(e.alert(), AlertDescription::DecodeError);
        let ok = [0, 0, 0, 1, 0, 0, 0, 2, 1, 9, 0, 1, 7, 0, 0];
        let t = NewSessionTicketTls13::from_bytes(&ok).unwrap();
        assert_eq!((t.lifetime, t.age_add), (1, 2));
        assert_eq!(t.nonce.0, [9]);
        assert_eq!(t.ticket.0, [7]);
    }

    #[test]
    fn tls13_extensions_ceiling_is_2_16_minus_2() {
        let mut bytes = vec![0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 7, 0xff, 0xff];
        bytes.extend(std::iter::repeat_n(0, 0xffff));
        assert!(matches!(
            NewSessionTicketTls13::from_bytes(&bytes),
            Err(InvalidMessage::LengthOutOfRange { len: 0xffff, .. })
        ));
    }

    #[test]
    fn tls12_ticket_may_be_empty() {
        let t = NewSessionTicketTls12::from_bytes(&[0, 0, 1, 0, 0, 0]).unwrap();
        assert_eq!(t.lifetime_hint, 256);
        assert!(t.ticket.is_empty());
    }

    proptest! {
        #[test]
        fn tls13_round_trip(m in arb::new_session_ticket13()) {
            prop_assert_eq!(NewSessionTicketTls13::from_bytes(&m.to_bytes()).unwrap(), m);
        }

        #[test]
        fn tls12_round_trip(m in arb::new_session_ticket12()) {
            prop_assert_eq!(NewSessionTicketTls12::from_bytes(&m.to_bytes()).unwrap(), m);
        }
    }
}

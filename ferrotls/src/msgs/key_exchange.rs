//! TLS 1.2 ServerKeyExchange and ClientKeyExchange (RFC 5246 §7.4.3,
//! §7.4.7; RFC 8422 §5.4, §5.7 for ECDHE).
//!
//! Both bodies depend on the key exchange the cipher suite selected, which
//! the message itself does not name, so decoding takes a [`KeyExchangeKind`].

use core::fmt;

use crate::codec::{Bytes, Codec, LengthPrefix, Reader, VecSpec, Writer};
use crate::error::InvalidMessage;
use crate::msgs::certificate_verify::DigitallySigned;
use crate::msgs::enums::{EcCurveType, NamedGroup};

/// RFC 8422 §5.4: `opaque point <1..2^8-1>` (ECPoint).
const EC_POINT: VecSpec = VecSpec::opaque("ECPoint", 1, 0xff);
/// RFC 5246 §7.4.3: `opaque dh_p<1..2^16-1>`.
const DH_P: VecSpec = VecSpec::opaque("dh_p", 1, 0xffff);
/// RFC 5246 §7.4.3: `opaque dh_g<1..2^16-1>`.
const DH_G: VecSpec = VecSpec::opaque("dh_g", 1, 0xffff);
/// RFC 5246 §7.4.3: `opaque dh_Ys<1..2^16-1>`.
const DH_YS: VecSpec = VecSpec::opaque("dh_Ys", 1, 0xffff);
/// RFC 5246 §7.4.7.2: `opaque dh_Yc<1..2^16-1>`.
const DH_YC: VecSpec = VecSpec::opaque("dh_Yc", 1, 0xffff);
/// RFC 5246 §7.4.7.1: the encrypted PreMasterSecret carries a two-byte
/// length in TLS 1.0 and later: `<0..2^16-1>`.
const ENCRYPTED_PMS: VecSpec = VecSpec::opaque("EncryptedPreMasterSecret", 0, 0xffff);

/// The key exchange of a TLS 1.2 cipher suite, which fixes the shape of
/// ServerKeyExchange and ClientKeyExchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyExchangeKind {
    /// ECDHE_RSA / ECDHE_ECDSA (RFC 8422).
    Ecdhe,
    /// DHE_RSA (RFC 5246, groups per RFC 7919).
    Dhe,
    /// Static RSA key transport: no ServerKeyExchange (RFC 5246 §7.4.3).
    Rsa,
}

/// RFC 8422 §5.4.
///
/// ```text
/// struct {
///     ECParameters    curve_params;   /* curve_type named_curve(3), NamedCurve */
///     ECPoint         public;         /* opaque point <1..2^8-1> */
/// } ServerECDHParams;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerEcdhParams {
    pub group: NamedGroup,
    pub public: Bytes,
}

impl Codec for ServerEcdhParams {
    fn encode(&self, w: &mut Writer<'_>) {
        EcCurveType::NamedCurve.encode(w);
        self.group.encode(w);
        w.opaque(LengthPrefix::U8, &self.public);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        // RFC 8422 §5.4: the explicit curve types are deprecated and
        // "named_curve ... is now the only remaining format"; any other
        // value leaves nothing this library can use.
        if EcCurveType::read(r)? != EcCurveType::NamedCurve {
            return Err(InvalidMessage::IllegalParameter {
                what: "ECCurveType (only named_curve is allowed)",
            });
        }
        Ok(Self {
            group: NamedGroup::read(r)?,
            public: r.opaque(EC_POINT)?,
        })
    }
}

/// RFC 5246 §7.4.3.
///
/// ```text
/// struct {
///     opaque dh_p<1..2^16-1>;
///     opaque dh_g<1..2^16-1>;
///     opaque dh_Ys<1..2^16-1>;
/// } ServerDHParams;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerDhParams {
    pub p: Bytes,
    pub g: Bytes,
    pub ys: Bytes,
}

impl Codec for ServerDhParams {
    fn encode(&self, w: &mut Writer<'_>) {
        w.opaque(LengthPrefix::U16, &self.p);
        w.opaque(LengthPrefix::U16, &self.g);
        w.opaque(LengthPrefix::U16, &self.ys);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            p: r.opaque(DH_P)?,
            g: r.opaque(DH_G)?,
            ys: r.opaque(DH_YS)?,
        })
    }
}

/// The signed part of a ServerKeyExchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerKeyExchangeParams {
    Ecdhe(ServerEcdhParams),
    Dhe(ServerDhParams),
}

impl ServerKeyExchangeParams {
    pub fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::Ecdhe(p) => p.encode(w),
            Self::Dhe(p) => p.encode(w),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut Writer::new(&mut out));
        out
    }
}

/// TLS 1.2 ServerKeyExchange for ECDHE and DHE suites.
///
/// ```text
/// struct {
///     select (KeyExchangeAlgorithm) {
///         case ec_diffie_hellman: ServerECDHParams params;   /* RFC 8422 §5.4 */
///         case dhe_rsa:           ServerDHParams params;     /* RFC 5246 §7.4.3 */
///     };
///     digitally-signed struct { ... } signed_params;
/// } ServerKeyExchange;
/// ```
///
/// The signature covers `client_random + server_random + params` with the
/// params exactly as sent, so the encoded params are kept with the message
/// ([`ServerKeyExchange::signed_message`]).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerKeyExchange {
    params: ServerKeyExchangeParams,
    /// The params' bytes as received (or as encoded when built locally).
    params_bytes: Bytes,
    signature: DigitallySigned,
}

impl ServerKeyExchange {
    /// A message to send; `signature` must cover [`Self::signed_message`].
    pub fn new(params: ServerKeyExchangeParams, signature: DigitallySigned) -> Self {
        let params_bytes = Bytes(params.to_bytes());
        Self {
            params,
            params_bytes,
            signature,
        }
    }

    /// Reads the body for the suite's key exchange. Static RSA suites have
    /// no ServerKeyExchange (RFC 5246 §7.4.3: "It is not legal to send the
    /// server key exchange message for ... RSA"), so one arriving there is
    /// an `unexpected_message`.
    pub fn read(r: &mut Reader<'_>, kx: KeyExchangeKind) -> Result<Self, InvalidMessage> {
        let start = r.rest();
        let params = match kx {
            KeyExchangeKind::Ecdhe => ServerKeyExchangeParams::Ecdhe(ServerEcdhParams::read(r)?),
            KeyExchangeKind::Dhe => ServerKeyExchangeParams::Dhe(ServerDhParams::read(r)?),
            KeyExchangeKind::Rsa => {
                return Err(InvalidMessage::UnexpectedMessage {
                    what: "ServerKeyExchange for a static RSA suite",
                })
            }
        };
        let used = start.len().saturating_sub(r.left());
        let params_bytes = Bytes::from(start.get(..used).unwrap_or_default());
        let signature = DigitallySigned::read(r)?;
        Ok(Self {
            params,
            params_bytes,
            signature,
        })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        self.params.encode(w);
        self.signature.encode(w);
    }

    pub fn params(&self) -> &ServerKeyExchangeParams {
        &self.params
    }

    pub fn signature(&self) -> &DigitallySigned {
        &self.signature
    }

    /// The params exactly as they appear in the message.
    pub fn signed_params(&self) -> &[u8] {
        &self.params_bytes
    }

    /// What the signature covers (RFC 5246 §7.4.3, RFC 8422 §5.4):
    /// `ClientHello.random + ServerHello.random + params`.
    pub fn signed_message(&self, client_random: &[u8; 32], server_random: &[u8; 32]) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.params_bytes.len());
        out.extend_from_slice(client_random);
        out.extend_from_slice(server_random);
        out.extend_from_slice(&self.params_bytes);
        out
    }
}

impl fmt::Debug for ServerKeyExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerKeyExchange")
            .field("params", &self.params)
            .field("signature", &self.signature)
            .finish()
    }
}

/// TLS 1.2 ClientKeyExchange (RFC 5246 §7.4.7, RFC 8422 §5.7).
///
/// Only the explicit public value forms: fixed (EC)DH client certificates,
/// whose ClientKeyExchange would be empty, are not supported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientKeyExchange {
    /// RFC 8422 §5.7: `ECPoint ecdh_Yc` (`opaque point <1..2^8-1>`).
    Ecdhe { public: Bytes },
    /// RFC 5246 §7.4.7.2: `opaque dh_Yc<1..2^16-1>`.
    Dhe { public: Bytes },
    /// RFC 5246 §7.4.7.1: the RSA-encrypted PreMasterSecret.
    Rsa { encrypted_pre_master_secret: Bytes },
}

impl ClientKeyExchange {
    pub fn read(r: &mut Reader<'_>, kx: KeyExchangeKind) -> Result<Self, InvalidMessage> {
        Ok(match kx {
            KeyExchangeKind::Ecdhe => Self::Ecdhe {
                public: r.opaque(EC_POINT)?,
            },
            KeyExchangeKind::Dhe => Self::Dhe {
                public: r.opaque(DH_YC)?,
            },
            KeyExchangeKind::Rsa => Self::Rsa {
                encrypted_pre_master_secret: r.opaque(ENCRYPTED_PMS)?,
            },
        })
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::Ecdhe { public } => w.opaque(LengthPrefix::U8, public),
            Self::Dhe { public } => w.opaque(LengthPrefix::U16, public),
            Self::Rsa {
                encrypted_pre_master_secret,
            } => w.opaque(LengthPrefix::U16, encrypted_pre_master_secret),
        }
    }

    /// The key exchange this message belongs to.
    pub fn kind(&self) -> KeyExchangeKind {
        match self {
            Self::Ecdhe { .. } => KeyExchangeKind::Ecdhe,
            Self::Dhe { .. } => KeyExchangeKind::Dhe,
            Self::Rsa { .. } => KeyExchangeKind::Rsa,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::{AlertDescription, SignatureScheme};
    use crate::msgs::handshake::arb;
    use proptest::prelude::*;

    fn read_ske(bytes: &[u8], kx: KeyExchangeKind) -> Result<ServerKeyExchange, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let m = ServerKeyExchange::read(&mut r, kx)?;
        r.finish("ServerKeyExchange")?;
        Ok(m)
    }

    #[test]
    fn ecdhe_params_are_kept_for_the_signature() {
        let bytes = [3, 0, 0x1d, 2, 0xaa, 0xbb, 0x04, 0x03, 0, 1, 0x55];
        let ske = read_ske(&bytes, KeyExchangeKind::Ecdhe).unwrap();
        assert_eq!(ske.signed_params(), &bytes[..6]);
        assert_eq!(
            ske.params(),
            &ServerKeyExchangeParams::Ecdhe(ServerEcdhParams {
                group: NamedGroup::X25519,
                public: Bytes::new([0xaa, 0xbb]),
            })
        );
        assert_eq!(
            ske.signature().scheme,
            SignatureScheme::EcdsaSecp256r1Sha256
        );
        let msg = ske.signed_message(&[1; 32], &[2; 32]);
        assert_eq!(&msg[..32], &[1; 32]);
        assert_eq!(&msg[32..64], &[2; 32]);
        assert_eq!(&msg[64..], &bytes[..6]);
    }

    #[test]
    fn explicit_curves_are_illegal_parameter() {
        for curve_type in [1u8, 2, 0, 255] {
            let bytes = [curve_type, 0, 0x1d, 1, 0xaa, 0x04, 0x03, 0, 0];
            let e = read_ske(&bytes, KeyExchangeKind::Ecdhe).unwrap_err();
            assert_eq!(e.alert(), AlertDescription::IllegalParameter);
        }
    }

    #[test]
    fn empty_public_values_are_decode_error() {
        let e = read_ske(&[3, 0, 0x1d, 0, 4, 3, 0, 0], KeyExchangeKind::Ecdhe).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::DecodeError);
        let e = read_ske(&[0, 1, 2, 0, 1, 2, 0, 0, 4, 1, 0, 0], KeyExchangeKind::Dhe).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::DecodeError);
        let e =
            ClientKeyExchange::read(&mut Reader::new(&[0]), KeyExchangeKind::Ecdhe).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::DecodeError);
    }

    #[test]
    fn rsa_suites_have_no_server_key_exchange() {
        let e = read_ske(&[3, 0, 0x1d, 1, 1, 4, 3, 0, 0], KeyExchangeKind::Rsa).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::UnexpectedMessage);
    }

    proptest! {
        #[test]
        fn server_key_exchange_round_trip(m in arb::server_key_exchange()) {
            let kx = match m.params() {
                ServerKeyExchangeParams::Ecdhe(_) => KeyExchangeKind::Ecdhe,
                ServerKeyExchangeParams::Dhe(_) => KeyExchangeKind::Dhe,
            };
            let mut out = Vec::new();
            m.encode(&mut Writer::new(&mut out));
            prop_assert_eq!(read_ske(&out, kx).unwrap(), m);
        }

        #[test]
        fn client_key_exchange_round_trip(m in arb::client_key_exchange()) {
            let mut out = Vec::new();
            m.encode(&mut Writer::new(&mut out));
            let mut r = Reader::new(&out);
            prop_assert_eq!(ClientKeyExchange::read(&mut r, m.kind()).unwrap(), m);
            prop_assert!(r.is_empty());
        }
    }
}

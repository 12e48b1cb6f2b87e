//! Declares the wire enumerations of TLS (RFC 8446 §3.5).
//!
//! Every enum gets an `Unknown(repr)` arm: values this implementation does
//! not know, GREASE (RFC 8701) among them, are kept and round-trip (§3.5:
//! "Implementations need to be able to parse and ignore unknown values").
//! Equality and hashing go by the wire value, so `Unknown(0x1301)` equals
//! the named suite it stands for.

/// `wire_enum! { pub enum Name: u16 ("what") { Variant = 0x0001 => "iana_name", ... } }`
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $repr:ident {
            $( $(#[$vmeta:meta])* $var:ident = $val:literal => $iana:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy)]
        pub enum $name {
            $( $(#[$vmeta])* $var, )*
            /// A value not named here (unassigned, GREASE or newer than this library).
            Unknown($repr),
        }

        impl $name {
            /// Every value with a name, in declaration order.
            pub const ALL: &'static [Self] = &[ $( Self::$var, )* ];

            /// The value on the wire.
            pub const fn to_wire(self) -> $repr {
                match self {
                    $( Self::$var => $val, )*
                    Self::Unknown(v) => v,
                }
            }

            /// The enum value for a wire value; unnamed values become `Unknown`.
            pub const fn from_wire(v: $repr) -> Self {
                match v {
                    $( $val => Self::$var, )*
                    other => Self::Unknown(other),
                }
            }

            /// The IANA registry name, if the value has one here.
            pub const fn iana_name(self) -> Option<&'static str> {
                match Self::from_wire(self.to_wire()) {
                    $( Self::$var => Some($iana), )*
                    Self::Unknown(_) => None,
                }
            }

            /// Whether the value is named here (not `Unknown`).
            pub const fn is_known(self) -> bool {
                self.iana_name().is_some()
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.to_wire() == other.to_wire()
            }
        }

        impl Eq for $name {}

        impl core::hash::Hash for $name {
            fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
                self.to_wire().hash(state);
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self::from_wire(v)
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                v.to_wire()
            }
        }

        /// Debug shows the IANA name and the wire value, as traces want them.
        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.iana_name() {
                    Some(name) => write!(f, "{name}(0x{:x})", self.to_wire()),
                    None => write!(f, "Unknown(0x{:x})", self.to_wire()),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.iana_name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "unknown(0x{:x})", self.to_wire()),
                }
            }
        }

        impl $crate::codec::Codec for $name {
            fn encode(&self, w: &mut $crate::codec::Writer<'_>) {
                w.$repr(self.to_wire());
            }

            fn read(
                r: &mut $crate::codec::Reader<'_>,
            ) -> Result<Self, $crate::error::InvalidMessage> {
                Ok(Self::from_wire(r.$repr(stringify!($name))?))
            }
        }
    };
}

pub(crate) use wire_enum;

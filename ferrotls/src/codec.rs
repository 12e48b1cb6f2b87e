//! The TLS presentation language on the wire (RFC 8446 §3).
//!
//! [`Reader`] is a cursor over a borrowed slice: every read returns a
//! `Result`, never reads past its slice and never panics. Variable-length
//! vectors carry their RFC bounds (`<floor..ceiling>`, §3.4) as data, so a
//! length outside them is a `decode_error` at the point it is read.
//! [`Writer`] appends to a `Vec<u8>`; length prefixes are written as
//! placeholders and patched once the body is known.

use core::fmt;

use crate::error::InvalidMessage;

/// Width of a vector's length prefix: as many bytes as the vector's ceiling
/// needs (RFC 8446 §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthPrefix {
    U8,
    U16,
    U24,
}

impl LengthPrefix {
    const fn width(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16 => 2,
            Self::U24 => 3,
        }
    }

    const fn max(self) -> usize {
        match self {
            Self::U8 => 0xff,
            Self::U16 => 0xffff,
            Self::U24 => 0xff_ffff,
        }
    }
}

/// The RFC's declaration of a variable-length vector: `T name<floor..ceiling>`.
///
/// `elem` is the encoded size of one element when it is fixed (2 for a
/// `uint16` list); the byte length must then be a multiple of it (§3.4:
/// "a 17-byte vector of uint16 would be illegal").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VecSpec {
    /// Name of the field, used in error messages.
    pub what: &'static str,
    pub prefix: LengthPrefix,
    pub floor: usize,
    pub ceiling: usize,
    pub elem: usize,
}

impl VecSpec {
    /// `opaque name<floor..ceiling>`, with the prefix width taken from the ceiling.
    pub const fn opaque(what: &'static str, floor: usize, ceiling: usize) -> Self {
        Self::of(what, floor, ceiling, 1)
    }

    /// `T name<floor..ceiling>` for elements of `elem` bytes each
    /// (`elem` = 1 for elements of varying size).
    pub const fn of(what: &'static str, floor: usize, ceiling: usize, elem: usize) -> Self {
        let prefix = if ceiling <= 0xff {
            LengthPrefix::U8
        } else if ceiling <= 0xffff {
            LengthPrefix::U16
        } else {
            LengthPrefix::U24
        };
        Self {
            what,
            prefix,
            floor,
            ceiling,
            elem,
        }
    }

    /// Whether `len` bytes are a legal body for this vector.
    pub fn check(&self, len: usize) -> Result<(), InvalidMessage> {
        if len < self.floor || len > self.ceiling {
            return Err(InvalidMessage::LengthOutOfRange {
                what: self.what,
                len,
                floor: self.floor,
                ceiling: self.ceiling,
            });
        }
        if self.elem > 1 && len % self.elem != 0 {
            return Err(InvalidMessage::LengthNotMultiple {
                what: self.what,
                len,
                elem: self.elem,
            });
        }
        Ok(())
    }
}

/// A cursor over received bytes. Reads never go past the slice.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// How many bytes are left.
    pub fn left(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub fn is_empty(&self) -> bool {
        self.left() == 0
    }

    /// How many bytes have been read so far.
    pub fn used(&self) -> usize {
        self.pos
    }

    /// Takes exactly `n` bytes, or fails with `Truncated` naming `what`.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(InvalidMessage::Truncated { what })?;
        let out = self
            .buf
            .get(self.pos..end)
            .ok_or(InvalidMessage::Truncated { what })?;
        self.pos = end;
        Ok(out)
    }

    /// Takes everything that is left.
    pub fn take_rest(&mut self) -> &'a [u8] {
        let out = self.rest();
        self.pos = self.buf.len();
        out
    }

    /// Takes a fixed-size array (e.g. `opaque Random[32]`).
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], InvalidMessage> {
        let bytes = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, InvalidMessage> {
        let [b] = self.array::<1>(what)?;
        Ok(b)
    }

    pub fn u16(&mut self, what: &'static str) -> Result<u16, InvalidMessage> {
        Ok(u16::from_be_bytes(self.array::<2>(what)?))
    }

    pub fn u24(&mut self, what: &'static str) -> Result<u32, InvalidMessage> {
        let [a, b, c] = self.array::<3>(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32, InvalidMessage> {
        Ok(u32::from_be_bytes(self.array::<4>(what)?))
    }

    /// Reads a length prefix of the given width.
    pub fn length(
        &mut self,
        prefix: LengthPrefix,
        what: &'static str,
    ) -> Result<usize, InvalidMessage> {
        let len = match prefix {
            LengthPrefix::U8 => u32::from(self.u8(what)?),
            LengthPrefix::U16 => u32::from(self.u16(what)?),
            LengthPrefix::U24 => self.u24(what)?,
        };
        usize::try_from(len).map_err(|_| InvalidMessage::Truncated { what })
    }

    /// Reads a length-prefixed vector declared by `spec` and returns a reader
    /// over exactly its body. The length must lie within the RFC bounds and
    /// be a multiple of the element size.
    pub fn vec(&mut self, spec: VecSpec) -> Result<Reader<'a>, InvalidMessage> {
        let len = self.length(spec.prefix, spec.what)?;
        spec.check(len)?;
        Ok(Reader::new(self.take(len, spec.what)?))
    }

    /// Reads an `opaque name<floor..ceiling>` vector and copies its bytes.
    pub fn opaque(&mut self, spec: VecSpec) -> Result<Bytes, InvalidMessage> {
        Ok(Bytes(self.vec(spec)?.take_rest().to_vec()))
    }

    /// Reads a vector of `T` declared by `spec`, decoding each element with
    /// `read_elem` until the body is used up.
    pub fn list<T>(
        &mut self,
        spec: VecSpec,
        mut read_elem: impl FnMut(&mut Reader<'a>) -> Result<T, InvalidMessage>,
    ) -> Result<Vec<T>, InvalidMessage> {
        let mut body = self.vec(spec)?;
        let mut out = Vec::new();
        while !body.is_empty() {
            out.push(read_elem(&mut body)?);
        }
        Ok(out)
    }

    /// Reads a vector of `T: Codec` declared by `spec`.
    pub fn codec_list<T: Codec>(&mut self, spec: VecSpec) -> Result<Vec<T>, InvalidMessage> {
        self.list(spec, T::read)
    }

    /// Fails with `TrailingBytes` unless everything was read: a structure
    /// must use its whole enclosing vector or message.
    pub fn finish(&self, what: &'static str) -> Result<(), InvalidMessage> {
        match self.left() {
            0 => Ok(()),
            extra => Err(InvalidMessage::TrailingBytes { what, extra }),
        }
    }
}

/// Appends encoded values to a buffer.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> Writer<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Self {
        Self { buf }
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn u24(&mut self, v: u32) {
        let [_, a, b, c] = v.to_be_bytes();
        self.buf.extend_from_slice(&[a, b, c]);
    }

    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }

    /// Bytes written so far into the underlying buffer.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Writes a length-prefixed vector: `body` writes the contents, and the
    /// prefix is patched afterwards. A body longer than the prefix can hold
    /// is a bug in the caller; the prefix then saturates (and the peer will
    /// reject the message) rather than panicking.
    pub fn vec(&mut self, prefix: LengthPrefix, body: impl FnOnce(&mut Writer<'_>)) {
        let start = self.buf.len();
        self.buf.resize(start + prefix.width(), 0);
        body(&mut Writer::new(self.buf));
        let len = (self.buf.len() - start - prefix.width()).min(prefix.max());
        let be = (len as u32).to_be_bytes();
        let width = prefix.width();
        if let (Some(dst), Some(src)) =
            (self.buf.get_mut(start..start + width), be.get(4 - width..))
        {
            dst.copy_from_slice(src);
        }
    }

    /// Writes `opaque<..>` with the given prefix width.
    pub fn opaque(&mut self, prefix: LengthPrefix, v: &[u8]) {
        self.vec(prefix, |w| w.bytes(v));
    }

    /// Writes a vector of `Codec` values with the given prefix width.
    pub fn codec_list<T: Codec>(&mut self, prefix: LengthPrefix, items: &[T]) {
        self.vec(prefix, |w| {
            for item in items {
                item.encode(w);
            }
        });
    }
}

/// A value with one wire encoding.
pub trait Codec: Sized {
    fn encode(&self, w: &mut Writer<'_>);

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage>;

    /// Encodes into a fresh vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut Writer::new(&mut out));
        out
    }

    /// Decodes a value that must use all of `bytes`.
    fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.finish(core::any::type_name::<Self>())?;
        Ok(v)
    }
}

impl Codec for u8 {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(*self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        r.u8("u8")
    }
}

impl Codec for u16 {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u16(*self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        r.u16("u16")
    }
}

/// Opaque bytes from the wire. `Debug` prints them as hex so decoded
/// messages read well in traces and in `ferrotls inspect`.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    pub fn new(v: impl Into<Vec<u8>>) -> Self {
        Self(v.into())
    }
}

impl core::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Self(v.to_vec())
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.0.len())?;
        if !self.0.is_empty() {
            f.write_str(" ")?;
        }
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        // Names (SNI, ALPN, ...) are easier to recognise as text.
        if self.0.len() >= 2 && self.0.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            write!(f, " {:?}", String::from_utf8_lossy(&self.0))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: VecSpec = VecSpec::of("list", 2, 0xfffe, 2);

    #[test]
    fn integers_round_trip() {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out);
        w.u8(1);
        w.u16(0x0203);
        w.u24(0x040506);
        w.u32(0x0708090a);
        assert_eq!(out, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        let mut r = Reader::new(&out);
        assert_eq!(r.u8("a").unwrap(), 1);
        assert_eq!(r.u16("b").unwrap(), 0x0203);
        assert_eq!(r.u24("c").unwrap(), 0x040506);
        assert_eq!(r.u32("d").unwrap(), 0x0708090a);
        r.finish("all").unwrap();
    }

    #[test]
    fn reads_past_end_are_truncated_errors() {
        let mut r = Reader::new(&[1, 2]);
        assert_eq!(
            r.u24("field"),
            Err(InvalidMessage::Truncated { what: "field" })
        );
        assert_eq!(
            r.take(usize::MAX, "huge"),
            Err(InvalidMessage::Truncated { what: "huge" })
        );
        // A failed read consumes nothing.
        assert_eq!(r.u16("again").unwrap(), 0x0102);
    }

    #[test]
    fn vector_bounds_and_element_size_are_enforced() {
        // Empty where the floor forbids it.
        assert!(matches!(
            Reader::new(&[0, 0]).vec(LIST),
            Err(InvalidMessage::LengthOutOfRange { len: 0, .. })
        ));
        // Odd length for a uint16 list.
        assert!(matches!(
            Reader::new(&[0, 3, 1, 2, 3]).vec(LIST),
            Err(InvalidMessage::LengthNotMultiple {
                len: 3,
                elem: 2,
                ..
            })
        ));
        // Length beyond the data.
        assert!(matches!(
            Reader::new(&[0, 4, 1, 2]).vec(LIST),
            Err(InvalidMessage::Truncated { .. })
        ));
        let items: Vec<u16> = Reader::new(&[0, 4, 1, 2, 3, 4]).codec_list(LIST).unwrap();
        assert_eq!(items, [0x0102, 0x0304]);
    }

    #[test]
    fn writer_patches_prefixes() {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out);
        w.vec(LengthPrefix::U24, |w| {
            w.opaque(LengthPrefix::U8, b"ab");
            w.codec_list(LengthPrefix::U16, &[7u16, 8]);
        });
        assert_eq!(out, [0, 0, 9, 2, b'a', b'b', 0, 4, 0, 7, 0, 8]);
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        assert_eq!(
            u16::from_bytes(&[1, 2, 3]),
            Err(InvalidMessage::TrailingBytes {
                what: "u16",
                extra: 1
            })
        );
    }
}

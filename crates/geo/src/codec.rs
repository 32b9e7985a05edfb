//! The compact byte forms the database keeps for the geo crate (the basemap's levels, a real
//! city's walking inputs): protobuf's varints and zigzag for numbers, coordinates as fixed-point
//! differences from the previous one, strings as a length and UTF-8. Reading checks every
//! length against the bytes left, so a truncated or corrupted value is an error, not a panic.

/// Appends `v` as a protobuf varint (7 bits a byte, low first).
pub(crate) fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Maps a signed number to an unsigned one with small magnitudes small (protobuf's zigzag).
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The inverse of [`zigzag`].
pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends a string as its length and its UTF-8 bytes.
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Reads a stored value from the front, failing on truncated or oversized parts.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or("truncated")?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    pub(crate) fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err("a number longer than 64 bits".into())
    }

    /// A signed number written as a zigzag varint.
    pub(crate) fn signed(&mut self) -> Result<i64, String> {
        Ok(unzigzag(self.varint()?))
    }

    /// A number that must fit 32 bits.
    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        let v = self.varint()?;
        u32::try_from(v).map_err(|_| format!("{v} does not fit 32 bits"))
    }

    /// A count, which cannot exceed the bytes left (each item takes at least one).
    pub(crate) fn count(&mut self) -> Result<usize, String> {
        let n = self.varint()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.left())
            .ok_or_else(|| format!("a count of {n} with {} bytes left", self.left()))
    }

    /// A string written by [`string`].
    pub(crate) fn string(&mut self) -> Result<&'a str, String> {
        let len = self.count()?;
        std::str::from_utf8(self.take(len)?).map_err(|e| format!("a string is not UTF-8: {e}"))
    }

    /// Bytes not read yet.
    pub(crate) fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// Fails when bytes are left over (a value longer than its form says).
    pub(crate) fn finish(&self) -> Result<(), String> {
        match self.left() {
            0 => Ok(()),
            n => Err(format!("{n} bytes left over")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_read_back_and_truncation_is_an_error() {
        let mut out = Vec::new();
        for v in [0u64, 1, 127, 128, 300, u64::MAX] {
            varint(&mut out, v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            varint(&mut out, zigzag(v));
        }
        string(&mut out, "示例市");
        let mut r = Reader::new(&out);
        for v in [0u64, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(r.varint().unwrap(), v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(r.signed().unwrap(), v);
        }
        assert_eq!(r.string().unwrap(), "示例市");
        r.finish().unwrap();

        let cut = &out[..out.len() - 2];
        let mut r = Reader::new(cut);
        for _ in 0..11 {
            r.varint().unwrap();
        }
        assert!(r.string().unwrap_err().contains("count of 9"));
        assert_eq!(Reader::new(&[0x80]).varint().unwrap_err(), "truncated");
    }
}

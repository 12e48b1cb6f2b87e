//! Hex input as people paste it: `16 03 01`, `16:03:01`, `0x16, 0x03`, or
//! one long run, across lines.

use std::io::Read;

/// Reads `arg` as hex, or stdin when `arg` is `-`.
pub fn read(arg: &str) -> Result<Vec<u8>, String> {
    if arg == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("reading stdin: {e}"))?;
        parse(&text)
    } else {
        parse(arg)
    }
}

/// Parses hex digits, ignoring separators and `0x` prefixes.
pub fn parse(text: &str) -> Result<Vec<u8>, String> {
    let mut digits = String::with_capacity(text.len());
    for token in text.split(|c: char| c.is_whitespace() || c == ':' || c == ',') {
        let token = token
            .strip_prefix("0x")
            .or_else(|| token.strip_prefix("0X"))
            .unwrap_or(token);
        if let Some(bad) = token.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(format!("{bad:?} is not a hex digit"));
        }
        digits.push_str(token);
    }
    if digits.is_empty() {
        return Err("no hex bytes given".into());
    }
    hex::decode(&digits).map_err(|e| format!("bad hex: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        assert_eq!(parse("16 03 01").unwrap(), [0x16, 3, 1]);
        assert_eq!(parse("16:03:01\n00").unwrap(), [0x16, 3, 1, 0]);
        assert_eq!(parse("0x16, 0x03").unwrap(), [0x16, 3]);
        assert_eq!(parse("160301").unwrap(), [0x16, 3, 1]);
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("zz").is_err());
        assert!(parse("123").is_err());
        assert!(parse("  ").is_err());
    }
}

//! Sizes in config: a plain number of bytes (`10485760`) or a number with a unit
//! (`10MB`, `16MiB`, `512 KiB`, `1.5GB`).
//!
//! Units: `B`; `KB`, `MB`, `GB`, `TB` are powers of 1000 (as disk and network sizes are
//! counted); `KiB`, `MiB`, `GiB`, `TiB` are powers of 1024. Units are case-insensitive
//! (`10mb` is `10MB`), so a newcomer's `10Mb` is not refused over a capital letter.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number of bytes written as people write sizes in YAML.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Size(pub u64);

impl Size {
    pub const fn bytes(n: u64) -> Self {
        Size(n)
    }
    pub const fn kib(n: u64) -> Self {
        Size(n << 10)
    }
    pub const fn mib(n: u64) -> Self {
        Size(n << 20)
    }
    pub const fn gib(n: u64) -> Self {
        Size(n << 30)
    }
    /// The number of bytes.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl From<Size> for u64 {
    fn from(s: Size) -> Self {
        s.0
    }
}

/// Why a size string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid size {0:?}: expected bytes or a number with a unit, e.g. 10485760, 10MB, 16MiB, 512KiB (KB/MB/GB = 1000^n, KiB/MiB/GiB = 1024^n){hint}",
    hint = unit_hint(.0)
)]
pub struct ParseSizeError(String);

/// `10M` or `10k`: the unit without its `B`, which could be either family.
fn unit_hint(s: &str) -> String {
    let t = s.trim();
    let Some(last) = t.chars().last() else {
        return String::new();
    };
    let number = t[..t.len() - last.len_utf8()].trim();
    let is_number = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if is_number && "kKmMgGtT".contains(last) {
        let u = last.to_ascii_uppercase();
        format!(" (did you mean {number}{u}B or {number}{u}iB?)")
    } else {
        String::new()
    }
}

/// The multiplier of a unit, case-insensitively; `None` for an unknown unit.
fn unit_multiplier(unit: &str) -> Option<u64> {
    let m = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return None,
    };
    Some(m)
}

impl FromStr for Size {
    type Err = ParseSizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseSizeError(s.to_string());
        let t = s.trim();
        let int_len = t.bytes().take_while(|b| b.is_ascii_digit()).count();
        if int_len == 0 {
            return Err(err());
        }
        let (int, rest) = t.split_at(int_len);
        // An optional fraction (`1.5GB`), kept exact as digits over a power of ten.
        let (frac, rest) = match rest.strip_prefix('.') {
            Some(r) => {
                let n = r.bytes().take_while(|b| b.is_ascii_digit()).count();
                if n == 0 || n > 9 {
                    return Err(err());
                }
                r.split_at(n)
            }
            None => ("", rest),
        };
        let mult = unit_multiplier(rest.trim()).ok_or_else(err)?;
        let digits: u128 = format!("{int}{frac}").parse().map_err(|_| err())?;
        let scale = 10u128.pow(frac.len() as u32);
        let total = digits.checked_mul(u128::from(mult)).ok_or_else(err)?;
        // A fraction must come out as whole bytes (`1.5B` means nothing).
        if total % scale != 0 {
            return Err(err());
        }
        u64::try_from(total / scale).map(Size).map_err(|_| err())
    }
}

impl fmt::Display for Size {
    /// The largest binary unit that divides the size exactly (`16MiB`), else bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] {
            let size = 1u64 << shift;
            if b >= size && b.is_multiple_of(size) {
                return write!(f, "{}{unit}", b >> shift);
            }
        }
        write!(f, "{b}B")
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A YAML integer or a string; anything else gets the size error, which names the
        // accepted forms (an untagged enum would only say "did not match any variant").
        let v = serde_json::Value::deserialize(d)?;
        match &v {
            serde_json::Value::Number(n) => n
                .as_u64()
                .map(Size)
                .ok_or_else(|| serde::de::Error::custom(ParseSizeError(n.to_string()).to_string())),
            serde_json::Value::String(s) => s.parse().map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(
                ParseSizeError(other.to_string()).to_string(),
            )),
        }
    }
}

impl Serialize for Size {
    /// As a plain number of bytes, which every reader understands.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl JsonSchema for Size {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Size".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^ *[0-9]+(\\.[0-9]+)? *([kKmMgGtT][iI]?[bB]|[bB])? *$"}
            ],
            "description": "A size: bytes (10485760) or a number with a unit: B, KB/MB/GB/TB (powers of 1000), KiB/MiB/GiB/TiB (powers of 1024), e.g. 10MB, 16MiB"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_bytes_and_units() {
        let cases: &[(&str, u64)] = &[
            ("1024", 1024),
            ("0", 0),
            ("10MB", 10_000_000),
            ("10mb", 10_000_000),
            ("16MiB", 16 << 20),
            ("512 KiB", 512 << 10),
            ("1.5GB", 1_500_000_000),
            ("1.5KiB", 1536),
            ("2GiB", 2 << 30),
            ("7B", 7),
            (" 3 kb ", 3000),
        ];
        for (s, want) in cases {
            assert_eq!(s.parse::<Size>(), Ok(Size(*want)), "{s}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "MB",
            "-1",
            "10 megabytes",
            "1.5B",
            "1.",
            "10M",
            "99999999999TB",
        ] {
            assert!(bad.parse::<Size>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn a_unit_without_its_b_gets_a_hint() {
        let e = "10M".parse::<Size>().unwrap_err().to_string();
        assert!(e.ends_with("(did you mean 10MB or 10MiB?)"), "{e}");
        let e = "lots".parse::<Size>().unwrap_err().to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn deserializes_numbers_and_strings() {
        let v: Size = serde_json::from_value(serde_json::json!(4096)).unwrap();
        assert_eq!(v, Size(4096));
        let v: Size = serde_json::from_value(serde_json::json!("10MB")).unwrap();
        assert_eq!(v, Size(10_000_000));
        let e = serde_json::from_value::<Size>(serde_json::json!(-1)).unwrap_err();
        assert!(e.to_string().contains("invalid size"), "{e}");
        let e = serde_json::from_value::<Size>(serde_json::json!("lots")).unwrap_err();
        assert!(e.to_string().contains("16MiB"), "{e}");
    }

    #[test]
    fn displays_in_binary_units() {
        assert_eq!(Size::mib(16).to_string(), "16MiB");
        assert_eq!(Size::kib(1).to_string(), "1KiB");
        assert_eq!(Size(1000).to_string(), "1000B");
        assert_eq!(Size::gib(4).to_string(), "4GiB");
    }
}

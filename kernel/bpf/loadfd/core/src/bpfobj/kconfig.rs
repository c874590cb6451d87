// SPDX-License-Identifier: GPL-2.0

//! Reading `CONFIG_*` values out of a kernel `.config` text, for `.kconfig`
//! externs. The kernel glue hands in the running kernel's own `.config`
//! (embedded at build time); userspace tools can hand in any `.config`.

use crate::bpfobj::checkpoint::{Checkpoint, Ticker};
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::error::Error;
use crate::bpfobj::externs::KconfigValue;
use crate::bpfobj::sort;

/// Parses one value the way libbpf reads `.config`: `y`/`m`/`n` tristates,
/// `"quoted"` strings, and decimal, `0x` hex or `0` octal numbers.
fn parse_value(v: &[u8]) -> Option<KconfigValue<'_>> {
    match v {
        [c @ (b'y' | b'm' | b'n')] => return Some(KconfigValue::Tristate(*c)),
        [b'"', body @ .., b'"'] => return Some(KconfigValue::Str(body)),
        [b'"', ..] => return None,
        _ => {}
    }
    let (digits, radix) = if let Some(h) = v.strip_prefix(b"0x").or_else(|| v.strip_prefix(b"0X")) {
        (h, 16)
    } else if v.len() > 1 && v.first() == Some(&b'0') {
        (v.get(1..)?, 8)
    } else {
        (v, 10)
    };
    let (neg, digits) = match digits.strip_prefix(b"-") {
        Some(d) if radix == 10 => (true, d),
        _ => (false, digits),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &c in digits {
        let d = char::from(c).to_digit(radix)?;
        n = n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    // Negative numbers are stored two's complement, as strtoull does.
    Some(KconfigValue::Int(if neg { n.wrapping_neg() } else { n }))
}

/// The value of `name` (e.g. `CONFIG_BPF`) in the `.config` text `config`,
/// or `None` if it is not set (`# CONFIG_X is not set` or absent) or its
/// value cannot be parsed.
pub fn lookup<'c>(config: &'c [u8], name: &[u8]) -> Option<KconfigValue<'c>> {
    config.split(|&c| c == b'\n').find_map(|line| {
        let rest = line.strip_prefix(name)?.strip_prefix(b"=")?;
        parse_value(rest.strip_suffix(b"\r").unwrap_or(rest))
    })
}

/// The `NAME=value` lines of a `.config`, sorted by name: [`lookup`] for
/// many names at O(log n) each instead of a scan of the text per name.
pub struct Index<'c> {
    /// `(name, value, line)`, sorted by name then line.
    ents: KVVec<(&'c [u8], &'c [u8], usize)>,
}

impl<'c> Index<'c> {
    /// Indexes `config`.
    pub fn new(config: &'c [u8], cp: &dyn Checkpoint) -> Result<Self, Error> {
        let tick = Ticker::new(cp);
        let mut ents = KVVec::new();
        for (i, line) in config.split(|&c| c == b'\n').enumerate() {
            tick.tick()?;
            let Some(eq) = line.iter().position(|&c| c == b'=') else {
                continue;
            };
            if let (Some(name), Some(rest)) = (line.get(..eq), line.get(eq.saturating_add(1)..)) {
                ents.push((name, rest, i), GFP_INPUT)?;
            }
        }
        cp.checkpoint()?;
        sort::sort_by_key(&mut ents, |e| (e.0, e.2));
        cp.checkpoint()?;
        Ok(Index { ents })
    }

    /// What [`lookup`] returns for `name` on the indexed text.
    pub fn lookup(&self, name: &[u8]) -> Option<KconfigValue<'c>> {
        let start = self.ents.partition_point(|e| e.0 < name);
        self.ents
            .get(start..)?
            .iter()
            .take_while(|e| e.0 == name)
            .find_map(|e| parse_value(e.1.strip_suffix(b"\r").unwrap_or(e.1)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CONFIG: &[u8] =
        b"#\n# Automatically generated file\nCONFIG_BPF=y\nCONFIG_BPF_JIT_DEFAULT_ON=m\n\
# CONFIG_FOO is not set\nCONFIG_HZ=250\nCONFIG_PHYS=0x1000000\nCONFIG_OCT=010\n\
CONFIG_LSM=\"landlock,bpf\"\nCONFIG_NEG=-5\nCONFIG_BAD=12x\nCONFIG_OPEN=\"x\n";

    #[test]
    fn values_parse_like_libbpf() {
        assert_eq!(
            lookup(CONFIG, b"CONFIG_BPF"),
            Some(KconfigValue::Tristate(b'y'))
        );
        assert_eq!(
            lookup(CONFIG, b"CONFIG_BPF_JIT_DEFAULT_ON"),
            Some(KconfigValue::Tristate(b'm'))
        );
        assert_eq!(lookup(CONFIG, b"CONFIG_HZ"), Some(KconfigValue::Int(250)));
        assert_eq!(
            lookup(CONFIG, b"CONFIG_PHYS"),
            Some(KconfigValue::Int(0x100_0000))
        );
        assert_eq!(lookup(CONFIG, b"CONFIG_OCT"), Some(KconfigValue::Int(8)));
        assert_eq!(
            lookup(CONFIG, b"CONFIG_LSM"),
            Some(KconfigValue::Str(b"landlock,bpf"))
        );
        assert_eq!(
            lookup(CONFIG, b"CONFIG_NEG"),
            Some(KconfigValue::Int(5u64.wrapping_neg()))
        );
    }

    #[test]
    fn index_agrees_with_lookup() {
        let idx = Index::new(CONFIG, &crate::bpfobj::checkpoint::NoCheckpoint).unwrap();
        for name in [
            b"CONFIG_BPF".as_slice(),
            b"CONFIG_BPF_JIT_DEFAULT_ON",
            b"CONFIG_HZ",
            b"CONFIG_PHYS",
            b"CONFIG_OCT",
            b"CONFIG_LSM",
            b"CONFIG_NEG",
            b"CONFIG_FOO",
            b"CONFIG_NOPE",
            b"CONFIG_BAD",
            b"CONFIG_OPEN",
            b"CONFIG_BP",
        ] {
            assert_eq!(idx.lookup(name), lookup(CONFIG, name));
        }
    }

    #[test]
    fn unset_unknown_and_malformed_are_none() {
        assert_eq!(lookup(CONFIG, b"CONFIG_FOO"), None);
        assert_eq!(lookup(CONFIG, b"CONFIG_NOPE"), None);
        assert_eq!(lookup(CONFIG, b"CONFIG_BAD"), None);
        assert_eq!(lookup(CONFIG, b"CONFIG_OPEN"), None);
        // A prefix of a longer name is not a match.
        assert_eq!(lookup(CONFIG, b"CONFIG_BP"), None);
    }
}

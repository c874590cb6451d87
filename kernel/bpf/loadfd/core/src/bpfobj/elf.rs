// SPDX-License-Identifier: GPL-2.0

//! Strict ELF64 reading: only what a clang-built BPF relocatable object uses.

use crate::bpfobj::error::Error;

/// Size of an ELF64 file header.
pub const EHDR_SIZE: usize = 64;
/// `EM_BPF`.
pub const EM_BPF: u16 = 247;
/// `EM_NONE` (old LLVM emitted it for BPF).
pub const EM_NONE: u16 = 0;
/// `ET_REL`.
pub const ET_REL: u16 = 1;
const ELFCLASS64: u8 = 2;
#[cfg(target_endian = "little")]
const ELFDATA_HOST: u8 = 1;
#[cfg(target_endian = "big")]
const ELFDATA_HOST: u8 = 2;
const EV_CURRENT: u32 = 1;

/// The fields of the ELF64 header the loader uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `e_type`.
    pub e_type: u16,
    /// `e_machine`.
    pub e_machine: u16,
    /// `e_shoff`: file offset of the section header table.
    pub e_shoff: u64,
    /// `e_shentsize`.
    pub e_shentsize: u16,
    /// `e_shnum`.
    pub e_shnum: u16,
    /// `e_shstrndx`.
    pub e_shstrndx: u16,
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    let mut v = [0u8; 2];
    if let Some(s) = b.get(off..).and_then(|s| s.get(..2)) {
        v.copy_from_slice(s);
    }
    u16::from_ne_bytes(v)
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut v = [0u8; 4];
    if let Some(s) = b.get(off..).and_then(|s| s.get(..4)) {
        v.copy_from_slice(s);
    }
    u32::from_ne_bytes(v)
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut v = [0u8; 8];
    if let Some(s) = b.get(off..).and_then(|s| s.get(..8)) {
        v.copy_from_slice(s);
    }
    u64::from_ne_bytes(v)
}

/// Checks the ELF identity and header of a BPF object: ELF64, host byte order,
/// `ET_REL`, `EM_BPF` (or `EM_NONE`), current version.
pub fn check_header(data: &[u8]) -> Result<Header, Error> {
    let ehdr = data
        .get(..EHDR_SIZE)
        .ok_or(Error::ElfTooShort { len: data.len() })?;
    if ehdr.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err(Error::ElfBadMagic);
    }
    let ident = |i: usize| ehdr.get(i).copied().unwrap_or(0);
    if ident(4) != ELFCLASS64 {
        return Err(Error::ElfBadClass { class: ident(4) });
    }
    if ident(5) != ELFDATA_HOST {
        return Err(Error::ElfBadEndian { data: ident(5) });
    }
    if u32::from(ident(6)) != EV_CURRENT {
        return Err(Error::ElfBadVersion {
            version: u32::from(ident(6)),
        });
    }
    let hdr = Header {
        e_type: u16_at(ehdr, 16),
        e_machine: u16_at(ehdr, 18),
        e_shoff: u64_at(ehdr, 40),
        e_shentsize: u16_at(ehdr, 58),
        e_shnum: u16_at(ehdr, 60),
        e_shstrndx: u16_at(ehdr, 62),
    };
    let version = u32_at(ehdr, 20);
    if hdr.e_type != ET_REL {
        return Err(Error::ElfNotRel { e_type: hdr.e_type });
    }
    if hdr.e_machine != EM_BPF && hdr.e_machine != EM_NONE {
        return Err(Error::ElfNotBpf {
            machine: hdr.e_machine,
        });
    }
    if version != EV_CURRENT {
        return Err(Error::ElfBadVersion { version });
    }
    let ehsize = u16_at(ehdr, 52);
    if usize::from(ehsize) != EHDR_SIZE {
        return Err(Error::ElfBadEhsize { ehsize });
    }
    Ok(hdr)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn minimal() -> [u8; 64] {
        let mut h = [0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = ELFCLASS64;
        h[5] = ELFDATA_HOST;
        h[6] = 1;
        h[16..18].copy_from_slice(&ET_REL.to_ne_bytes());
        h[18..20].copy_from_slice(&EM_BPF.to_ne_bytes());
        h[20..24].copy_from_slice(&1u32.to_ne_bytes());
        h[52..54].copy_from_slice(&64u16.to_ne_bytes());
        h
    }

    #[test]
    fn accepts_minimal_bpf_header() {
        let h = check_header(&minimal()).unwrap();
        assert_eq!(h.e_machine, EM_BPF);
    }

    #[test]
    fn rejects_each_identity_field() {
        assert_eq!(check_header(&[0; 10]), Err(Error::ElfTooShort { len: 10 }));
        let mut h = minimal();
        h[0] = 0;
        assert_eq!(check_header(&h), Err(Error::ElfBadMagic));
        let mut h = minimal();
        h[4] = 1;
        assert_eq!(check_header(&h), Err(Error::ElfBadClass { class: 1 }));
        let mut h = minimal();
        h[5] = 2;
        assert_eq!(check_header(&h), Err(Error::ElfBadEndian { data: 2 }));
        let mut h = minimal();
        h[16] = 2;
        assert_eq!(check_header(&h), Err(Error::ElfNotRel { e_type: 2 }));
        let mut h = minimal();
        h[18..20].copy_from_slice(&62u16.to_ne_bytes());
        assert_eq!(check_header(&h), Err(Error::ElfNotBpf { machine: 62 }));
    }
}

// SPDX-License-Identifier: GPL-2.0

//! BPF instructions (`struct bpf_insn`), in host byte order.

use crate::bpfobj::bytes::Cursor;
use crate::bpfobj::compat::{KVVec, GFP_INPUT};
use crate::bpfobj::error::{Error, InsnError};

/// Size of one instruction in bytes.
pub const INSN_SIZE: usize = 8;
/// [`INSN_SIZE`] as a `u64`, for ELF offsets.
pub(crate) const INSN_SZ: u64 = 8;
const _: () = assert!(INSN_SZ == INSN_SIZE as u64);

/// Instruction class mask (`BPF_CLASS`).
pub const BPF_CLASS_MASK: u8 = 0x07;
/// `BPF_LD` class.
pub const BPF_LD: u8 = 0x00;
/// `BPF_LDX` class.
pub const BPF_LDX: u8 = 0x01;
/// `BPF_ST` class.
pub const BPF_ST: u8 = 0x02;
/// `BPF_STX` class.
pub const BPF_STX: u8 = 0x03;
/// `BPF_ALU` class.
pub const BPF_ALU: u8 = 0x04;
/// `BPF_JMP` class.
pub const BPF_JMP: u8 = 0x05;
/// `BPF_JMP32` class.
pub const BPF_JMP32: u8 = 0x06;
/// `BPF_ALU64` class.
pub const BPF_ALU64: u8 = 0x07;
/// `BPF_IMM` mode.
pub const BPF_IMM: u8 = 0x00;
/// `BPF_DW` size.
pub const BPF_DW: u8 = 0x18;
/// `BPF_K` source (immediate).
pub const BPF_K: u8 = 0x00;
/// `BPF_X` source (register).
pub const BPF_X: u8 = 0x08;
/// `BPF_MOV` ALU operation.
pub const BPF_MOV: u8 = 0xb0;
/// `BPF_JA` jump operation.
pub const BPF_JA: u8 = 0x00;
/// `BPF_CALL` jump operation.
pub const BPF_CALL: u8 = 0x80;
/// `BPF_EXIT` jump operation.
pub const BPF_EXIT: u8 = 0x90;

/// `ld_imm64` opcode (`BPF_LD | BPF_IMM | BPF_DW`).
pub const LD_IMM64: u8 = BPF_LD | BPF_IMM | BPF_DW;
/// Call opcode (`BPF_JMP | BPF_CALL`).
pub const CALL: u8 = BPF_JMP | BPF_CALL;
/// Exit opcode (`BPF_JMP | BPF_EXIT`).
pub const EXIT: u8 = BPF_JMP | BPF_EXIT;

/// `ld_imm64` `src_reg`: `imm` is a map fd.
pub const BPF_PSEUDO_MAP_FD: u8 = 1;
/// `ld_imm64` `src_reg`: map fd plus value offset in `insn[1].imm`.
pub const BPF_PSEUDO_MAP_VALUE: u8 = 2;
/// `ld_imm64` `src_reg`: BTF id of a kernel variable (`insn[1].imm`: BTF
/// object fd or 0).
pub const BPF_PSEUDO_BTF_ID: u8 = 3;
/// `ld_imm64` `src_reg`: address of a subprogram (callback).
pub const BPF_PSEUDO_FUNC: u8 = 4;
/// `ld_imm64` `src_reg`: `imm` is an index into `fd_array`.
pub const BPF_PSEUDO_MAP_IDX: u8 = 5;
/// `ld_imm64` `src_reg`: `fd_array` index plus value offset.
pub const BPF_PSEUDO_MAP_IDX_VALUE: u8 = 6;

/// Call `src_reg`: `imm` is the pc-relative offset of a subprogram.
pub const BPF_PSEUDO_CALL: u8 = 1;
/// Call `src_reg`: `imm` is the BTF id of a kernel function.
pub const BPF_PSEUDO_KFUNC_CALL: u8 = 2;

/// One BPF instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Insn {
    /// Opcode.
    pub code: u8,
    /// `dst_reg:4` and `src_reg:4`, in the host's bitfield order.
    pub regs: u8,
    /// Signed offset.
    pub off: i16,
    /// Signed immediate.
    pub imm: i32,
}

impl Insn {
    /// Decodes an instruction.
    pub fn from_bytes(b: [u8; INSN_SIZE]) -> Insn {
        let [code, regs, o0, o1, i0, i1, i2, i3] = b;
        Insn {
            code,
            regs,
            off: i16::from_ne_bytes([o0, o1]),
            imm: i32::from_ne_bytes([i0, i1, i2, i3]),
        }
    }

    /// Encodes the instruction.
    pub fn to_bytes(self) -> [u8; INSN_SIZE] {
        let [o0, o1] = self.off.to_ne_bytes();
        let [i0, i1, i2, i3] = self.imm.to_ne_bytes();
        [self.code, self.regs, o0, o1, i0, i1, i2, i3]
    }

    /// Destination register.
    #[cfg(target_endian = "little")]
    pub fn dst(self) -> u8 {
        self.regs & 0x0f
    }

    /// Source register (or pseudo tag).
    #[cfg(target_endian = "little")]
    pub fn src(self) -> u8 {
        self.regs >> 4
    }

    /// Sets the destination register (low 4 bits of `r`).
    #[cfg(target_endian = "little")]
    pub fn set_dst(&mut self, r: u8) {
        self.regs = (self.regs & 0xf0) | (r & 0x0f);
    }

    /// Sets the source register (low 4 bits of `r`).
    #[cfg(target_endian = "little")]
    pub fn set_src(&mut self, r: u8) {
        self.regs = (self.regs & 0x0f) | ((r & 0x0f) << 4);
    }

    /// Destination register.
    #[cfg(target_endian = "big")]
    pub fn dst(self) -> u8 {
        self.regs >> 4
    }

    /// Source register (or pseudo tag).
    #[cfg(target_endian = "big")]
    pub fn src(self) -> u8 {
        self.regs & 0x0f
    }

    /// Sets the destination register (low 4 bits of `r`).
    #[cfg(target_endian = "big")]
    pub fn set_dst(&mut self, r: u8) {
        self.regs = (self.regs & 0x0f) | ((r & 0x0f) << 4);
    }

    /// Sets the source register (low 4 bits of `r`).
    #[cfg(target_endian = "big")]
    pub fn set_src(&mut self, r: u8) {
        self.regs = (self.regs & 0xf0) | (r & 0x0f);
    }

    /// Instruction class (`BPF_CLASS(code)`).
    pub fn class(self) -> u8 {
        self.code & BPF_CLASS_MASK
    }

    /// Whether this is the first half of a 16-byte `ld_imm64`.
    pub fn is_ldimm64(self) -> bool {
        self.code == LD_IMM64
    }

    /// Whether this is a call (helper, subprogram or kfunc).
    pub fn is_call(self) -> bool {
        self.code == CALL
    }

    /// Whether this is a call to a subprogram (`src_reg == BPF_PSEUDO_CALL`).
    pub fn is_pseudo_call(self) -> bool {
        self.is_call() && self.src() == BPF_PSEUDO_CALL
    }

    /// Whether this is a call to a kernel function.
    pub fn is_kfunc_call(self) -> bool {
        self.is_call() && self.src() == BPF_PSEUDO_KFUNC_CALL
    }

    /// Whether this is a call to a helper (`src_reg == 0`).
    pub fn is_helper_call(self) -> bool {
        self.is_call() && self.src() == 0
    }

    /// Whether this is an `ld_imm64` of a subprogram address.
    pub fn is_pseudo_func(self) -> bool {
        self.is_ldimm64() && self.src() == BPF_PSEUDO_FUNC
    }

    /// Whether this is `exit`.
    pub fn is_exit(self) -> bool {
        self.code == EXIT
    }
}

/// Decodes a section of instructions; its size must be a multiple of
/// [`INSN_SIZE`].
pub fn parse_insns(data: &[u8]) -> Result<KVVec<Insn>, Error> {
    let chunks = data.chunks_exact(INSN_SIZE);
    if !chunks.remainder().is_empty() {
        return Err(Error::new(InsnError::BadSize { len: data.len() }));
    }
    let mut out = KVVec::with_capacity(chunks.len(), GFP_INPUT)?;
    for c in chunks {
        let b = Cursor::new(c)
            .bytes::<INSN_SIZE>()
            .ok_or(Error::new(InsnError::BadSize { len: data.len() }))?;
        out.push(Insn::from_bytes(b), GFP_INPUT)?;
    }
    Ok(out)
}

/// Encodes instructions into `out`, which must be exactly
/// `insns.len() * INSN_SIZE` bytes.
pub fn write_insns(insns: &[Insn], out: &mut [u8]) -> Result<(), Error> {
    let chunks = out.chunks_exact_mut(INSN_SIZE);
    if chunks.len() != insns.len() || !chunks.into_remainder().is_empty() {
        return Err(Error::new(InsnError::BadSize { len: out.len() }));
    }
    for (dst, insn) in out.chunks_exact_mut(INSN_SIZE).zip(insns) {
        dst.copy_from_slice(&insn.to_bytes());
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_decodes_fields() {
        // r1 = map[...] ll (ld_imm64, src=1), little-endian register nibbles.
        let b = [0x18, 0x12, 0xfe, 0xff, 0x78, 0x56, 0x34, 0x12];
        let i = Insn::from_bytes(b);
        assert_eq!((i.code, i.off, i.imm), (LD_IMM64, -2, 0x1234_5678));
        assert!(i.is_ldimm64());
        assert_eq!(i.to_bytes(), b);
        #[cfg(target_endian = "little")]
        assert_eq!((i.dst(), i.src()), (2, 1));
        let mut j = i;
        j.set_src(BPF_PSEUDO_MAP_IDX_VALUE);
        j.set_dst(9);
        assert_eq!((j.dst(), j.src()), (9, BPF_PSEUDO_MAP_IDX_VALUE));
        j.set_src(0x1f);
        assert_eq!((j.dst(), j.src()), (9, 0xf));
        assert_eq!(j.class(), BPF_LD);
    }

    #[test]
    fn classifies_calls() {
        let mut c = Insn {
            code: CALL,
            ..Insn::default()
        };
        assert!(c.is_call() && c.is_helper_call() && !c.is_pseudo_call());
        c.set_src(BPF_PSEUDO_CALL);
        assert!(c.is_pseudo_call() && !c.is_kfunc_call());
        c.set_src(BPF_PSEUDO_KFUNC_CALL);
        assert!(c.is_kfunc_call() && !c.is_helper_call());
        let mut f = Insn {
            code: LD_IMM64,
            ..Insn::default()
        };
        f.set_src(BPF_PSEUDO_FUNC);
        assert!(f.is_pseudo_func() && !f.is_call());
        assert!(Insn {
            code: EXIT,
            ..Insn::default()
        }
        .is_exit());
        assert_eq!(
            Insn {
                code: BPF_ALU64 | BPF_MOV | BPF_K,
                ..Insn::default()
            }
            .class(),
            BPF_ALU64
        );
    }

    #[test]
    fn parses_and_writes_sections() {
        let data = [0x95, 0, 0, 0, 0, 0, 0, 0, 0xb7, 0x01, 0, 0, 1, 0, 0, 0];
        let insns = parse_insns(&data).unwrap();
        assert_eq!(insns.len(), 2);
        assert!(insns[0].is_exit());
        assert_eq!(insns[1].imm, 1);
        let mut out = [0u8; 16];
        write_insns(&insns, &mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(parse_insns(&[]).unwrap().len(), 0);
        assert_eq!(
            parse_insns(&data[..9]).err(),
            Some(Error::new(InsnError::BadSize { len: 9 }))
        );
        assert_eq!(
            write_insns(&insns, &mut [0u8; 8]),
            Err(Error::new(InsnError::BadSize { len: 8 }))
        );
        assert_eq!(
            write_insns(&insns, &mut [0u8; 17]),
            Err(Error::new(InsnError::BadSize { len: 17 }))
        );
    }
}

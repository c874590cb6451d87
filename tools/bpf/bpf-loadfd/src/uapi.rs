// SPDX-License-Identifier: GPL-2.0

//! The BPF_LOAD_FD part of the uapi (`include/uapi/linux/bpf.h`, patch 0001),
//! mirrored as `#[repr(C)]` types. The offsets are checked at compile time
//! against the numbers the C compiler gives for the patched header
//! (`offsetof(union bpf_attr, load_fd.*)` on x86_64 and every LP64 target).

use core::mem::{align_of, offset_of, size_of};

/// `BPF_LOAD_FD` in `enum bpf_cmd` (6.12: right after `BPF_TOKEN_CREATE` = 36).
///
/// Later mainline kernels (6.17+) use 37 for `BPF_PROG_STREAM_READ_BY_FD`.
pub const BPF_LOAD_FD: libc::c_int = 37;

/// `BPF_F_TOKEN_FD`: `token_fd` is valid.
pub const BPF_F_TOKEN_FD: u32 = 1 << 16;

/// `BPF_LOADFD_NAME_LEN`: size of `bpf_loadfd_map::name`, NUL included.
pub const BPF_LOADFD_NAME_LEN: usize = 64;

/// `sizeof(union bpf_attr)` of the patched 6.12 header.
pub const BPF_ATTR_SIZE: usize = 152;

/// The `load_fd` member of `union bpf_attr`.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadFdAttr {
    /// fd of the BPF ELF object.
    pub obj_fd: u32,
    /// `BPF_F_TOKEN_FD` or 0.
    pub flags: u32,
    /// User pointer to `struct bpf_loadfd_map[map_cnt]`.
    pub maps: u64,
    /// Number of entries at `maps`.
    pub map_cnt: u32,
    /// Non-zero: the kernel writes its reasons to `log_buf`.
    pub log_level: u32,
    /// User pointer to the log buffer.
    pub log_buf: u64,
    /// Size of the log buffer.
    pub log_size: u32,
    /// Out: the log size the kernel needed (NUL included).
    pub log_true_size: u32,
    /// BPF token fd, with `BPF_F_TOKEN_FD`.
    pub token_fd: i32,
    /// The struct's tail padding; the kernel requires it to be zero.
    pub _pad: u32,
}

/// `struct bpf_loadfd_map`: one map of the object supplied by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadFdMap {
    /// NUL-terminated map name.
    pub name: [u8; BPF_LOADFD_NAME_LEN],
    /// The map's fd.
    pub fd: u32,
    /// Must be zero.
    pub flags: u32,
}

/// `offsetofend(union bpf_attr, load_fd.token_fd)`: the kernel's
/// `BPF_LOAD_FD_LAST_FIELD`; every byte of the attr after it must be zero.
pub const LOAD_FD_LAST_FIELD_END: usize = offset_of!(LoadFdAttr, token_fd) + size_of::<i32>();

// The uapi offsets (checked with the C compiler on the patched header).
const _: () = {
    assert!(offset_of!(LoadFdAttr, obj_fd) == 0);
    assert!(offset_of!(LoadFdAttr, flags) == 4);
    assert!(offset_of!(LoadFdAttr, maps) == 8);
    assert!(offset_of!(LoadFdAttr, map_cnt) == 16);
    assert!(offset_of!(LoadFdAttr, log_level) == 20);
    assert!(offset_of!(LoadFdAttr, log_buf) == 24);
    assert!(offset_of!(LoadFdAttr, log_size) == 32);
    assert!(offset_of!(LoadFdAttr, log_true_size) == 36);
    assert!(offset_of!(LoadFdAttr, token_fd) == 40);
    assert!(LOAD_FD_LAST_FIELD_END == 44);
    assert!(size_of::<LoadFdAttr>() == 48);
    assert!(align_of::<LoadFdAttr>() == 8);
    assert!(size_of::<LoadFdAttr>() <= BPF_ATTR_SIZE);
    assert!(offset_of!(LoadFdMap, name) == 0);
    assert!(offset_of!(LoadFdMap, fd) == 64);
    assert!(offset_of!(LoadFdMap, flags) == 68);
    assert!(size_of::<LoadFdMap>() == 72);
    assert!(align_of::<LoadFdMap>() == 4);
};

impl LoadFdMap {
    /// An entry binding the object's map `name` to `fd`. `None` if the name
    /// is empty, contains a NUL or does not fit with its terminating NUL.
    pub fn new(name: &[u8], fd: u32) -> Option<Self> {
        if name.is_empty() || name.len() >= BPF_LOADFD_NAME_LEN || name.contains(&0) {
            return None;
        }
        let mut buf = [0u8; BPF_LOADFD_NAME_LEN];
        buf.get_mut(..name.len())?.copy_from_slice(name);
        Some(Self {
            name: buf,
            fd,
            flags: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl LoadFdMap {
        /// The name up to its NUL.
        fn name(&self) -> &[u8] {
            let end = self.name.iter().position(|&b| b == 0).unwrap();
            &self.name[..end]
        }
    }

    #[test]
    fn attr_layout_matches_uapi() {
        assert_eq!(size_of::<LoadFdAttr>(), 48);
        assert_eq!(offset_of!(LoadFdAttr, token_fd), 40);
        assert_eq!(LOAD_FD_LAST_FIELD_END, 44);
    }

    #[test]
    fn attr_bytes_are_little_endian_fields_in_order() {
        let a = LoadFdAttr {
            obj_fd: 3,
            flags: BPF_F_TOKEN_FD,
            maps: 0x1122_3344_5566_7788,
            map_cnt: 2,
            log_level: 1,
            log_buf: 0x99,
            log_size: 4096,
            log_true_size: 7,
            token_fd: -1,
            _pad: 0,
        };
        // SAFETY: LoadFdAttr is repr(C), Copy, has no padding bytes (the tail
        // padding is an explicit field), so viewing it as bytes is sound.
        let bytes: [u8; 48] = unsafe { core::mem::transmute(a) };
        let mut want = Vec::new();
        want.extend_from_slice(&3u32.to_ne_bytes());
        want.extend_from_slice(&BPF_F_TOKEN_FD.to_ne_bytes());
        want.extend_from_slice(&0x1122_3344_5566_7788u64.to_ne_bytes());
        want.extend_from_slice(&2u32.to_ne_bytes());
        want.extend_from_slice(&1u32.to_ne_bytes());
        want.extend_from_slice(&0x99u64.to_ne_bytes());
        want.extend_from_slice(&4096u32.to_ne_bytes());
        want.extend_from_slice(&7u32.to_ne_bytes());
        want.extend_from_slice(&(-1i32).to_ne_bytes());
        want.extend_from_slice(&0u32.to_ne_bytes());
        assert_eq!(bytes.as_slice(), want.as_slice());
    }

    #[test]
    fn map_entry_layout_and_name() {
        let m = LoadFdMap::new(b"counters", 5).unwrap();
        assert_eq!(m.name(), b"counters");
        assert_eq!(m.fd, 5);
        assert_eq!(m.flags, 0);
        assert_eq!(m.name[8], 0);
        assert_eq!(size_of::<LoadFdMap>(), 72);
    }

    #[test]
    fn map_entry_rejects_bad_names() {
        assert!(LoadFdMap::new(b"", 1).is_none());
        assert!(LoadFdMap::new(b"a\0b", 1).is_none());
        assert!(LoadFdMap::new(&[b'x'; 64], 1).is_none());
        let max = [b'x'; 63];
        assert_eq!(LoadFdMap::new(&max, 1).unwrap().name(), &max[..]);
    }
}

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
/// `BPF_LOAD_FD_MAP_GET_FD` (this series): an fd of a loader map by name.
pub const BPF_LOAD_FD_MAP_GET_FD: libc::c_int = 38;

/// `BPF_F_TOKEN_FD`: `token_fd` is valid.
pub const BPF_F_TOKEN_FD: u32 = 1 << 16;

/// `BPF_LOADFD_NAME_LEN`: size of `bpf_loadfd_map::name`, NUL included.
pub use bpfobj::uapi::BPF_LOADFD_NAME_LEN;

/// `sizeof(union bpf_attr)` of the patched 6.12 header (152 upstream; the
/// loader fields of `BPF_PROG_LOAD`, patch 0004, make it 160).
pub const BPF_ATTR_SIZE: usize = 160;

/// `BPF_PROG_LOAD`.
pub const BPF_PROG_LOAD: libc::c_int = 5;
/// `BPF_OBJ_PIN`.
pub const BPF_OBJ_PIN: libc::c_int = 6;
/// `BPF_OBJ_GET`.
pub const BPF_OBJ_GET: libc::c_int = 7;
/// `BPF_MAP_GET_FD_BY_ID`.
pub const BPF_MAP_GET_FD_BY_ID: libc::c_int = 14;
/// `BPF_OBJ_GET_INFO_BY_FD`.
pub const BPF_OBJ_GET_INFO_BY_FD: libc::c_int = 15;
/// `BPF_RAW_TRACEPOINT_OPEN`.
pub const BPF_RAW_TRACEPOINT_OPEN: libc::c_int = 17;
/// `BPF_LINK_CREATE`.
pub const BPF_LINK_CREATE: libc::c_int = 28;

/// `BPF_OBJ_NAME_LEN`: size of `prog_name`.
pub const BPF_OBJ_NAME_LEN: usize = 16;

/// The anonymous `BPF_PROG_LOAD` struct of `union bpf_attr`, with the
/// loader fields of patch 0004 (`loader_fd`, `loader_prog_name`) after
/// `prog_token_fd`. It ends exactly at `offsetofend(loader_prog_name)`,
/// the patched `BPF_PROG_LOAD_LAST_FIELD`.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgLoadAttr {
    /// `enum bpf_prog_type`; 0 takes the SEC name's.
    pub prog_type: u32,
    /// Number of instructions; must be 0 for a loader program.
    pub insn_cnt: u32,
    /// User pointer to the instructions; must be 0 for a loader program.
    pub insns: u64,
    /// User pointer to the license; must be 0 for a loader program.
    pub license: u64,
    /// Verifier log level.
    pub log_level: u32,
    /// Size of the log buffer.
    pub log_size: u32,
    /// User pointer to the log buffer.
    pub log_buf: u64,
    /// `version` section value; must be 0 for a loader program.
    pub kern_version: u32,
    /// `BPF_F_*` load flags.
    pub prog_flags: u32,
    /// Program name for bpftool; 0 takes the first 15 bytes of the symbol.
    pub prog_name: [u8; BPF_OBJ_NAME_LEN],
    /// Device for offload.
    pub prog_ifindex: u32,
    /// `enum bpf_attach_type`; 0 takes the SEC name's.
    pub expected_attach_type: u32,
    /// Program BTF fd; must be 0 for a loader program.
    pub prog_btf_fd: u32,
    /// Must be 0 for a loader program.
    pub func_info_rec_size: u32,
    /// Must be 0 for a loader program.
    pub func_info: u64,
    /// Must be 0 for a loader program.
    pub func_info_cnt: u32,
    /// Must be 0 for a loader program.
    pub line_info_rec_size: u32,
    /// Must be 0 for a loader program.
    pub line_info: u64,
    /// Must be 0 for a loader program.
    pub line_info_cnt: u32,
    /// BTF id of the attach target; 0 takes the SEC name's.
    pub attach_btf_id: u32,
    /// Program (or BTF object) fd to attach to (freplace).
    pub attach_prog_fd: u32,
    /// Must be 0 for a loader program.
    pub core_relo_cnt: u32,
    /// Must be 0 for a loader program.
    pub fd_array: u64,
    /// Must be 0 for a loader program.
    pub core_relos: u64,
    /// Must be 0 for a loader program.
    pub core_relo_rec_size: u32,
    /// Out: the log size the kernel needed.
    pub log_true_size: u32,
    /// BPF token fd, with `BPF_F_TOKEN_FD` in `prog_flags`.
    pub prog_token_fd: i32,
    /// The `BPF_LOAD_FD` loader object's fd.
    pub loader_fd: u32,
    /// User pointer to the NUL-terminated program (ELF symbol) name.
    pub loader_prog_name: u64,
}

/// The `BPF_OBJ_PIN` struct of `union bpf_attr`.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ObjPinAttr {
    /// User pointer to the NUL-terminated path.
    pub pathname: u64,
    /// The fd to pin.
    pub bpf_fd: u32,
    /// `BPF_F_PATH_FD` or 0.
    pub file_flags: u32,
    /// Directory fd with `BPF_F_PATH_FD`.
    pub path_fd: i32,
    /// Tail padding (zero).
    pub _pad: u32,
}

/// The `BPF_*_GET_FD_BY_ID` struct of `union bpf_attr`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetFdByIdAttr {
    /// `map_id` (`prog_id`, ...).
    pub id: u32,
    /// `next_id` (unused here).
    pub next_id: u32,
    /// `BPF_F_RDONLY`, `BPF_F_WRONLY` or 0.
    pub open_flags: u32,
}

/// The `BPF_LOAD_FD_MAP_GET_FD` struct of `union bpf_attr`.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadFdMapAttr {
    /// The loader fd.
    pub loader_fd: u32,
    /// `BPF_F_RDONLY`, `BPF_F_WRONLY` or 0.
    pub open_flags: u32,
    /// Pointer to the NUL-terminated map name.
    pub name: u64,
}

/// The `BPF_OBJ_GET_INFO_BY_FD` struct of `union bpf_attr`.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InfoByFdAttr {
    /// The object's fd.
    pub bpf_fd: u32,
    /// In: size of the buffer at `info`; out: size the kernel filled.
    pub info_len: u32,
    /// User pointer to `struct bpf_{prog,map,link}_info`.
    pub info: u64,
}

/// The head of `struct bpf_prog_info` (the kernel fills at most
/// `info_len` bytes).
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgInfoHead {
    /// `enum bpf_prog_type`.
    pub prog_type: u32,
    /// Program id.
    pub id: u32,
    /// Program tag.
    pub tag: [u8; 8],
}

/// The head of `struct bpf_link_info`.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkInfoHead {
    /// `enum bpf_link_type`.
    pub link_type: u32,
    /// Link id.
    pub id: u32,
    /// Id of the linked program.
    pub prog_id: u32,
    /// Padding before the per-type union (zero).
    pub _pad: u32,
}

/// The `BPF_RAW_TRACEPOINT_OPEN` struct of `union bpf_attr`.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawTpAttr {
    /// User pointer to the tracepoint name; 0 for BTF-attached programs.
    pub name: u64,
    /// The program fd.
    pub prog_fd: u32,
    /// Padding (zero).
    pub _pad: u32,
    /// BPF cookie.
    pub cookie: u64,
}

/// The `BPF_LINK_CREATE` struct of `union bpf_attr`, with the `tracing`
/// member of its union (`perf_event.bpf_cookie` overlays
/// `target_btf_id`/`_pad`, `tcx.relative_fd` and `tcx.expected_revision`
/// overlay `target_btf_id` and `cookie`; all stay zero here).
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkCreateAttr {
    /// The program fd.
    pub prog_fd: u32,
    /// Target fd (a perf event for `BPF_PERF_EVENT`, a cgroup, 0 for
    /// tracing), or `target_ifindex` (xdp, tcx).
    pub target_fd: u32,
    /// `enum bpf_attach_type`.
    pub attach_type: u32,
    /// Flags.
    pub flags: u32,
    /// `tracing.target_btf_id`.
    pub target_btf_id: u32,
    /// Padding (zero).
    pub _pad: u32,
    /// `tracing.cookie`.
    pub cookie: u64,
}

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

    // BPF_PROG_LOAD with the loader fields (patch 0004).
    assert!(offset_of!(ProgLoadAttr, prog_type) == 0);
    assert!(offset_of!(ProgLoadAttr, insns) == 8);
    assert!(offset_of!(ProgLoadAttr, license) == 16);
    assert!(offset_of!(ProgLoadAttr, log_level) == 24);
    assert!(offset_of!(ProgLoadAttr, log_size) == 28);
    assert!(offset_of!(ProgLoadAttr, log_buf) == 32);
    assert!(offset_of!(ProgLoadAttr, prog_flags) == 44);
    assert!(offset_of!(ProgLoadAttr, prog_name) == 48);
    assert!(offset_of!(ProgLoadAttr, expected_attach_type) == 68);
    assert!(offset_of!(ProgLoadAttr, attach_btf_id) == 108);
    assert!(offset_of!(ProgLoadAttr, fd_array) == 120);
    assert!(offset_of!(ProgLoadAttr, core_relo_rec_size) == 136);
    assert!(offset_of!(ProgLoadAttr, log_true_size) == 140);
    assert!(offset_of!(ProgLoadAttr, prog_token_fd) == 144);
    assert!(offset_of!(ProgLoadAttr, loader_fd) == 148);
    assert!(offset_of!(ProgLoadAttr, loader_prog_name) == 152);
    assert!(size_of::<ProgLoadAttr>() == 160);
    assert!(size_of::<ProgLoadAttr>() == BPF_ATTR_SIZE);

    assert!(offset_of!(GetFdByIdAttr, open_flags) == 8);
    assert!(offset_of!(ObjPinAttr, bpf_fd) == 8);
    assert!(offset_of!(ObjPinAttr, path_fd) == 16);
    assert!(size_of::<ObjPinAttr>() == 24);
    assert!(offset_of!(InfoByFdAttr, info) == 8);
    assert!(size_of::<InfoByFdAttr>() == 16);
    assert!(offset_of!(ProgInfoHead, id) == 4);
    assert!(offset_of!(LinkInfoHead, prog_id) == 8);
    assert!(offset_of!(RawTpAttr, prog_fd) == 8);
    assert!(offset_of!(RawTpAttr, cookie) == 16);
    assert!(size_of::<RawTpAttr>() == 24);
    assert!(offset_of!(LinkCreateAttr, attach_type) == 8);
    assert!(offset_of!(LinkCreateAttr, target_btf_id) == 16);
    assert!(offset_of!(LinkCreateAttr, cookie) == 24);
    assert!(size_of::<LinkCreateAttr>() == 32);
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

    /// Every mirrored offset, size and command number, checked against the
    /// patched header with the C compiler.
    #[test]
    fn layouts_match_the_patched_header() {
        let checks: &[(&str, usize)] = &[
            ("sizeof(union bpf_attr)", BPF_ATTR_SIZE),
            ("BPF_LOAD_FD", BPF_LOAD_FD as usize),
            ("BPF_LOAD_FD_MAP_GET_FD", BPF_LOAD_FD_MAP_GET_FD as usize),
            (
                "offsetof(union bpf_attr, load_fd_map.loader_fd)",
                offset_of!(LoadFdMapAttr, loader_fd),
            ),
            (
                "offsetof(union bpf_attr, load_fd_map.open_flags)",
                offset_of!(LoadFdMapAttr, open_flags),
            ),
            (
                "offsetof(union bpf_attr, load_fd_map.name)",
                offset_of!(LoadFdMapAttr, name),
            ),
            ("BPF_PROG_LOAD", BPF_PROG_LOAD as usize),
            ("BPF_OBJ_PIN", BPF_OBJ_PIN as usize),
            ("BPF_OBJ_GET", BPF_OBJ_GET as usize),
            ("BPF_MAP_GET_FD_BY_ID", BPF_MAP_GET_FD_BY_ID as usize),
            (
                "offsetof(union bpf_attr, map_id)",
                offset_of!(GetFdByIdAttr, id),
            ),
            (
                "offsetof(union bpf_attr, next_id)",
                offset_of!(GetFdByIdAttr, next_id),
            ),
            (
                "offsetof(union bpf_attr, open_flags)",
                offset_of!(GetFdByIdAttr, open_flags),
            ),
            ("BPF_OBJ_GET_INFO_BY_FD", BPF_OBJ_GET_INFO_BY_FD as usize),
            ("BPF_RAW_TRACEPOINT_OPEN", BPF_RAW_TRACEPOINT_OPEN as usize),
            ("BPF_LINK_CREATE", BPF_LINK_CREATE as usize),
            ("BPF_F_TOKEN_FD", BPF_F_TOKEN_FD as usize),
            ("BPF_LOADFD_NAME_LEN", BPF_LOADFD_NAME_LEN),
            ("BPF_OBJ_NAME_LEN", BPF_OBJ_NAME_LEN),
            // BPF_LOAD_FD (patch 0001).
            (
                "offsetof(union bpf_attr, load_fd.obj_fd)",
                offset_of!(LoadFdAttr, obj_fd),
            ),
            (
                "offsetof(union bpf_attr, load_fd.flags)",
                offset_of!(LoadFdAttr, flags),
            ),
            (
                "offsetof(union bpf_attr, load_fd.maps)",
                offset_of!(LoadFdAttr, maps),
            ),
            (
                "offsetof(union bpf_attr, load_fd.map_cnt)",
                offset_of!(LoadFdAttr, map_cnt),
            ),
            (
                "offsetof(union bpf_attr, load_fd.log_level)",
                offset_of!(LoadFdAttr, log_level),
            ),
            (
                "offsetof(union bpf_attr, load_fd.log_buf)",
                offset_of!(LoadFdAttr, log_buf),
            ),
            (
                "offsetof(union bpf_attr, load_fd.log_size)",
                offset_of!(LoadFdAttr, log_size),
            ),
            (
                "offsetof(union bpf_attr, load_fd.log_true_size)",
                offset_of!(LoadFdAttr, log_true_size),
            ),
            (
                "offsetof(union bpf_attr, load_fd.token_fd)",
                offset_of!(LoadFdAttr, token_fd),
            ),
            (
                "sizeof(((union bpf_attr *)0)->load_fd)",
                size_of::<LoadFdAttr>(),
            ),
            ("sizeof(struct bpf_loadfd_map)", size_of::<LoadFdMap>()),
            (
                "offsetof(struct bpf_loadfd_map, fd)",
                offset_of!(LoadFdMap, fd),
            ),
            (
                "offsetof(struct bpf_loadfd_map, flags)",
                offset_of!(LoadFdMap, flags),
            ),
            // BPF_PROG_LOAD with the loader fields (patch 0004).
            (
                "offsetof(union bpf_attr, prog_type)",
                offset_of!(ProgLoadAttr, prog_type),
            ),
            (
                "offsetof(union bpf_attr, insn_cnt)",
                offset_of!(ProgLoadAttr, insn_cnt),
            ),
            (
                "offsetof(union bpf_attr, insns)",
                offset_of!(ProgLoadAttr, insns),
            ),
            (
                "offsetof(union bpf_attr, license)",
                offset_of!(ProgLoadAttr, license),
            ),
            (
                "offsetof(union bpf_attr, log_level)",
                offset_of!(ProgLoadAttr, log_level),
            ),
            (
                "offsetof(union bpf_attr, log_size)",
                offset_of!(ProgLoadAttr, log_size),
            ),
            (
                "offsetof(union bpf_attr, log_buf)",
                offset_of!(ProgLoadAttr, log_buf),
            ),
            (
                "offsetof(union bpf_attr, kern_version)",
                offset_of!(ProgLoadAttr, kern_version),
            ),
            (
                "offsetof(union bpf_attr, prog_flags)",
                offset_of!(ProgLoadAttr, prog_flags),
            ),
            (
                "offsetof(union bpf_attr, prog_name)",
                offset_of!(ProgLoadAttr, prog_name),
            ),
            (
                "offsetof(union bpf_attr, prog_ifindex)",
                offset_of!(ProgLoadAttr, prog_ifindex),
            ),
            (
                "offsetof(union bpf_attr, expected_attach_type)",
                offset_of!(ProgLoadAttr, expected_attach_type),
            ),
            (
                "offsetof(union bpf_attr, prog_btf_fd)",
                offset_of!(ProgLoadAttr, prog_btf_fd),
            ),
            (
                "offsetof(union bpf_attr, func_info_rec_size)",
                offset_of!(ProgLoadAttr, func_info_rec_size),
            ),
            (
                "offsetof(union bpf_attr, func_info)",
                offset_of!(ProgLoadAttr, func_info),
            ),
            (
                "offsetof(union bpf_attr, func_info_cnt)",
                offset_of!(ProgLoadAttr, func_info_cnt),
            ),
            (
                "offsetof(union bpf_attr, line_info_rec_size)",
                offset_of!(ProgLoadAttr, line_info_rec_size),
            ),
            (
                "offsetof(union bpf_attr, line_info)",
                offset_of!(ProgLoadAttr, line_info),
            ),
            (
                "offsetof(union bpf_attr, line_info_cnt)",
                offset_of!(ProgLoadAttr, line_info_cnt),
            ),
            (
                "offsetof(union bpf_attr, attach_btf_id)",
                offset_of!(ProgLoadAttr, attach_btf_id),
            ),
            (
                "offsetof(union bpf_attr, attach_prog_fd)",
                offset_of!(ProgLoadAttr, attach_prog_fd),
            ),
            (
                "offsetof(union bpf_attr, core_relo_cnt)",
                offset_of!(ProgLoadAttr, core_relo_cnt),
            ),
            (
                "offsetof(union bpf_attr, fd_array)",
                offset_of!(ProgLoadAttr, fd_array),
            ),
            (
                "offsetof(union bpf_attr, core_relos)",
                offset_of!(ProgLoadAttr, core_relos),
            ),
            (
                "offsetof(union bpf_attr, core_relo_rec_size)",
                offset_of!(ProgLoadAttr, core_relo_rec_size),
            ),
            (
                "offsetof(union bpf_attr, log_true_size)",
                offset_of!(ProgLoadAttr, log_true_size),
            ),
            (
                "offsetof(union bpf_attr, prog_token_fd)",
                offset_of!(ProgLoadAttr, prog_token_fd),
            ),
            (
                "offsetof(union bpf_attr, loader_fd)",
                offset_of!(ProgLoadAttr, loader_fd),
            ),
            (
                "offsetof(union bpf_attr, loader_prog_name)",
                offset_of!(ProgLoadAttr, loader_prog_name),
            ),
            (
                "offsetof(union bpf_attr, loader_prog_name) + sizeof(__u64)",
                size_of::<ProgLoadAttr>(),
            ),
            // The other commands the shim issues.
            (
                "offsetof(union bpf_attr, pathname)",
                offset_of!(ObjPinAttr, pathname),
            ),
            (
                "offsetof(union bpf_attr, bpf_fd)",
                offset_of!(ObjPinAttr, bpf_fd),
            ),
            (
                "offsetof(union bpf_attr, file_flags)",
                offset_of!(ObjPinAttr, file_flags),
            ),
            (
                "offsetof(union bpf_attr, path_fd)",
                offset_of!(ObjPinAttr, path_fd),
            ),
            (
                "offsetof(union bpf_attr, info.bpf_fd)",
                offset_of!(InfoByFdAttr, bpf_fd),
            ),
            (
                "offsetof(union bpf_attr, info.info_len)",
                offset_of!(InfoByFdAttr, info_len),
            ),
            (
                "offsetof(union bpf_attr, info.info)",
                offset_of!(InfoByFdAttr, info),
            ),
            (
                "offsetof(struct bpf_prog_info, type)",
                offset_of!(ProgInfoHead, prog_type),
            ),
            (
                "offsetof(struct bpf_prog_info, id)",
                offset_of!(ProgInfoHead, id),
            ),
            (
                "offsetof(struct bpf_prog_info, tag)",
                offset_of!(ProgInfoHead, tag),
            ),
            (
                "offsetof(struct bpf_link_info, type)",
                offset_of!(LinkInfoHead, link_type),
            ),
            (
                "offsetof(struct bpf_link_info, id)",
                offset_of!(LinkInfoHead, id),
            ),
            (
                "offsetof(struct bpf_link_info, prog_id)",
                offset_of!(LinkInfoHead, prog_id),
            ),
            (
                "offsetof(union bpf_attr, raw_tracepoint.name)",
                offset_of!(RawTpAttr, name),
            ),
            (
                "offsetof(union bpf_attr, raw_tracepoint.prog_fd)",
                offset_of!(RawTpAttr, prog_fd),
            ),
            (
                "offsetof(union bpf_attr, raw_tracepoint.cookie)",
                offset_of!(RawTpAttr, cookie),
            ),
            (
                "offsetof(union bpf_attr, link_create.prog_fd)",
                offset_of!(LinkCreateAttr, prog_fd),
            ),
            (
                "offsetof(union bpf_attr, link_create.target_fd)",
                offset_of!(LinkCreateAttr, target_fd),
            ),
            (
                "offsetof(union bpf_attr, link_create.target_ifindex)",
                offset_of!(LinkCreateAttr, target_fd),
            ),
            (
                "offsetof(union bpf_attr, link_create.tcx.relative_fd)",
                offset_of!(LinkCreateAttr, target_btf_id),
            ),
            (
                "offsetof(union bpf_attr, link_create.tcx.expected_revision)",
                offset_of!(LinkCreateAttr, cookie),
            ),
            (
                "offsetof(union bpf_attr, link_create.attach_type)",
                offset_of!(LinkCreateAttr, attach_type),
            ),
            (
                "offsetof(union bpf_attr, link_create.flags)",
                offset_of!(LinkCreateAttr, flags),
            ),
            (
                "offsetof(union bpf_attr, link_create.tracing.target_btf_id)",
                offset_of!(LinkCreateAttr, target_btf_id),
            ),
            (
                "offsetof(union bpf_attr, link_create.tracing.cookie)",
                offset_of!(LinkCreateAttr, cookie),
            ),
        ];
        let exprs: Vec<&str> = checks.iter().map(|c| c.0).collect();
        let got = crate::ctest::c_values(&exprs);
        for ((expr, want), got) in checks.iter().zip(got) {
            assert_eq!(
                i64::try_from(*want).unwrap(),
                got,
                "{expr}: Rust mirror {want}, patched header {got}"
            );
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

// SPDX-License-Identifier: GPL-2.0

//! The raw system calls: bpf(2) for BPF_LOAD_FD and the handful of other
//! commands the shim issues, perf_event_open(2) and statfs(2). The only
//! `unsafe` of the shim is here.

use std::ffi::CStr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use crate::uapi::{
    GetFdByIdAttr, InfoByFdAttr, LinkCreateAttr, LinkInfoHead, LoadFdAttr, LoadFdMap,
    LoadFdMapAttr, ObjPinAttr, ProgInfoHead, ProgLoadAttr, RawTpAttr, BPF_F_TOKEN_FD,
    BPF_LINK_CREATE, BPF_LOAD_FD, BPF_LOAD_FD_MAP_GET_FD, BPF_MAP_GET_FD_BY_ID, BPF_OBJ_GET,
    BPF_OBJ_GET_INFO_BY_FD, BPF_OBJ_PIN, BPF_PROG_LOAD, BPF_RAW_TRACEPOINT_OPEN,
};

/// A `#[repr(C)]` bpf(2) attr struct of the uapi.
///
/// # Safety
///
/// Implementors are plain-old-data `#[repr(C)]` mirrors of a member of
/// `union bpf_attr` (or of an info struct) whose every bit pattern is valid:
/// the kernel writes into them.
unsafe trait Attr: Copy {}

// SAFETY: all are repr(C) structs of integers and byte arrays.
unsafe impl Attr for LoadFdAttr {}
// SAFETY: as above.
unsafe impl Attr for ProgLoadAttr {}
// SAFETY: as above.
unsafe impl Attr for ObjPinAttr {}
// SAFETY: as above.
unsafe impl Attr for InfoByFdAttr {}
// SAFETY: as above.
unsafe impl Attr for RawTpAttr {}
// SAFETY: as above.
unsafe impl Attr for LinkCreateAttr {}
// SAFETY: as above.
unsafe impl Attr for LoadFdMapAttr {}
// SAFETY: as above.
unsafe impl Attr for GetFdByIdAttr {}

fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// Issues bpf(`cmd`, `attr`, sizeof(`attr`)).
///
/// # Safety
///
/// Every user pointer inside `attr` must point to memory that is valid for
/// what the kernel does with it under `cmd` (read or written, with the
/// sizes given in `attr`) until this returns.
unsafe fn bpf<T: Attr>(cmd: libc::c_int, attr: &mut T) -> Result<libc::c_long, i32> {
    let size = libc::c_uint::try_from(core::mem::size_of::<T>()).map_err(|_| libc::E2BIG)?;
    // SAFETY: `attr` is a valid, writable attr of `size` bytes; the pointers
    // inside are the caller's responsibility (see above).
    let ret = unsafe { libc::syscall(libc::SYS_bpf, cmd, attr as *mut T, size) };
    if ret < 0 {
        Err(last_errno())
    } else {
        Ok(ret)
    }
}

/// Takes ownership of an fd a system call just returned.
fn owned_fd(ret: libc::c_long) -> Result<OwnedFd, i32> {
    let fd = RawFd::try_from(ret).map_err(|_| libc::ERANGE)?;
    if fd < 0 {
        return Err(libc::EBADF);
    }
    // SAFETY: the kernel returned a new fd that nobody owns yet.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn fd_u32(fd: BorrowedFd<'_>) -> u32 {
    fd.as_raw_fd().unsigned_abs()
}

/// What the caller wants from one BPF_LOAD_FD call.
#[derive(Debug)]
pub struct LoadFdRequest<'a> {
    /// The object file's fd.
    pub obj_fd: RawFd,
    /// Caller-supplied maps.
    pub maps: &'a [LoadFdMap],
    /// `log_level` (0: no log).
    pub log_level: u32,
    /// Size of the log buffer to pass (0: none).
    pub log_size: u32,
    /// BPF token fd (sets `BPF_F_TOKEN_FD`).
    pub token_fd: Option<RawFd>,
}

/// What the kernel answered.
#[derive(Debug)]
pub struct LoadFdReply {
    /// The new fd, or the errno.
    pub result: Result<OwnedFd, i32>,
    /// The log buffer up to its NUL (empty when no buffer was passed).
    pub log: Vec<u8>,
    /// `log_true_size` as written back by the kernel.
    pub log_true_size: u32,
}

/// Builds the attr for `req`, pointing at `maps` and `log`.
pub fn build_attr(req: &LoadFdRequest<'_>, log: &mut [u8]) -> Result<LoadFdAttr, i32> {
    let map_cnt = u32::try_from(req.maps.len()).map_err(|_| libc::E2BIG)?;
    let log_size = u32::try_from(log.len()).map_err(|_| libc::E2BIG)?;
    Ok(LoadFdAttr {
        obj_fd: req.obj_fd as u32,
        flags: if req.token_fd.is_some() {
            BPF_F_TOKEN_FD
        } else {
            0
        },
        maps: if req.maps.is_empty() {
            0
        } else {
            req.maps.as_ptr() as u64
        },
        map_cnt,
        log_level: req.log_level,
        log_buf: if log.is_empty() {
            0
        } else {
            log.as_mut_ptr() as u64
        },
        log_size,
        log_true_size: 0,
        token_fd: req.token_fd.unwrap_or(0),
        _pad: 0,
    })
}

/// Issues BPF_LOAD_FD.
pub fn load_fd(req: &LoadFdRequest<'_>) -> LoadFdReply {
    let mut log = vec![0u8; req.log_size as usize];
    let mut attr = match build_attr(req, &mut log) {
        Ok(a) => a,
        Err(e) => {
            return LoadFdReply {
                result: Err(e),
                log: Vec::new(),
                log_true_size: 0,
            }
        }
    };
    // SAFETY: the pointers in `attr` (maps, log) stay alive and unmoved
    // until the call returns; the kernel reads `map_cnt` entries at `maps`
    // and writes at most `log.len()` bytes to the log.
    let result = unsafe { bpf(BPF_LOAD_FD, &mut attr) }.and_then(owned_fd);
    truncate_at_nul(&mut log);
    LoadFdReply {
        result,
        log,
        log_true_size: attr.log_true_size,
    }
}

/// Whether the running kernel has BPF_LOAD_FD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// It has.
    Present,
    /// It has not (or has no bpf(2) at all).
    Absent,
    /// The probe was refused with this errno (an LSM, seccomp): let the
    /// real call report.
    Unknown(i32),
}

/// Probes for BPF_LOAD_FD without loading anything.
///
/// The probe is BPF_LOAD_FD with an unknown flag (bit 31) and a log buffer.
/// BPF_LOAD_FD checks the log attributes and then `flags` before anything
/// else (capabilities included), so it always fails this with `EINVAL`
/// *and* a log line ("unknown flags"), which sets `log_true_size`. A kernel
/// without the command fails it in `__sys_bpf()`'s `default:` case with
/// `EINVAL` and leaves the log alone; so does a 6.17+ kernel, where 37 is
/// `BPF_PROG_STREAM_READ_BY_FD`: its `CHECK_ATTR()` refuses the non-zero
/// log fields past its last field. Probing by `/sys/kernel/bpf_loadfd`
/// would fail where sysfs is not mounted (containers); the errno of the
/// real call alone cannot tell "no such command" from "bad attr".
pub fn probe_load_fd() -> Probe {
    let mut log = [0u8; 128];
    let req = LoadFdRequest {
        obj_fd: -1,
        maps: &[],
        log_level: 1,
        log_size: 128,
        token_fd: None,
    };
    let Ok(mut attr) = build_attr(&req, &mut log) else {
        return Probe::Unknown(libc::E2BIG);
    };
    attr.flags = 1 << 31;
    // SAFETY: the only pointer in `attr` is the log, alive and unmoved
    // until the call returns; the kernel writes at most `log.len()` bytes.
    match unsafe { bpf(BPF_LOAD_FD, &mut attr) } {
        Err(libc::EINVAL) if attr.log_true_size == 0 => Probe::Absent,
        Err(libc::ENOSYS) => Probe::Absent,
        Err(libc::EINVAL) => Probe::Present,
        Err(e) => Probe::Unknown(e),
        // Nothing accepts bit 31; should a kernel do so, close what it made.
        Ok(ret) => {
            drop(owned_fd(ret));
            Probe::Present
        }
    }
}

fn truncate_at_nul(log: &mut Vec<u8>) {
    let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
    log.truncate(end);
}

/// One `BPF_PROG_LOAD` of a program by name from a loader object.
#[derive(Debug)]
pub struct ProgLoadRequest<'a> {
    /// The loader object.
    pub loader: BorrowedFd<'a>,
    /// The program (ELF symbol) name.
    pub name: &'a CStr,
    /// Verifier `log_level` (0: no log).
    pub log_level: u32,
    /// Size of the log buffer to pass (0: none).
    pub log_size: u32,
    /// BPF token fd (sets `BPF_F_TOKEN_FD`).
    pub token_fd: Option<RawFd>,
}

/// The attr for `req`: the loader fields and the log, everything else zero
/// (the loader object provides it).
pub fn build_prog_load_attr(req: &ProgLoadRequest<'_>, log: &mut [u8]) -> ProgLoadAttr {
    let (prog_flags, prog_token_fd) = match req.token_fd {
        Some(t) => (BPF_F_TOKEN_FD, t),
        None => (0, 0),
    };
    ProgLoadAttr {
        log_level: req.log_level,
        log_size: u32::try_from(log.len()).unwrap_or(u32::MAX),
        log_buf: if log.is_empty() {
            0
        } else {
            log.as_mut_ptr() as u64
        },
        prog_flags,
        prog_token_fd,
        loader_fd: fd_u32(req.loader),
        loader_prog_name: req.name.as_ptr() as u64,
        ..ProgLoadAttr::default()
    }
}

/// Issues `BPF_PROG_LOAD` by name.
pub fn prog_load(req: &ProgLoadRequest<'_>) -> LoadFdReply {
    let mut log = vec![0u8; req.log_size as usize];
    let mut attr = build_prog_load_attr(req, &mut log);
    // SAFETY: the name and the log buffer outlive the call; the kernel
    // reads the name up to its NUL and writes at most `log_size` bytes.
    let result = unsafe { bpf(BPF_PROG_LOAD, &mut attr) }.and_then(owned_fd);
    truncate_at_nul(&mut log);
    LoadFdReply {
        result,
        log,
        log_true_size: attr.log_true_size,
    }
}

/// The head of `bpf_prog_info` of a program fd.
pub fn prog_info(fd: BorrowedFd<'_>) -> Result<ProgInfoHead, i32> {
    let mut info = ProgInfoHead::default();
    get_info(fd, &mut info)?;
    Ok(info)
}

/// The head of `bpf_link_info` of a link fd.
pub fn link_info(fd: BorrowedFd<'_>) -> Result<LinkInfoHead, i32> {
    let mut info = LinkInfoHead::default();
    get_info(fd, &mut info)?;
    Ok(info)
}

fn get_info<T: Copy>(fd: BorrowedFd<'_>, info: &mut T) -> Result<(), i32> {
    let mut attr = InfoByFdAttr {
        bpf_fd: fd_u32(fd),
        info_len: u32::try_from(core::mem::size_of::<T>()).map_err(|_| libc::E2BIG)?,
        info: info as *mut T as u64,
    };
    // SAFETY: the kernel writes at most `info_len` bytes to `info`, a live
    // exclusive borrow of a plain-old-data struct of that size (only
    // ProgInfoHead and LinkInfoHead, all integers, are passed).
    unsafe { bpf(BPF_OBJ_GET_INFO_BY_FD, &mut attr) }.map(|_| ())
}

/// `BPF_OBJ_PIN`: pins `fd` at `path` (on a bpffs).
pub fn obj_pin(fd: BorrowedFd<'_>, path: &CStr) -> Result<(), i32> {
    let mut attr = ObjPinAttr {
        pathname: path.as_ptr() as u64,
        bpf_fd: fd_u32(fd),
        ..ObjPinAttr::default()
    };
    // SAFETY: the kernel reads the path up to its NUL; it outlives the call.
    unsafe { bpf(BPF_OBJ_PIN, &mut attr) }.map(|_| ())
}

/// `BPF_OBJ_GET`: a read-write fd of the object pinned at `path`.
pub fn obj_get(path: &CStr) -> Result<OwnedFd, i32> {
    let mut attr = ObjPinAttr {
        pathname: path.as_ptr() as u64,
        ..ObjPinAttr::default()
    };
    // SAFETY: the kernel reads the path up to its NUL; it outlives the call.
    unsafe { bpf(BPF_OBJ_GET, &mut attr) }.and_then(owned_fd)
}

/// `BPF_MAP_GET_FD_BY_ID`: a read-write fd of map `id` (`CAP_SYS_ADMIN`).
pub fn map_get_fd_by_id(id: u32) -> Result<OwnedFd, i32> {
    let mut attr = GetFdByIdAttr {
        id,
        ..GetFdByIdAttr::default()
    };
    // SAFETY: the attr holds no pointers.
    unsafe { bpf(BPF_MAP_GET_FD_BY_ID, &mut attr) }.and_then(owned_fd)
}

/// The index of network interface `name`.
pub fn if_nametoindex(name: &CStr) -> Result<u32, i32> {
    // SAFETY: `name` is NUL-terminated and outlives the call.
    match unsafe { libc::if_nametoindex(name.as_ptr()) } {
        0 => Err(last_errno()),
        i => Ok(i),
    }
}

/// `BPF_LOAD_FD_MAP_GET_FD`: a read-write fd of the loader's map `name`
/// (needs `CAP_BPF`, where `BPF_MAP_GET_FD_BY_ID` needs `CAP_SYS_ADMIN`).
pub fn loader_map_fd(loader: BorrowedFd<'_>, name: &CStr) -> Result<OwnedFd, i32> {
    let mut attr = LoadFdMapAttr {
        loader_fd: fd_u32(loader),
        name: name.as_ptr() as u64,
        ..LoadFdMapAttr::default()
    };
    // SAFETY: the kernel reads the name up to its NUL; it outlives the call.
    unsafe { bpf(BPF_LOAD_FD_MAP_GET_FD, &mut attr) }.and_then(owned_fd)
}

/// `BPF_RAW_TRACEPOINT_OPEN`: `name` is the tracepoint for raw_tp programs,
/// `None` for BTF-attached ones.
pub fn raw_tracepoint_open(prog: BorrowedFd<'_>, name: Option<&CStr>) -> Result<OwnedFd, i32> {
    let mut attr = RawTpAttr {
        name: name.map_or(0, |n| n.as_ptr() as u64),
        prog_fd: fd_u32(prog),
        ..RawTpAttr::default()
    };
    // SAFETY: the kernel reads the name up to its NUL; it outlives the call.
    unsafe { bpf(BPF_RAW_TRACEPOINT_OPEN, &mut attr) }.and_then(owned_fd)
}

/// `BPF_LINK_CREATE` with no per-type data: tracing, LSM, iterators
/// without parameters, perf events, cgroups (`target` is an fd) and xdp
/// and tcx (`target` is an ifindex).
pub fn link_create(prog: BorrowedFd<'_>, target: u32, attach_type: u32) -> Result<OwnedFd, i32> {
    let mut attr = LinkCreateAttr {
        prog_fd: fd_u32(prog),
        target_fd: target,
        attach_type,
        ..LinkCreateAttr::default()
    };
    // SAFETY: the attr holds no pointers.
    unsafe { bpf(BPF_LINK_CREATE, &mut attr) }.and_then(owned_fd)
}

/// `PERF_TYPE_TRACEPOINT`.
pub const PERF_TYPE_TRACEPOINT: u32 = 2;
/// `PERF_FLAG_FD_CLOEXEC`.
const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 8;

/// `struct perf_event_attr` up to `PERF_ATTR_SIZE_VER5` (112 bytes); the
/// kernel treats the missing tail as zero.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerfEventAttr {
    /// `type`: `PERF_TYPE_TRACEPOINT` or a dynamic PMU (kprobe).
    pub type_: u32,
    /// `size`: of this struct.
    pub size: u32,
    /// `config`: tracepoint id, or the PMU's config bits (retprobe).
    pub config: u64,
    /// `sample_period`.
    pub sample_period: u64,
    /// `sample_type`.
    pub sample_type: u64,
    /// `read_format`.
    pub read_format: u64,
    /// The flag bitfield (`disabled`, `inherit`, ...).
    pub flags: u64,
    /// `wakeup_events`.
    pub wakeup_events: u32,
    /// `bp_type`.
    pub bp_type: u32,
    /// `config1`: user pointer to the kprobe function name.
    pub config1: u64,
    /// `config2`: kprobe offset.
    pub config2: u64,
    /// `branch_sample_type`.
    pub branch_sample_type: u64,
    /// `sample_regs_user`.
    pub sample_regs_user: u64,
    /// `sample_stack_user`.
    pub sample_stack_user: u32,
    /// `clockid`.
    pub clockid: i32,
    /// `sample_regs_intr`.
    pub sample_regs_intr: u64,
    /// `aux_watermark`.
    pub aux_watermark: u32,
    /// `sample_max_stack`.
    pub sample_max_stack: u16,
    /// `__reserved_2`.
    pub reserved_2: u16,
}

const _: () = assert!(core::mem::size_of::<PerfEventAttr>() == 112);

/// perf_event_open(2) on CPU 0 for every process (as libbpf opens
/// tracepoint and kprobe events for BPF). `func` is the kprobe function
/// name `attr.config1` must point to, if any; it is set here.
pub fn perf_event_open(attr: &PerfEventAttr, func: Option<&CStr>) -> Result<OwnedFd, i32> {
    let mut a = *attr;
    a.size = 112;
    if let Some(f) = func {
        a.config1 = f.as_ptr() as u64;
    }
    // SAFETY: `a` is a valid perf_event_attr of `a.size` bytes; the name
    // `config1` points to outlives the call.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            &a as *const PerfEventAttr,
            -1 as libc::pid_t,
            0 as libc::c_int,
            -1 as libc::c_int,
            PERF_FLAG_FD_CLOEXEC,
        )
    };
    if ret < 0 {
        return Err(last_errno());
    }
    owned_fd(ret)
}

/// `BPF_FS_MAGIC`.
const BPF_FS_MAGIC: i64 = 0xcafe_4a11;

/// Whether `path` is on a bpffs (`None` if it cannot be stat'ed).
pub fn is_bpffs(path: &CStr) -> Option<bool> {
    let mut st = core::mem::MaybeUninit::<libc::statfs>::zeroed();
    // SAFETY: `path` is NUL-terminated; `st` is writable statfs storage.
    let ret = unsafe { libc::statfs(path.as_ptr(), st.as_mut_ptr()) };
    if ret != 0 {
        return None;
    }
    // SAFETY: statfs succeeded, so it filled `st` (and it started zeroed).
    let st = unsafe { st.assume_init() };
    #[allow(clippy::unnecessary_cast)]
    Some(st.f_type as i64 == BPF_FS_MAGIC)
}

/// The symbolic name of an errno (`EBADF`), or `errno N`.
pub fn errno_name(e: i32) -> String {
    let name = match e {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::E2BIG => "E2BIG",
        libc::ENOEXEC => "ENOEXEC",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::ENODEV => "ENODEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::ETXTBSY => "ETXTBSY",
        libc::EFBIG => "EFBIG",
        libc::ENOSPC => "ENOSPC",
        libc::ERANGE => "ERANGE",
        libc::ENOSYS => "ENOSYS",
        libc::ELOOP => "ELOOP",
        libc::EOVERFLOW => "EOVERFLOW",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        // The kernel-internal ENOTSUPP that some bpf(2) paths leak.
        524 => "ENOTSUPP",
        _ => return format!("errno {e}"),
    };
    name.to_string()
}

/// `EBADF (Bad file descriptor)`.
pub fn errno_describe(e: i32) -> String {
    let text = std::io::Error::from_raw_os_error(e).to_string();
    // std appends " (os error N)"; keep only the C library's text.
    let text = text.split(" (os error").next().unwrap_or_default();
    format!("{} ({})", errno_name(e), text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn attr_from_request() {
        let maps = [LoadFdMap::new(b"m", 9).unwrap()];
        let mut log = [0u8; 16];
        let req = LoadFdRequest {
            obj_fd: 3,
            maps: &maps,
            log_level: 1,
            log_size: 16,
            token_fd: None,
        };
        let a = build_attr(&req, &mut log).unwrap();
        assert_eq!(a.obj_fd, 3);
        assert_eq!(a.flags, 0);
        assert_eq!(a.token_fd, 0);
        assert_eq!(a.map_cnt, 1);
        assert_eq!(a.maps, maps.as_ptr() as u64);
        assert_eq!(a.log_size, 16);
        assert_eq!(a.log_buf, log.as_ptr() as u64);
        assert_eq!(a._pad, 0);
    }

    #[test]
    fn prog_load_attr_sets_only_the_loader_fields_and_the_log() {
        let name = c"handle_execve";
        let file = std::fs::File::open("/dev/null").unwrap();
        let fd = file.as_fd();
        let mut log = [0u8; 256];
        let req = ProgLoadRequest {
            loader: fd,
            name,
            log_level: 2,
            log_size: 256,
            token_fd: None,
        };
        let a = build_prog_load_attr(&req, &mut log);
        assert_eq!(a.loader_fd, fd.as_raw_fd() as u32);
        assert_eq!(a.loader_prog_name, name.as_ptr() as u64);
        assert_eq!(a.log_level, 2);
        assert_eq!(a.log_size, 256);
        assert_eq!(a.log_buf, log.as_ptr() as u64);
        let zeroed = ProgLoadAttr {
            log_level: a.log_level,
            log_size: a.log_size,
            log_buf: a.log_buf,
            loader_fd: a.loader_fd,
            loader_prog_name: a.loader_prog_name,
            ..ProgLoadAttr::default()
        };
        assert_eq!(a, zeroed, "every other field must stay zero");

        let req = ProgLoadRequest {
            log_level: 0,
            token_fd: Some(5),
            ..req
        };
        let a = build_prog_load_attr(&req, &mut []);
        assert_eq!(a.log_buf, 0);
        assert_eq!(a.log_size, 0);
        assert_eq!(a.prog_flags, BPF_F_TOKEN_FD);
        assert_eq!(a.prog_token_fd, 5);
    }

    #[test]
    fn attr_without_log_or_maps_has_null_pointers() {
        let req = LoadFdRequest {
            obj_fd: -1,
            maps: &[],
            log_level: 0,
            log_size: 0,
            token_fd: Some(7),
        };
        let a = build_attr(&req, &mut []).unwrap();
        assert_eq!(a.obj_fd, u32::MAX);
        assert_eq!(a.maps, 0);
        assert_eq!(a.log_buf, 0);
        assert_eq!(a.log_size, 0);
        assert_eq!(a.flags, BPF_F_TOKEN_FD);
        assert_eq!(a.token_fd, 7);
    }

    #[test]
    fn errno_names() {
        assert_eq!(errno_name(libc::EBADF), "EBADF");
        assert_eq!(errno_name(libc::EOPNOTSUPP), "EOPNOTSUPP");
        assert_eq!(errno_name(4242), "errno 4242");
        assert!(errno_describe(libc::ENOEXEC).starts_with("ENOEXEC ("));
        assert!(!errno_describe(libc::ENOEXEC).contains("os error"));
    }
}

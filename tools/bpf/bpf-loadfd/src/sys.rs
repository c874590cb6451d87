// SPDX-License-Identifier: GPL-2.0

//! The raw bpf(2) call for BPF_LOAD_FD. The only `unsafe` of the shim.

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use crate::uapi::{LoadFdAttr, LoadFdMap, BPF_F_TOKEN_FD, BPF_LOAD_FD};

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
    let size = core::mem::size_of::<LoadFdAttr>() as libc::c_uint;
    // SAFETY: `attr` is a valid, writable repr(C) attr of `size` bytes; the
    // pointers in it (maps, log) stay alive and unmoved until the call
    // returns, and the kernel writes at most `log.len()` bytes to the log.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            BPF_LOAD_FD,
            &mut attr as *mut LoadFdAttr,
            size,
        )
    };
    let result = if ret < 0 {
        Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO))
    } else {
        match RawFd::try_from(ret) {
            // SAFETY: on success bpf(2) returns a new fd that nobody owns yet.
            Ok(fd) => Ok(unsafe { OwnedFd::from_raw_fd(fd) }),
            Err(_) => Err(libc::ERANGE),
        }
    };
    let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
    log.truncate(end);
    LoadFdReply {
        result,
        log,
        log_true_size: attr.log_true_size,
    }
}

/// The symbolic name of an errno (`EBADF`), or `errno N`.
pub fn errno_name(e: i32) -> String {
    let name = match e {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
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

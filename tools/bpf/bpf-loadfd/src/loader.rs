// SPDX-License-Identifier: GPL-2.0

//! The commands that talk to the kernel: `load`, `prog load`, `pin` and
//! `attach`. Each starts with BPF_LOAD_FD on the file; failures print the
//! errno name and the kernel's log lines, and exit 1.

use std::ffi::{CStr, CString};
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bpfobj::bpfobj::limits::NoCheckpoint;
use bpfobj::bpfobj::object::Object;

use crate::args::{LoadArgs, Progs};
use crate::attach::{self, ProgDesc};
use crate::names;
use crate::sha256;
use crate::sys::{self, LoadFdReply};
use crate::sysfs::{self, SysObj, SysProg};
use crate::uapi::LoadFdMap;

/// Exit status of a rejection or failure.
pub const EXIT_FAILED: u8 = 1;
/// Exit status of a usage error.
pub const EXIT_USAGE: u8 = 2;

/// Largest log buffer a retry after `ENOSPC` asks for.
const MAX_LOG_SIZE: u32 = 256 << 20;

fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// Prints a kernel log, one `prefix`ed line per log line, to stderr, and a
/// note if it was truncated.
pub fn print_log(prefix: &str, log: &[u8], log_size: u32, log_true_size: u32) {
    let mut err = std::io::stderr().lock();
    for line in log.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let _ = writeln!(err, "{prefix}{}", lossy(line));
    }
    if log_size != 0 && log_true_size > log_size {
        let _ = writeln!(
            err,
            "bpf-loadfd: log truncated: the kernel needed {log_true_size} bytes, \
             the buffer has {log_size} (use --log-size)"
        );
    }
}

/// A live loader object.
pub struct Loader {
    /// The loader fd (the object lives as long as it).
    pub fd: OwnedFd,
    /// The object file's bytes, as read here.
    pub data: Vec<u8>,
    /// The loader id, if fdinfo could be read.
    pub id: Option<u32>,
    /// The sysfs view, if it could be read.
    pub sys: Option<SysObj>,
}

impl Loader {
    /// The programs of the object: from sysfs, or (if sysfs cannot be read)
    /// from the userspace build of the same core.
    pub fn programs(&self) -> Result<Vec<SysProg>, String> {
        if let Some(s) = &self.sys {
            return Ok(s.progs.clone());
        }
        let obj = Object::parse(&self.data, &NoCheckpoint)
            .map_err(|e| format!("cannot list the programs (no sysfs, and the core says: {e})"))?;
        Ok(obj
            .programs()
            .iter()
            .map(|p| SysProg {
                name: p.name.to_vec(),
                section: lossy(p.section).into_owned(),
                prog_type: p.prog_type,
                expected_attach_type: p.expected_attach_type,
                attach_func: lossy(p.attach_func).into_owned(),
                insn_cnt: p.insn_cnt,
                prog_ids: Vec::new(),
            })
            .collect())
    }
}

/// BPF_LOAD_FD on `l.file`, with its log printed; `Err` is the exit code.
pub fn open_loader(l: &LoadArgs) -> Result<Loader, ExitCode> {
    let mut file = File::open(&l.file).map_err(|e| {
        eprintln!("bpf-loadfd: {}: {e}", l.file.display());
        ExitCode::from(EXIT_FAILED)
    })?;
    let mut data = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut file, &mut data) {
        eprintln!("bpf-loadfd: {}: {e}", l.file.display());
        return Err(ExitCode::from(EXIT_FAILED));
    }
    let mut maps = Vec::with_capacity(l.maps.len());
    for m in &l.maps {
        match LoadFdMap::new(&m.name, m.fd) {
            Some(e) => maps.push(e),
            None => {
                eprintln!("bpf-loadfd: bad map name '{}'", lossy(&m.name));
                return Err(ExitCode::from(EXIT_USAGE));
            }
        }
    }
    let log_level = l.load_fd_log_level();
    let req = sys::LoadFdRequest {
        obj_fd: file.as_raw_fd(),
        maps: &maps,
        log_level,
        log_size: if log_level == 0 { 0 } else { l.log_size },
        token_fd: l.token_fd,
    };
    let reply = sys::load_fd(&req);
    drop(file);
    print_log("kernel: ", &reply.log, req.log_size, reply.log_true_size);
    let fd = match reply.result {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("bpf-loadfd: BPF_LOAD_FD failed: {}", sys::errno_describe(e));
            // With a log requested, every rejection by BPF_LOAD_FD itself
            // reports a log size; none means the attr was refused before.
            if req.log_level != 0 && reply.log_true_size == 0 && e == libc::EINVAL {
                eprintln!(
                    "bpf-loadfd: no log came back: the attr was refused before BPF_LOAD_FD \
                     ran (bad --log-level, or a kernel without the command; 6.17+ kernels \
                     use command 37 for BPF_PROG_STREAM_READ_BY_FD)"
                );
            }
            return Err(ExitCode::from(EXIT_FAILED));
        }
    };
    let id = match sysfs::loader_id(fd.as_raw_fd()) {
        Ok(id) => Some(id),
        Err(e) => {
            eprintln!("bpf-loadfd: warning: no loader id: {e}");
            None
        }
    };
    let sys = id.and_then(
        |id| match sysfs::read_obj(Path::new(sysfs::SYSFS_ROOT), id) {
            Ok(o) => Some(o),
            Err(e) => {
                eprintln!("bpf-loadfd: warning: cannot read the loader's sysfs directory: {e}");
                None
            }
        },
    );
    Ok(Loader { fd, data, id, sys })
}

/// `bpf-loadfd load`.
pub fn cmd_load(l: &LoadArgs) -> ExitCode {
    let ld = match open_loader(l) {
        Ok(ld) => ld,
        Err(code) => return code,
    };
    let fd = ld.fd.as_raw_fd();
    let Some(o) = &ld.sys else {
        match ld.id {
            Some(id) => println!("loader: fd {fd}, id {id} (sysfs not readable)"),
            None => println!("loader: fd {fd}"),
        }
        return ExitCode::SUCCESS;
    };
    println!("loader: fd {fd}, id {} ({})", o.id, o.dir.display());
    let ours = sha256::hex(&ld.data);
    let same = if ours == o.sha256 {
        format!("matches {}", l.file.display())
    } else {
        format!("{} now hashes to {ours}: it changed", l.file.display())
    };
    println!("  sha256:  {} ({same})", o.sha256);
    println!("  file:    dev {} ino {}", o.dev, o.ino);
    println!("  license: {}", o.license);
    println!("programs: {}", o.progs.len());
    for p in &o.progs {
        println!("  {}", lossy(&p.name));
        println!("    section:              {}", p.section);
        println!(
            "    prog_type:            {}",
            names::prog_type_label(p.prog_type)
        );
        println!(
            "    expected_attach_type: {}",
            names::attach_type_label(p.prog_type, p.expected_attach_type)
        );
        println!(
            "    attach_func:          {}",
            if p.attach_func.is_empty() {
                "-"
            } else {
                &p.attach_func
            }
        );
        println!("    insn_cnt:             {}", p.insn_cnt);
    }
    println!("maps: {}", o.maps.len());
    for m in &o.maps {
        println!(
            "  {}: id {}, {}",
            lossy(&m.name),
            m.id,
            if m.created { "created" } else { "supplied" }
        );
    }
    ExitCode::SUCCESS
}

/// A program loaded by name.
pub struct LoadedProg {
    /// Its fd.
    pub fd: OwnedFd,
    /// Its id.
    pub id: u32,
}

fn prog_load_once(
    loader: BorrowedFd<'_>,
    name: &CStr,
    log_level: u32,
    log_size: u32,
    token_fd: Option<i32>,
) -> (LoadFdReply, u32) {
    let log_size = if log_level == 0 { 0 } else { log_size };
    let mut reply = sys::prog_load(&sys::ProgLoadRequest {
        loader,
        name,
        log_level,
        log_size,
        token_fd,
    });
    // A full log buffer turns any result into ENOSPC: retry once with the
    // size the kernel asked for.
    if reply.result.as_ref().err() == Some(&libc::ENOSPC)
        && log_size != 0
        && reply.log_true_size > log_size
        && reply.log_true_size <= MAX_LOG_SIZE
    {
        let bigger = reply.log_true_size;
        reply = sys::prog_load(&sys::ProgLoadRequest {
            loader,
            name,
            log_level,
            log_size: bigger,
            token_fd,
        });
        return (reply, bigger);
    }
    (reply, log_size)
}

/// BPF_PROG_LOAD of `name` from the loader; prints `NAME: prog id N` or the
/// error and the log. `log_level` `None`: no log, retried with 1 on failure.
pub fn load_prog(ld: &Loader, l: &LoadArgs, name: &[u8]) -> Option<LoadedProg> {
    let shown = lossy(name).into_owned();
    let Ok(cname) = CString::new(name) else {
        eprintln!("{shown}: BPF_PROG_LOAD failed: the name contains a NUL byte");
        return None;
    };
    let level = l.log_level.unwrap_or(0);
    let (mut reply, mut size) =
        prog_load_once(ld.fd.as_fd(), &cname, level, l.log_size, l.token_fd);
    let first_err = reply.result.as_ref().err().copied();
    if let (None, Some(_)) = (l.log_level, first_err) {
        if l.log_size != 0 {
            (reply, size) = prog_load_once(ld.fd.as_fd(), &cname, 1, l.log_size, l.token_fd);
        }
    }
    match reply.result {
        Ok(fd) => {
            if !reply.log.is_empty() {
                print_log("  verifier: ", &reply.log, size, reply.log_true_size);
            }
            match sys::prog_info(fd.as_fd()) {
                Ok(info) => {
                    println!("{shown}: prog id {}", info.id);
                    Some(LoadedProg { fd, id: info.id })
                }
                Err(e) => {
                    eprintln!(
                        "{shown}: loaded (fd {}), but BPF_OBJ_GET_INFO_BY_FD failed: {}",
                        fd.as_raw_fd(),
                        sys::errno_describe(e)
                    );
                    None
                }
            }
        }
        Err(e) => {
            // The retry's errno unless the retry only hit a full log.
            let e = match first_err {
                Some(first) if e == libc::ENOSPC => first,
                _ => e,
            };
            eprintln!("{shown}: BPF_PROG_LOAD failed: {}", sys::errno_describe(e));
            print_log("  verifier: ", &reply.log, size, reply.log_true_size);
            None
        }
    }
}

/// The names `progs` selects.
fn selected(ld: &Loader, progs: &Progs) -> Result<Vec<Vec<u8>>, String> {
    match progs {
        Progs::One(n) => Ok(vec![n.clone()]),
        Progs::All => {
            let all: Vec<Vec<u8>> = ld.programs()?.into_iter().map(|p| p.name).collect();
            if all.is_empty() {
                return Err("the object has no programs".to_string());
            }
            Ok(all)
        }
    }
}

/// `bpf-loadfd prog load`.
pub fn cmd_prog_load(l: &LoadArgs, progs: &Progs) -> ExitCode {
    let ld = match open_loader(l) {
        Ok(ld) => ld,
        Err(code) => return code,
    };
    let names = match selected(&ld, progs) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("bpf-loadfd: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let mut ok = true;
    let mut loaded = Vec::new();
    for n in &names {
        match load_prog(&ld, l, n) {
            Some(p) => loaded.push(p),
            None => ok = false,
        }
    }
    if !loaded.is_empty() {
        eprintln!(
            "bpf-loadfd: the programs are freed when bpf-loadfd exits; use 'pin' or 'attach' \
             to keep them"
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}

/// A bpffs file name for an object name: bpffs refuses names with dots
/// (they are reserved), so `.` becomes `_`, as libbpf does for pin paths;
/// `/` (impossible in symbol names, but a directory separator) too.
pub fn pin_name(name: &[u8]) -> Vec<u8> {
    name.iter()
        .map(|&c| if c == b'.' || c == b'/' { b'_' } else { c })
        .collect()
}

fn cpath(p: &Path) -> Result<CString, String> {
    CString::new(p.as_os_str().as_bytes())
        .map_err(|_| format!("{}: path contains a NUL byte", p.display()))
}

/// Checks that `dir` is (or would be created) on a bpffs, then creates it
/// if needed. Nothing is created outside a bpffs.
fn bpffs_dir(dir: &Path) -> Result<(), String> {
    let existing = dir
        .ancestors()
        .find(|a| !a.as_os_str().is_empty() && a.exists())
        .unwrap_or(Path::new("."));
    match sys::is_bpffs(&cpath(existing)?) {
        Some(true) => {}
        Some(false) => {
            return Err(format!(
                "{} is not on a bpffs (mount -t bpf bpf /sys/fs/bpf)",
                dir.display()
            ))
        }
        None => return Err(format!("{}: statfs failed", existing.display())),
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

fn pin_at(fd: BorrowedFd<'_>, path: &Path) -> Result<(), String> {
    sys::obj_pin(fd, &cpath(path)?)
        .map_err(|e| format!("BPF_OBJ_PIN {}: {}", path.display(), sys::errno_describe(e)))
}

/// `bpf-loadfd pin`.
pub fn cmd_pin(l: &LoadArgs, progs: &Progs, dir: &Path, pin_maps: bool) -> ExitCode {
    let fail = |e: String| {
        eprintln!("bpf-loadfd: {e}");
        ExitCode::from(EXIT_FAILED)
    };
    if let Err(e) = bpffs_dir(dir) {
        return fail(e);
    }
    let ld = match open_loader(l) {
        Ok(ld) => ld,
        Err(code) => return code,
    };
    let names = match selected(&ld, progs) {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let mut ok = true;
    for n in &names {
        let Some(p) = load_prog(&ld, l, n) else {
            ok = false;
            continue;
        };
        let path = dir.join(std::ffi::OsStr::from_bytes(&pin_name(n)));
        match pin_at(p.fd.as_fd(), &path) {
            Ok(()) => println!(
                "{}: prog id {} pinned at {}",
                lossy(n),
                p.id,
                path.display()
            ),
            Err(e) => {
                eprintln!("{}: {e}", lossy(n));
                ok = false;
            }
        }
    }
    if pin_maps {
        ok &= pin_created_maps(&ld, &dir.join("maps"));
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}

fn pin_created_maps(ld: &Loader, dir: &Path) -> bool {
    let Some(o) = &ld.sys else {
        eprintln!("bpf-loadfd: --maps needs the loader's sysfs directory for the map ids");
        return false;
    };
    let created: Vec<_> = o.maps.iter().filter(|m| m.created).collect();
    if created.is_empty() {
        println!("maps: none created by the kernel");
        return true;
    }
    if let Err(e) = bpffs_dir(dir) {
        eprintln!("bpf-loadfd: {e}");
        return false;
    }
    let mut ok = true;
    for m in created {
        let path = dir.join(std::ffi::OsStr::from_bytes(&pin_name(&m.name)));
        let r = std::ffi::CString::new(m.name.clone())
            .map_err(|_| "map name with a NUL byte".to_string())
            .and_then(|name| {
                sys::loader_map_fd(ld.fd.as_fd(), &name)
                    .map_err(|e| format!("BPF_LOAD_FD_MAP_GET_FD: {}", sys::errno_describe(e)))
            })
            .and_then(|fd| pin_at(fd.as_fd(), &path));
        match r {
            Ok(()) => println!(
                "map {}: id {} pinned at {}",
                lossy(&m.name),
                m.id,
                path.display()
            ),
            Err(e) => {
                eprintln!("map {}: {e}", lossy(&m.name));
                ok = false;
            }
        }
    }
    ok
}

/// `bpf-loadfd attach`.
pub fn cmd_attach(l: &LoadArgs, name: &[u8], pin: &Path, maps: bool) -> ExitCode {
    let fail = |e: String| {
        eprintln!("bpf-loadfd: {e}");
        ExitCode::from(EXIT_FAILED)
    };
    let parent = match pin.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Err(e) = bpffs_dir(&parent) {
        return fail(e);
    }
    let ld = match open_loader(l) {
        Ok(ld) => ld,
        Err(code) => return code,
    };
    let progs = match ld.programs() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let Some(desc) = progs.iter().find(|p| p.name == name) else {
        return fail(format!("the object has no program '{}'", lossy(name)));
    };
    let plan = match attach::plan(&ProgDesc {
        section: &desc.section,
        prog_type: desc.prog_type,
        expected_attach_type: desc.expected_attach_type,
        attach_func: &desc.attach_func,
    }) {
        Ok(p) => p,
        Err(e) => return fail(format!("{}: {e}", lossy(name))),
    };
    let Some(p) = load_prog(&ld, l, name) else {
        return ExitCode::from(EXIT_FAILED);
    };
    let link = match attach::attach(p.fd.as_fd(), &plan) {
        Ok(link) => link,
        Err(e) => {
            return fail(format!(
                "{}: attach ({}) failed: {e}",
                lossy(name),
                plan.describe()
            ))
        }
    };
    if let Err(e) = pin_at(link.as_fd(), pin) {
        return fail(format!(
            "{}: attached, but pinning the link failed, so it is detached on exit: {e}",
            lossy(name)
        ));
    }
    // The maps through BPF_LOAD_FD_MAP_GET_FD while the loader fd is open:
    // once this exits, only their ids (and CAP_SYS_ADMIN) would reach them.
    if maps && !pin_created_maps(&ld, &parent.join("maps")) {
        return ExitCode::from(EXIT_FAILED);
    }
    let link_desc = match sys::link_info(link.as_fd()) {
        Ok(i) => format!("link id {} ({})", i.id, names::link_type_label(i.link_type)),
        Err(e) => format!("link (BPF_OBJ_GET_INFO_BY_FD: {})", sys::errno_describe(e)),
    };
    println!(
        "{}: prog id {}, {} via {}, pinned at {} (rm it to detach)",
        lossy(name),
        p.id,
        link_desc,
        plan.describe(),
        pin.display()
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_names_avoid_dots() {
        assert_eq!(pin_name(b".bss"), b"_bss");
        assert_eq!(pin_name(b".rodata.str1.1"), b"_rodata_str1_1");
        assert_eq!(pin_name(b"handle_execve"), b"handle_execve");
        assert_eq!(pin_name(b"a/b"), b"a_b");
    }
}

// SPDX-License-Identifier: GPL-2.0

//! The commands that talk to the kernel: `load`, `prog load`, `pin` and
//! `attach`. Each starts with BPF_LOAD_FD on the file; failures print the
//! errno name and the kernel's log lines on stderr, and exit 1.

use std::ffi::{CStr, CString};
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bpfobj::checkpoint::NoCheckpoint;
use bpfobj::object::Object;
use sha2::{Digest as _, Sha256};

use crate::args::{AttachArgs, LoadArgs, MapArg, MapSource, PinArgs, Progs};
use crate::attach::{self, ProgDesc};
use crate::names;
use crate::report::{
    self, AttachReport, FileReport, LoadReport, MapInfo, MapPin, ObjReport, ProgInfo, ProgResult,
    ProgsReport,
};
use crate::sys::{self, LoadFdReply, Probe};
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
                error: String::new(),
            })
            .collect())
    }
}

fn failed(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("bpf-loadfd: {e}");
    ExitCode::from(EXIT_FAILED)
}

/// The fd for a `--map`, and the fd this process opened for it (kept open
/// until BPF_LOAD_FD has taken its own reference).
fn map_fd(m: &MapArg) -> Result<(u32, Option<OwnedFd>), String> {
    let opened = match &m.source {
        MapSource::Fd(fd) => return Ok((fd.unsigned_abs(), None)),
        MapSource::Pinned(path) => sys::obj_get(&cpath(path)?).map_err(|e| {
            format!(
                "--map {}: BPF_OBJ_GET {}: {}",
                m.name,
                path.display(),
                sys::errno_describe(e)
            )
        })?,
        MapSource::Id(id) => sys::map_get_fd_by_id(*id).map_err(|e| {
            format!(
                "--map {}: BPF_MAP_GET_FD_BY_ID {id}: {}",
                m.name,
                sys::errno_describe(e)
            )
        })?,
    };
    Ok((opened.as_raw_fd().unsigned_abs(), Some(opened)))
}

/// BPF_LOAD_FD on `l.file`, with its log printed; `Err` is the exit code.
pub fn open_loader(l: &LoadArgs) -> Result<Loader, ExitCode> {
    match sys::probe_load_fd() {
        Probe::Absent => return Err(failed("this kernel has no BPF_LOAD_FD")),
        Probe::Present | Probe::Unknown(_) => {}
    }
    let mut file = File::open(&l.file).map_err(|e| failed(format!("{}: {e}", l.file.display())))?;
    let mut data = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut file, &mut data) {
        return Err(failed(format!("{}: {e}", l.file.display())));
    }
    let mut maps = Vec::with_capacity(l.maps.len());
    let mut opened = Vec::new();
    for m in &l.maps {
        let (fd, owned) = map_fd(m).map_err(failed)?;
        opened.extend(owned);
        // args::parse_map checked the name already.
        let entry = LoadFdMap::new(m.name.as_bytes(), fd)
            .ok_or_else(|| failed(format!("--map {}: bad map name", m.name)))?;
        maps.push(entry);
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
    drop((file, opened));
    print_log("kernel: ", &reply.log, req.log_size, reply.log_true_size);
    let fd = match reply.result {
        Ok(fd) => fd,
        Err(e) => {
            return Err(failed(format!(
                "BPF_LOAD_FD failed: {}",
                sys::errno_describe(e)
            )))
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

fn obj_report(o: &SysObj, file: &Path, data: &[u8]) -> ObjReport {
    let ours = format!("{:x}", Sha256::digest(data));
    ObjReport {
        sysfs: o.dir.display().to_string(),
        sha256: o.sha256.clone(),
        file: FileReport {
            path: file.display().to_string(),
            matches: ours == o.sha256,
            sha256: ours,
            dev: o.dev.clone(),
            ino: o.ino,
        },
        license: o.license.clone(),
        programs: o
            .progs
            .iter()
            .map(|p| ProgInfo {
                name: lossy(&p.name).into_owned(),
                section: p.section.clone(),
                prog_type: p.prog_type,
                prog_type_name: names::prog_type(p.prog_type),
                expected_attach_type: p.expected_attach_type,
                expected_attach_type_name: names::expected_attach_type(
                    p.prog_type,
                    p.expected_attach_type,
                ),
                attach_func: p.attach_func.clone(),
                insn_cnt: p.insn_cnt,
                error: (!p.error.is_empty()).then(|| p.error.clone()),
            })
            .collect(),
        maps: o
            .maps
            .iter()
            .map(|m| MapInfo {
                name: lossy(&m.name).into_owned(),
                id: m.id,
                created: m.created,
            })
            .collect(),
    }
}

/// `bpf-loadfd load`.
pub fn cmd_load(l: &LoadArgs, json: bool) -> ExitCode {
    let ld = match open_loader(l) {
        Ok(ld) => ld,
        Err(code) => return code,
    };
    let r = LoadReport {
        fd: ld.fd.as_raw_fd(),
        id: ld.id,
        object: ld.sys.as_ref().map(|o| obj_report(o, &l.file, &ld.data)),
    };
    report::emit(json, &r);
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

/// BPF_PROG_LOAD of `name` from the loader; on failure prints the error
/// and the log, and returns the error. `log_level` `None`: no log, retried
/// with 1 on failure.
pub fn load_prog(ld: &Loader, l: &LoadArgs, name: &[u8]) -> Result<LoadedProg, String> {
    let shown = lossy(name).into_owned();
    let fail = |e: String| {
        eprintln!("{shown}: {e}");
        e
    };
    let Ok(cname) = CString::new(name) else {
        return Err(fail(
            "BPF_PROG_LOAD failed: the name contains a NUL byte".into(),
        ));
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
                Ok(info) => Ok(LoadedProg { fd, id: info.id }),
                Err(e) => Err(fail(format!(
                    "loaded (fd {}), but BPF_OBJ_GET_INFO_BY_FD failed: {}",
                    fd.as_raw_fd(),
                    sys::errno_describe(e)
                ))),
            }
        }
        Err(e) => {
            // The retry's errno unless the retry only hit a full log.
            let e = match first_err {
                Some(first) if e == libc::ENOSPC => first,
                _ => e,
            };
            let e = fail(format!("BPF_PROG_LOAD failed: {}", sys::errno_describe(e)));
            print_log("  verifier: ", &reply.log, size, reply.log_true_size);
            Err(e)
        }
    }
}

/// The names `progs` selects.
fn selected(ld: &Loader, progs: &Progs) -> Result<Vec<Vec<u8>>, String> {
    match progs {
        Progs::One(n) => Ok(vec![n.as_bytes().to_vec()]),
        Progs::All => {
            let all: Vec<Vec<u8>> = ld.programs()?.into_iter().map(|p| p.name).collect();
            if all.is_empty() {
                return Err("the object has no programs".to_string());
            }
            Ok(all)
        }
    }
}

/// Loads the programs `progs` selects, and pins each in `dir` if given.
fn load_progs(ld: &Loader, l: &LoadArgs, progs: &Progs, dir: Option<&Path>) -> ProgsReport {
    let names = match selected(ld, progs) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("bpf-loadfd: {e}");
            return ProgsReport::default();
        }
    };
    let mut r = ProgsReport::default();
    for n in &names {
        let mut res = ProgResult {
            name: lossy(n).into_owned(),
            ..ProgResult::default()
        };
        match load_prog(ld, l, n) {
            Ok(p) => {
                res.prog_id = Some(p.id);
                if let Some(dir) = dir {
                    let path = dir.join(std::ffi::OsStr::from_bytes(&pin_name(n)));
                    match pin_at(p.fd.as_fd(), &path) {
                        Ok(()) => res.pinned = Some(path.display().to_string()),
                        Err(e) => {
                            eprintln!("{}: {e}", res.name);
                            res.error = Some(e);
                        }
                    }
                }
            }
            Err(e) => res.error = Some(e),
        }
        r.programs.push(res);
    }
    r
}

fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    }
}

/// Whether every step of `r` worked.
fn all_ok(r: &ProgsReport) -> bool {
    let maps_ok = r
        .maps
        .as_ref()
        .map_or(true, |m| m.iter().all(|m| m.error.is_none()));
    !r.programs.is_empty() && r.programs.iter().all(|p| p.error.is_none()) && maps_ok
}

/// `bpf-loadfd prog load`.
pub fn cmd_prog_load(l: &LoadArgs, progs: &Progs, json: bool) -> ExitCode {
    let ld = match open_loader(l) {
        Ok(ld) => ld,
        Err(code) => return code,
    };
    let r = load_progs(&ld, l, progs, None);
    if r.programs.iter().any(|p| p.prog_id.is_some()) {
        eprintln!(
            "bpf-loadfd: the programs are freed when bpf-loadfd exits; use 'pin' or 'attach' \
             to keep them"
        );
    }
    report::emit(json, &r);
    exit_code(all_ok(&r))
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
pub fn cmd_pin(a: &PinArgs, json: bool) -> ExitCode {
    if let Err(e) = bpffs_dir(&a.dir) {
        return failed(e);
    }
    let ld = match open_loader(&a.load) {
        Ok(ld) => ld,
        Err(code) => return code,
    };
    let mut r = load_progs(&ld, &a.load, &a.progs(), Some(&a.dir));
    if a.maps {
        r.maps = pin_created_maps(&ld, &a.dir.join("maps"));
    }
    report::emit(json, &r);
    exit_code(all_ok(&r) && (r.maps.is_some() || !a.maps))
}

/// Pins the maps the kernel created at `dir/NAME`; `None` (after saying
/// why) if they cannot be listed.
fn pin_created_maps(ld: &Loader, dir: &Path) -> Option<Vec<MapPin>> {
    let Some(o) = &ld.sys else {
        eprintln!("bpf-loadfd: --maps needs the loader's sysfs directory for the map ids");
        return None;
    };
    let created: Vec<_> = o.maps.iter().filter(|m| m.created).collect();
    if created.is_empty() {
        return Some(Vec::new());
    }
    if let Err(e) = bpffs_dir(dir) {
        eprintln!("bpf-loadfd: {e}");
        return None;
    }
    let mut out = Vec::new();
    for m in created {
        let path = dir.join(std::ffi::OsStr::from_bytes(&pin_name(&m.name)));
        let r = CString::new(m.name.clone())
            .map_err(|_| "map name with a NUL byte".to_string())
            .and_then(|name| {
                sys::loader_map_fd(ld.fd.as_fd(), &name)
                    .map_err(|e| format!("BPF_LOAD_FD_MAP_GET_FD: {}", sys::errno_describe(e)))
            })
            .and_then(|fd| pin_at(fd.as_fd(), &path));
        let mut pin = MapPin {
            name: lossy(&m.name).into_owned(),
            id: m.id,
            ..MapPin::default()
        };
        match r {
            Ok(()) => pin.pinned = Some(path.display().to_string()),
            Err(e) => {
                eprintln!("map {}: {e}", pin.name);
                pin.error = Some(e);
            }
        }
        out.push(pin);
    }
    Some(out)
}

/// `bpf-loadfd attach`.
pub fn cmd_attach(a: &AttachArgs, json: bool) -> ExitCode {
    let (l, name, pin) = (&a.load, a.name.as_bytes(), &a.pin);
    let parent = match pin.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Err(e) = bpffs_dir(&parent) {
        return failed(e);
    }
    let ld = match open_loader(l) {
        Ok(ld) => ld,
        Err(code) => return code,
    };
    let progs = match ld.programs() {
        Ok(p) => p,
        Err(e) => return failed(e),
    };
    let Some(desc) = progs.iter().find(|p| p.name == name) else {
        return failed(format!("the object has no program '{}'", a.name));
    };
    let desc = ProgDesc {
        section: &desc.section,
        prog_type: desc.prog_type,
        expected_attach_type: desc.expected_attach_type,
        attach_func: &desc.attach_func,
    };
    let plan = match attach::plan(&desc, &a.target) {
        Ok(p) => p,
        Err(e) => return failed(format!("{}: {e}", a.name)),
    };
    let Ok(p) = load_prog(&ld, l, name) else {
        return ExitCode::from(EXIT_FAILED);
    };
    let link = match attach::attach(p.fd.as_fd(), &plan) {
        Ok(link) => link,
        Err(e) => {
            return failed(format!(
                "{}: attach ({}) failed: {e}",
                a.name,
                plan.describe()
            ))
        }
    };
    if let Err(e) = pin_at(link.as_fd(), pin) {
        return failed(format!(
            "{}: attached, but pinning the link failed, so it is detached on exit: {e}",
            a.name
        ));
    }
    // The maps through BPF_LOAD_FD_MAP_GET_FD while the loader fd is open:
    // once this exits, only their ids (and CAP_SYS_ADMIN) would reach them.
    let maps = a.maps.then(|| pin_created_maps(&ld, &parent.join("maps")));
    let maps_ok = match &maps {
        Some(Some(m)) => m.iter().all(|m| m.error.is_none()),
        Some(None) => false,
        None => true,
    };
    let info = sys::link_info(link.as_fd());
    let r = AttachReport {
        program: a.name.clone(),
        prog_id: p.id,
        link_id: info.as_ref().ok().map(|i| i.id),
        link_type: info.as_ref().ok().map(|i| i.link_type),
        link_type_name: info
            .as_ref()
            .ok()
            .and_then(|i| names::link_type(i.link_type)),
        link_info_error: info.as_ref().err().map(|e| sys::errno_describe(*e)),
        attach: plan.describe(),
        pinned: pin.display().to_string(),
        maps: maps.flatten(),
    };
    report::emit(json, &r);
    exit_code(maps_ok)
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

    #[test]
    fn map_sources() {
        let m = |source| MapArg {
            name: "m".into(),
            source,
        };
        assert!(matches!(map_fd(&m(MapSource::Fd(5))), Ok((5, None))));
        // The errno depends on the host (ENOENT, EPERM, ...); the message
        // names the option, the command and the path.
        let e = map_fd(&m(MapSource::Pinned("/nonexistent/m".into()))).unwrap_err();
        assert!(
            e.starts_with("--map m: BPF_OBJ_GET /nonexistent/m: E"),
            "{e}"
        );
        let e = map_fd(&m(MapSource::Id(u32::MAX))).unwrap_err();
        assert!(
            e.starts_with("--map m: BPF_MAP_GET_FD_BY_ID 4294967295: E"),
            "{e}"
        );
    }
}

// SPDX-License-Identifier: GPL-2.0

//! Reading a loader object back: its id from `/proc/self/fdinfo/<fd>`
//! (`loadfd_id:`) and its description from `/sys/kernel/bpf_loadfd/<id>/`
//! (Documentation/ABI/testing/sysfs-kernel-bpf_loadfd).

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Where the loader objects appear.
pub const SYSFS_ROOT: &str = "/sys/kernel/bpf_loadfd";

/// The `loadfd_id:` value of a loader fd's fdinfo text.
pub fn parse_fdinfo_id(fdinfo: &str) -> Option<u32> {
    fdinfo.lines().find_map(|l| {
        let v = l.strip_prefix("loadfd_id:")?;
        v.trim().parse().ok()
    })
}

/// The loader id of `fd` in this process.
pub fn loader_id(fd: i32) -> io::Result<u32> {
    let text = fs::read_to_string(format!("/proc/self/fdinfo/{fd}"))?;
    parse_fdinfo_id(&text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("/proc/self/fdinfo/{fd} has no loadfd_id line"),
        )
    })
}

/// One program of a loader object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SysProg {
    /// The ELF symbol name (the directory name).
    pub name: Vec<u8>,
    /// SEC name.
    pub section: String,
    /// `enum bpf_prog_type`.
    pub prog_type: u32,
    /// `enum bpf_attach_type`.
    pub expected_attach_type: u32,
    /// Attach target from the SEC name (empty if none).
    pub attach_func: String,
    /// Relocated instructions, subprograms included.
    pub insn_cnt: u32,
    /// Ids of the programs loaded from it so far.
    pub prog_ids: Vec<u32>,
    /// Why it cannot be loaded by name (it does not relocate); empty if it
    /// can.
    pub error: String,
}

/// One map of a loader object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SysMap {
    /// Map name (`.bss` for global data).
    pub name: Vec<u8>,
    /// Map id.
    pub id: u32,
    /// `true` if the kernel created it, `false` if the caller supplied it.
    pub created: bool,
}

/// A loader object as sysfs describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SysObj {
    /// The directory read.
    pub dir: PathBuf,
    /// Loader id.
    pub id: u32,
    /// SHA-256 of the bytes the kernel read (hex).
    pub sha256: String,
    /// `major:minor` of the file's device.
    pub dev: String,
    /// Inode number of the file.
    pub ino: u64,
    /// License string.
    pub license: String,
    /// Programs, sorted by name.
    pub progs: Vec<SysProg>,
    /// Maps, sorted by name.
    pub maps: Vec<SysMap>,
}

fn read_attr(dir: &Path, name: &str) -> io::Result<String> {
    let p = dir.join(name);
    let mut s = fs::read_to_string(&p)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

fn read_num<T: std::str::FromStr>(dir: &Path, name: &str) -> io::Result<T> {
    let s = read_attr(dir, name)?;
    s.parse().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: '{s}' is not a number", dir.join(name).display()),
        )
    })
}

/// The subdirectories of `dir`, sorted by name.
fn subdirs(dir: &Path) -> io::Result<Vec<(Vec<u8>, PathBuf)>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?
    {
        let e = e?;
        if e.file_type()?.is_dir() {
            out.push((e.file_name().as_bytes().to_vec(), e.path()));
        }
    }
    out.sort();
    Ok(out)
}

fn read_prog(name: Vec<u8>, d: &Path) -> io::Result<SysProg> {
    let ids = read_attr(d, "prog_ids")?;
    let prog_ids = ids
        .split_whitespace()
        .map(|s| {
            s.parse().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: bad id '{s}'", d.join("prog_ids").display()),
                )
            })
        })
        .collect::<io::Result<Vec<u32>>>()?;
    Ok(SysProg {
        name,
        section: read_attr(d, "section")?,
        prog_type: read_num(d, "prog_type")?,
        expected_attach_type: read_num(d, "expected_attach_type")?,
        attach_func: read_attr(d, "attach_func")?,
        insn_cnt: read_num(d, "insn_cnt")?,
        prog_ids,
        // Absent before the series had partial objects.
        error: read_attr(d, "error").unwrap_or_default(),
    })
}

fn read_map(name: Vec<u8>, d: &Path) -> io::Result<SysMap> {
    let origin = read_attr(d, "origin")?;
    // ", pinned": also pinned by name in the caller's pin directory.
    let created = match origin.strip_suffix(", pinned").unwrap_or(&origin) {
        // "resized N (file: M)": created with the size the caller declared.
        o if o == "created" || o.starts_with("resized ") => true,
        // "reused": a map pinned by name that was already there.
        "supplied" | "reused" => false,
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: unknown origin '{origin}'", d.join("origin").display()),
            ))
        }
    };
    Ok(SysMap {
        name,
        id: read_num(d, "id")?,
        created,
    })
}

/// Reads loader object `id` under `root` (normally [`SYSFS_ROOT`]).
pub fn read_obj(root: &Path, id: u32) -> io::Result<SysObj> {
    let dir = root.join(id.to_string());
    let mut progs = Vec::new();
    for (name, d) in subdirs(&dir.join("programs"))? {
        progs.push(read_prog(name, &d)?);
    }
    let mut maps = Vec::new();
    for (name, d) in subdirs(&dir.join("maps"))? {
        maps.push(read_map(name, &d)?);
    }
    Ok(SysObj {
        id: read_num(&dir, "id")?,
        sha256: read_attr(&dir, "sha256")?,
        dev: read_attr(&dir, "dev")?,
        ino: read_num(&dir, "ino")?,
        license: read_attr(&dir, "license")?,
        progs,
        maps,
        dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdinfo_id() {
        let text = "pos:\t0\nflags:\t02000000\nmnt_id:\t16\nino:\t1057\n\
                    loadfd_id:\t7\nprogs:\t2\nmaps:\t3\n";
        assert_eq!(parse_fdinfo_id(text), Some(7));
        assert_eq!(parse_fdinfo_id("pos:\t0\n"), None);
        assert_eq!(parse_fdinfo_id("loadfd_id:\tx\n"), None);
    }

    fn write(p: &Path, s: &str) {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, s).unwrap();
    }

    fn fake_tree() -> PathBuf {
        let root = std::env::temp_dir().join(format!("bpf-loadfd-sysfs-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let o = root.join("3");
        write(&o.join("id"), "3\n");
        write(&o.join("sha256"), &format!("{}\n", "ab".repeat(32)));
        write(&o.join("dev"), "254:1\n");
        write(&o.join("ino"), "1057\n");
        write(&o.join("license"), "GPL\n");
        let p = o.join("programs/handle_execve");
        write(&p.join("section"), "tracepoint/syscalls/sys_enter_execve\n");
        write(&p.join("prog_type"), "5\n");
        write(&p.join("expected_attach_type"), "0\n");
        write(&p.join("attach_func"), "syscalls/sys_enter_execve\n");
        write(&p.join("insn_cnt"), "12\n");
        write(&p.join("prog_ids"), "41 42\n");
        write(&p.join("error"), "\n");
        let p = o.join("programs/another");
        write(&p.join("section"), "fentry/do_unlinkat\n");
        write(&p.join("prog_type"), "26\n");
        write(&p.join("expected_attach_type"), "24\n");
        write(&p.join("attach_func"), "do_unlinkat\n");
        write(&p.join("insn_cnt"), "3\n");
        write(&p.join("prog_ids"), "\n");
        write(&p.join("error"), "relocations: call to nowhere\n");
        let m = o.join("maps/.bss");
        write(&m.join("id"), "17\n");
        write(&m.join("origin"), "created\n");
        let m = o.join("maps/execve_count");
        write(&m.join("id"), "9\n");
        write(&m.join("origin"), "supplied\n");
        let m = o.join("maps/sized");
        write(&m.join("id"), "10\n");
        write(&m.join("origin"), "resized 1024 (file: 16)\n");
        let m = o.join("maps/shared");
        write(&m.join("id"), "11\n");
        write(&m.join("origin"), "reused\n");
        let m = o.join("maps/stats");
        write(&m.join("id"), "12\n");
        write(&m.join("origin"), "created, pinned\n");
        root
    }

    #[test]
    fn reads_a_loader_directory() {
        let root = fake_tree();
        let o = read_obj(&root, 3).unwrap();
        assert_eq!(o.id, 3);
        assert_eq!(o.sha256.len(), 64);
        assert_eq!(o.dev, "254:1");
        assert_eq!(o.ino, 1057);
        assert_eq!(o.license, "GPL");
        assert_eq!(o.progs.len(), 2);
        assert_eq!(o.progs[0].name, b"another");
        assert_eq!(o.progs[0].prog_ids, Vec::<u32>::new());
        assert_eq!(o.progs[0].expected_attach_type, 24);
        assert_eq!(o.progs[0].error, "relocations: call to nowhere");
        let p = &o.progs[1];
        assert_eq!(p.name, b"handle_execve");
        assert_eq!(p.section, "tracepoint/syscalls/sys_enter_execve");
        assert_eq!(p.prog_type, 5);
        assert_eq!(p.attach_func, "syscalls/sys_enter_execve");
        assert_eq!(p.insn_cnt, 12);
        assert_eq!(p.prog_ids, vec![41, 42]);
        assert_eq!(
            o.maps,
            vec![
                SysMap {
                    name: b".bss".to_vec(),
                    id: 17,
                    created: true
                },
                SysMap {
                    name: b"execve_count".to_vec(),
                    id: 9,
                    created: false
                },
                SysMap {
                    name: b"shared".to_vec(),
                    id: 11,
                    created: false
                },
                SysMap {
                    name: b"sized".to_vec(),
                    id: 10,
                    created: true
                },
                SysMap {
                    name: b"stats".to_vec(),
                    id: 12,
                    created: true
                },
            ]
        );
        // A bad value is an error naming the file.
        write(&root.join("3/maps/.bss/origin"), "borrowed\n");
        let e = read_obj(&root, 3).unwrap_err();
        assert!(e.to_string().contains("origin"), "{e}");
        assert!(read_obj(&root, 4).is_err());
        fs::remove_dir_all(&root).unwrap();
    }
}

// SPDX-License-Identifier: GPL-2.0

//! What the commands print on stdout: one struct per command, shown as
//! plain text or, with `--json`, as one JSON document. Logs and errors go
//! to stderr either way, so the JSON on stdout stays parseable; the
//! `error` fields repeat them for scripts.

use std::fmt::Write as _;
use std::io::Write as _;

use serde::Serialize;

use crate::names;

/// A command's result.
pub trait Render: Serialize {
    /// The plain-text form (each line ends with `\n`).
    fn text(&self) -> String;
}

/// Prints `r` on stdout. Write errors (a closed pipe) are ignored: the
/// exit status already says whether the command worked.
pub fn emit(json: bool, r: &impl Render) {
    let out = if json {
        match serde_json::to_string_pretty(r) {
            Ok(s) => s + "\n",
            // Only non-string map keys or a failing Serialize impl can fail;
            // these structs have neither.
            Err(e) => {
                eprintln!("bpf-loadfd: JSON output failed: {e}");
                return;
            }
        }
    } else {
        r.text()
    };
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
}

// Writing to a String cannot fail, hence the ignored results below.

/// `load`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// The loader fd (closed when the command exits).
    pub fd: i32,
    /// The loader id, if fdinfo could be read.
    pub id: Option<u32>,
    /// The sysfs description, if it could be read.
    pub object: Option<ObjReport>,
}

/// A loader object as sysfs describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjReport {
    /// `/sys/kernel/bpf_loadfd/<id>`.
    pub sysfs: String,
    /// SHA-256 of the bytes the kernel read.
    pub sha256: String,
    /// The file as given on the command line.
    pub file: FileReport,
    /// License string.
    pub license: String,
    /// Programs, by name.
    pub programs: Vec<ProgInfo>,
    /// Maps, by name.
    pub maps: Vec<MapInfo>,
}

/// The object file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The path given.
    pub path: String,
    /// SHA-256 of the file as this process read it.
    pub sha256: String,
    /// Whether that is what the kernel read.
    pub matches: bool,
    /// `major:minor` of its device (from sysfs).
    pub dev: String,
    /// Its inode number (from sysfs).
    pub ino: u64,
}

/// One program of a loader object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProgInfo {
    /// ELF symbol name.
    pub name: String,
    /// SEC name.
    pub section: String,
    /// `enum bpf_prog_type`.
    pub prog_type: u32,
    /// Its libbpf name.
    pub prog_type_name: Option<&'static str>,
    /// `enum bpf_attach_type`.
    pub expected_attach_type: u32,
    /// Its libbpf name (none for 0 where 0 means "none").
    pub expected_attach_type_name: Option<&'static str>,
    /// Attach target from the SEC name (empty if none).
    pub attach_func: String,
    /// Relocated instructions, subprograms included.
    pub insn_cnt: u32,
    /// Why it cannot be loaded by name (`null`: it can).
    pub error: Option<String>,
}

/// One map of a loader object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MapInfo {
    /// Map name.
    pub name: String,
    /// Map id.
    pub id: u32,
    /// Whether the kernel created it (else the caller supplied it).
    pub created: bool,
}

impl Render for LoadReport {
    fn text(&self) -> String {
        let fd = self.fd;
        let Some(o) = &self.object else {
            return match self.id {
                Some(id) => format!("loader: fd {fd}, id {id} (sysfs not readable)\n"),
                None => format!("loader: fd {fd}\n"),
            };
        };
        let mut t = String::new();
        let id = self.id.map_or_else(|| "?".into(), |id| id.to_string());
        let _ = writeln!(t, "loader: fd {fd}, id {id} ({})", o.sysfs);
        let f = &o.file;
        let same = if f.matches {
            format!("matches {}", f.path)
        } else {
            format!("{} now hashes to {}: it changed", f.path, f.sha256)
        };
        let _ = writeln!(t, "  sha256:  {} ({same})", o.sha256);
        let _ = writeln!(t, "  file:    dev {} ino {}", f.dev, f.ino);
        let _ = writeln!(t, "  license: {}", o.license);
        let _ = writeln!(t, "programs: {}", o.programs.len());
        for p in &o.programs {
            let func = if p.attach_func.is_empty() {
                "-"
            } else {
                &p.attach_func
            };
            let _ = writeln!(t, "  {}", p.name);
            let _ = writeln!(t, "    section:              {}", p.section);
            let _ = writeln!(
                t,
                "    prog_type:            {}",
                names::label(p.prog_type, p.prog_type_name)
            );
            let _ = writeln!(
                t,
                "    expected_attach_type: {}",
                names::label(p.expected_attach_type, p.expected_attach_type_name)
            );
            let _ = writeln!(t, "    attach_func:          {func}");
            let _ = writeln!(t, "    insn_cnt:             {}", p.insn_cnt);
        }
        let _ = writeln!(t, "maps: {}", o.maps.len());
        for m in &o.maps {
            let origin = if m.created { "created" } else { "supplied" };
            let _ = writeln!(t, "  {}: id {}, {origin}", m.name, m.id);
        }
        t
    }
}

/// `prog load` and `pin`: one entry per program asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProgsReport {
    /// The programs, in the order loaded.
    pub programs: Vec<ProgResult>,
    /// `pin --maps`: the kernel-created maps (absent without `--maps`, or
    /// if they could not be listed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maps: Option<Vec<MapPin>>,
}

/// One program loaded (and pinned) by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProgResult {
    /// ELF symbol name.
    pub name: String,
    /// Its id, once loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prog_id: Option<u32>,
    /// Where it was pinned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<String>,
    /// Why a step failed (also printed on stderr).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One kernel-created map pinned through the loader fd.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MapPin {
    /// Map name.
    pub name: String,
    /// Map id.
    pub id: u32,
    /// Where it was pinned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<String>,
    /// Why pinning failed (also printed on stderr).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn map_lines(t: &mut String, maps: &[MapPin]) {
    if maps.is_empty() {
        t.push_str("maps: none created by the kernel\n");
    }
    for m in maps {
        if let (Some(path), None) = (&m.pinned, &m.error) {
            let _ = writeln!(t, "map {}: id {} pinned at {path}", m.name, m.id);
        }
    }
}

impl Render for ProgsReport {
    fn text(&self) -> String {
        let mut t = String::new();
        for p in &self.programs {
            match (p.prog_id, &p.pinned, &p.error) {
                (Some(id), Some(path), None) => {
                    let _ = writeln!(t, "{}: prog id {id} pinned at {path}", p.name);
                }
                (Some(id), None, None) => {
                    let _ = writeln!(t, "{}: prog id {id}", p.name);
                }
                _ => {}
            }
        }
        if let Some(maps) = &self.maps {
            map_lines(&mut t, maps);
        }
        t
    }
}

/// `attach`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttachReport {
    /// ELF symbol name.
    pub program: String,
    /// Program id.
    pub prog_id: u32,
    /// Link id (unless `BPF_OBJ_GET_INFO_BY_FD` failed).
    pub link_id: Option<u32>,
    /// `enum bpf_link_type`.
    pub link_type: Option<u32>,
    /// Its libbpf name.
    pub link_type_name: Option<&'static str>,
    /// Why the link could not be described, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_info_error: Option<String>,
    /// How it was attached.
    pub attach: String,
    /// Where the link is pinned (rm it to detach).
    pub pinned: String,
    /// `--maps`: the kernel-created maps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maps: Option<Vec<MapPin>>,
}

impl Render for AttachReport {
    fn text(&self) -> String {
        let mut t = String::new();
        if let Some(maps) = &self.maps {
            map_lines(&mut t, maps);
        }
        let link = match (self.link_id, self.link_type) {
            (Some(id), Some(ty)) => format!("link id {id} ({})", names::link_type_label(ty)),
            _ => format!(
                "link (BPF_OBJ_GET_INFO_BY_FD: {})",
                self.link_info_error.as_deref().unwrap_or("?")
            ),
        };
        let _ = writeln!(
            t,
            "{}: prog id {}, {link} via {}, pinned at {} (rm it to detach)",
            self.program, self.prog_id, self.attach, self.pinned
        );
        t
    }
}

/// `inspect FILE`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InspectReport {
    /// The file given.
    pub file: String,
    /// The explanation, line by line.
    pub report: Vec<String>,
    /// Why the kernel would reject the object (`null`: it would not).
    pub rejection: Option<RejectionReport>,
    /// Programs of an accepted object whose by-name load would fail.
    pub refused_programs: Vec<RefusedProgReport>,
}

/// A program `inspect` predicts cannot be loaded by name (the object
/// still loads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusedProgReport {
    /// The program.
    pub name: String,
    /// Why: the line its by-name load logs.
    pub line: String,
    /// The errno its by-name load fails with.
    pub errno: i32,
    /// Its name (`EINVAL`).
    pub errno_name: String,
}

/// A rejection `inspect` predicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RejectionReport {
    /// The line the kernel logs.
    pub line: String,
    /// What the indices in the line refer to, when known.
    pub note: Option<String>,
    /// The errno BPF_LOAD_FD returns.
    pub errno: i32,
    /// Its name (`EINVAL`).
    pub errno_name: String,
}

impl Render for InspectReport {
    fn text(&self) -> String {
        let mut t = String::new();
        for l in &self.report {
            let _ = writeln!(t, "{l}");
        }
        if let Some(r) = &self.rejection {
            let _ = writeln!(t, "rejected: {}", r.line);
            if let Some(n) = &r.note {
                let _ = writeln!(t, "note: {n}");
            }
            let _ = writeln!(
                t,
                "verdict: BPF_LOAD_FD would fail with {} and log the line above",
                r.errno_name
            );
        }
        t
    }
}

/// `inspect --sec-defs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecDefsReport {
    /// `SEC_DEF_VERSION`.
    pub version: u32,
    /// The table, in matching order.
    pub sec_defs: Vec<SecDefInfo>,
}

/// One SEC-table entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecDefInfo {
    /// The SEC name (`fentry[/TARGET]` when a target may follow).
    pub sec: String,
    /// `enum bpf_prog_type`.
    pub prog_type: u32,
    /// Its libbpf name.
    pub prog_type_name: Option<&'static str>,
    /// `enum bpf_attach_type`.
    pub expected_attach_type: u32,
    /// Its libbpf name.
    pub expected_attach_type_name: Option<&'static str>,
    /// Flags worth knowing (sleepable, unsupported, ...).
    pub notes: Vec<&'static str>,
}

impl Render for SecDefsReport {
    fn text(&self) -> String {
        let mut t = format!(
            "SEC-name table version {} (first match wins; a leading '?' only marks a \
             program not autoloaded)\n",
            self.version
        );
        let _ = writeln!(
            t,
            "  {:<32} {:<24} {:<36} notes",
            "SEC name", "prog_type", "expected_attach_type"
        );
        for d in &self.sec_defs {
            let line = format!(
                "  {:<32} {:<24} {:<36} {}",
                d.sec,
                names::label(d.prog_type, d.prog_type_name),
                names::label(d.expected_attach_type, d.expected_attach_type_name),
                d.notes.join(", ")
            );
            let _ = writeln!(t, "{}", line.trim_end());
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, to_value};

    fn obj() -> ObjReport {
        ObjReport {
            sysfs: "/sys/kernel/bpf_loadfd/3".into(),
            sha256: "ab".repeat(32),
            file: FileReport {
                path: "x.bpf.o".into(),
                sha256: "ab".repeat(32),
                matches: true,
                dev: "254:1".into(),
                ino: 1057,
            },
            license: "GPL".into(),
            programs: vec![ProgInfo {
                name: "count_execve".into(),
                section: "tracepoint/syscalls/sys_enter_execve".into(),
                prog_type: 5,
                prog_type_name: Some("tracepoint"),
                expected_attach_type: 0,
                expected_attach_type_name: None,
                attach_func: "syscalls/sys_enter_execve".into(),
                insn_cnt: 12,
                error: None,
            }],
            maps: vec![MapInfo {
                name: "execve_count".into(),
                id: 9,
                created: true,
            }],
        }
    }

    #[test]
    fn load_json_and_text() {
        let r = LoadReport {
            fd: 3,
            id: Some(3),
            object: Some(obj()),
        };
        let v = to_value(&r).unwrap();
        assert_eq!(v["fd"], 3);
        assert_eq!(v["object"]["file"]["matches"], true);
        assert_eq!(v["object"]["programs"][0]["prog_type_name"], "tracepoint");
        assert_eq!(
            v["object"]["programs"][0]["expected_attach_type_name"],
            json!(null)
        );
        assert_eq!(
            v["object"]["maps"][0],
            json!({"name": "execve_count", "id": 9, "created": true})
        );
        let t = r.text();
        assert!(t.starts_with("loader: fd 3, id 3 (/sys/kernel/bpf_loadfd/3)\n"));
        assert!(t.contains("(matches x.bpf.o)\n"));
        assert!(t.contains("    prog_type:            5 (tracepoint)\n"));
        assert!(t.contains("    expected_attach_type: 0\n"));
        assert!(t.ends_with("maps: 1\n  execve_count: id 9, created\n"));
        let bare = LoadReport {
            fd: 4,
            id: None,
            object: None,
        };
        assert_eq!(
            to_value(&bare).unwrap(),
            json!({"fd": 4, "id": null, "object": null})
        );
        assert_eq!(bare.text(), "loader: fd 4\n");
    }

    #[test]
    fn progs_json_and_text() {
        let r = ProgsReport {
            programs: vec![
                ProgResult {
                    name: "a".into(),
                    prog_id: Some(41),
                    pinned: Some("/sys/fs/bpf/x/a".into()),
                    error: None,
                },
                ProgResult {
                    name: "b".into(),
                    error: Some("BPF_PROG_LOAD failed: EACCES (Permission denied)".into()),
                    ..ProgResult::default()
                },
            ],
            maps: Some(vec![MapPin {
                name: ".bss".into(),
                id: 17,
                pinned: Some("/sys/fs/bpf/x/maps/_bss".into()),
                error: None,
            }]),
        };
        assert_eq!(
            to_value(&r).unwrap(),
            json!({
                "programs": [
                    {"name": "a", "prog_id": 41, "pinned": "/sys/fs/bpf/x/a"},
                    {"name": "b", "error": "BPF_PROG_LOAD failed: EACCES (Permission denied)"},
                ],
                "maps": [{"name": ".bss", "id": 17, "pinned": "/sys/fs/bpf/x/maps/_bss"}],
            })
        );
        assert_eq!(
            r.text(),
            "a: prog id 41 pinned at /sys/fs/bpf/x/a\n\
             map .bss: id 17 pinned at /sys/fs/bpf/x/maps/_bss\n"
        );
        let loaded = ProgsReport {
            programs: vec![ProgResult {
                name: "a".into(),
                prog_id: Some(41),
                ..ProgResult::default()
            }],
            maps: None,
        };
        assert_eq!(
            to_value(&loaded).unwrap(),
            json!({"programs": [{"name": "a", "prog_id": 41}]})
        );
        assert_eq!(loaded.text(), "a: prog id 41\n");
    }

    #[test]
    fn attach_json_and_text() {
        let r = AttachReport {
            program: "count_execve".into(),
            prog_id: 41,
            link_id: Some(7),
            link_type: Some(7),
            link_type_name: Some("perf_event"),
            link_info_error: None,
            attach: "perf tracepoint syscalls:sys_enter_execve + BPF_LINK_CREATE(perf_event)"
                .into(),
            pinned: "/sys/fs/bpf/demo/l".into(),
            maps: Some(Vec::new()),
        };
        let v = to_value(&r).unwrap();
        assert_eq!(v["link_id"], 7);
        assert_eq!(v["link_type_name"], "perf_event");
        assert_eq!(v["maps"], json!([]));
        assert_eq!(
            r.text(),
            "maps: none created by the kernel\n\
             count_execve: prog id 41, link id 7 (7 (perf_event)) via perf tracepoint \
             syscalls:sys_enter_execve + BPF_LINK_CREATE(perf_event), pinned at \
             /sys/fs/bpf/demo/l (rm it to detach)\n"
        );
        let no_maps = AttachReport { maps: None, ..r };
        assert!(to_value(&no_maps).unwrap().get("maps").is_none());
    }

    #[test]
    fn inspect_and_sec_defs_json_and_text() {
        let r = InspectReport {
            file: "x.o".into(),
            report: vec!["file: 5 bytes".into()],
            rejection: Some(RejectionReport {
                line: "elf: not an ELF file".into(),
                note: None,
                errno: 8,
                errno_name: "ENOEXEC".into(),
            }),
            refused_programs: vec![],
        };
        assert_eq!(
            to_value(&r).unwrap(),
            json!({
                "file": "x.o",
                "report": ["file: 5 bytes"],
                "rejection": {"line": "elf: not an ELF file", "note": null, "errno": 8,
                              "errno_name": "ENOEXEC"},
                "refused_programs": [],
            })
        );
        assert_eq!(
            r.text(),
            "file: 5 bytes\nrejected: elf: not an ELF file\n\
             verdict: BPF_LOAD_FD would fail with ENOEXEC and log the line above\n"
        );
        let d = SecDefsReport {
            version: 1,
            sec_defs: vec![SecDefInfo {
                sec: "fentry[/TARGET]".into(),
                prog_type: 26,
                prog_type_name: Some("tracing"),
                expected_attach_type: 24,
                expected_attach_type_name: Some("trace_fentry"),
                notes: vec!["target via vmlinux BTF"],
            }],
        };
        let v = to_value(&d).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["sec_defs"][0]["notes"], json!(["target via vmlinux BTF"]));
        assert!(d
            .text()
            .lines()
            .nth(2)
            .unwrap()
            .contains("24 (trace_fentry)"));
    }
}

// SPDX-License-Identifier: GPL-2.0

//! `bpf-loadfd inspect`: run the userspace build of the loader core on a file
//! and report what each stage finds, without any syscall.
//!
//! The report is a list of stages run in order; the first failing stage stops
//! the run and its error is printed exactly as the kernel would log it, with
//! the errno the kernel would return. To grow `inspect` as the core grows,
//! add a function to [`STAGES`].

use std::fmt::Write as _;

use bpfobj::bpfobj::elf;
use bpfobj::bpfobj::error::{Error, ErrorClass};

/// One stage: reads `data`, appends its findings (lines) to `out`.
type Stage = fn(data: &[u8], out: &mut Report) -> Result<(), Error>;

/// The stages, in the order the kernel runs them.
const STAGES: &[(&str, Stage)] = &[("elf header", stage_elf_header)];

/// The findings of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Lines to print, each already prefixed by its stage (`elf: ...`).
    pub lines: Vec<String>,
    /// The first rejection, if any, and the stage that made it.
    pub error: Option<Error>,
    /// The name of the stage that rejected the file.
    pub failed_stage: Option<&'static str>,
}

impl Report {
    fn line(&mut self, args: std::fmt::Arguments<'_>) {
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = s.write_fmt(args);
        self.lines.push(s);
    }
}

/// Runs every stage on `data` until one fails.
pub fn run(data: &[u8]) -> Report {
    let mut report = Report::default();
    report.line(format_args!("file: {} bytes", data.len()));
    for (name, stage) in STAGES {
        if let Err(e) = stage(data, &mut report) {
            report.error = Some(e);
            report.failed_stage = Some(name);
            break;
        }
    }
    report
}

/// The errno the kernel returns for an error of `class` (mirrors
/// `kernel/bpf/loadfd/load.rs::lower`).
pub fn class_errno(class: ErrorClass) -> i32 {
    match class {
        ErrorClass::Malformed => libc::EINVAL,
        ErrorClass::NotBpfObject => libc::ENOEXEC,
        ErrorClass::TooBig => libc::E2BIG,
        ErrorClass::Unsupported => libc::EOPNOTSUPP,
        ErrorClass::NotFound => libc::ENOENT,
        ErrorClass::NoMem => libc::ENOMEM,
    }
}

fn machine_name(m: u16) -> &'static str {
    match m {
        elf::EM_BPF => "EM_BPF",
        elf::EM_NONE => "EM_NONE (old LLVM BPF)",
        _ => "?",
    }
}

fn stage_elf_header(data: &[u8], out: &mut Report) -> Result<(), Error> {
    let h = elf::check_header(data)?;
    out.line(format_args!(
        "elf: ELF64 host-endian ET_REL, e_machine {} {}",
        h.e_machine,
        machine_name(h.e_machine)
    ));
    out.line(format_args!(
        "elf: section headers at {:#x}: {} entries of {} bytes, names in section {}",
        h.e_shoff, h.e_shnum, h.e_shentsize, h.e_shstrndx
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bpf_header() -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2; // ELFCLASS64
        h[5] = if cfg!(target_endian = "little") { 1 } else { 2 };
        h[6] = 1; // EV_CURRENT
        h[16..18].copy_from_slice(&1u16.to_ne_bytes()); // ET_REL
        h[18..20].copy_from_slice(&elf::EM_BPF.to_ne_bytes());
        h[20..24].copy_from_slice(&1u32.to_ne_bytes());
        h[52..54].copy_from_slice(&64u16.to_ne_bytes());
        h[58..60].copy_from_slice(&64u16.to_ne_bytes());
        h[60..62].copy_from_slice(&7u16.to_ne_bytes());
        h
    }

    #[test]
    fn header_stage_reports_fields() {
        let r = run(&bpf_header());
        assert_eq!(r.error, None);
        assert_eq!(r.failed_stage, None);
        assert_eq!(r.lines[0], "file: 64 bytes");
        assert!(r.lines[1].contains("EM_BPF"), "{:?}", r.lines);
        assert!(
            r.lines[2].contains("7 entries of 64 bytes"),
            "{:?}",
            r.lines
        );
    }

    #[test]
    fn rejection_stops_the_run_with_the_kernel_errno() {
        let mut h = bpf_header();
        h[18..20].copy_from_slice(&62u16.to_ne_bytes());
        let r = run(&h);
        let e = r.error.unwrap();
        assert_eq!(r.failed_stage, Some("elf header"));
        assert_eq!(class_errno(e.class()), libc::ENOEXEC);
        assert!(e.to_string().contains("not EM_BPF"));
        assert_eq!(r.lines.len(), 1);

        let r = run(b"hello");
        assert_eq!(class_errno(r.error.unwrap().class()), libc::ENOEXEC);
    }
}

// SPDX-License-Identifier: GPL-2.0

//! `bpf-loadfd`: a small userspace shim for the BPF_LOAD_FD bpf(2) command.
//!
//! * `load FILE` opens FILE and issues BPF_LOAD_FD with the raw syscall,
//!   printing the new fd or the errno and the kernel's log.
//! * `inspect FILE` runs the userspace build of the loader core (`bpfobj`) on
//!   FILE and prints what it finds, and the errno the kernel would return.
//!
//! Exit status: 0 on success, 1 when the kernel (or the core) rejects the
//! object or the file cannot be read, 2 on a usage error.

mod args;
mod inspect;
mod sys;
mod uapi;

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::process::ExitCode;

use args::{Command, LoadArgs};
use uapi::LoadFdMap;

const EXIT_REJECTED: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            print!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Load(l)) => cmd_load(&l),
        Ok(Command::Inspect { file }) => cmd_inspect(&file),
        Err(e) => {
            eprintln!("bpf-loadfd: {e}\n\n{}", args::USAGE);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn print_log(log: &[u8], log_size: u32, log_true_size: u32) {
    let mut err = std::io::stderr().lock();
    for line in log.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let _ = writeln!(err, "kernel: {}", String::from_utf8_lossy(line));
    }
    if log_size != 0 && log_true_size > log_size {
        let _ = writeln!(
            err,
            "bpf-loadfd: log truncated: the kernel needed {log_true_size} bytes, \
             the buffer has {log_size} (use --log-size)"
        );
    }
}

fn cmd_load(l: &LoadArgs) -> ExitCode {
    let file = match File::open(&l.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("bpf-loadfd: {}: {e}", l.file.display());
            return ExitCode::from(EXIT_REJECTED);
        }
    };
    let mut maps = Vec::with_capacity(l.maps.len());
    for m in &l.maps {
        match LoadFdMap::new(&m.name, m.fd) {
            Some(e) => maps.push(e),
            None => {
                eprintln!(
                    "bpf-loadfd: bad map name '{}'",
                    String::from_utf8_lossy(&m.name)
                );
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    let req = sys::LoadFdRequest {
        obj_fd: file.as_raw_fd(),
        maps: &maps,
        log_level: l.log_level,
        log_size: if l.log_level == 0 { 0 } else { l.log_size },
        token_fd: l.token_fd,
    };
    let reply = sys::load_fd(&req);
    drop(file);
    print_log(&reply.log, req.log_size, reply.log_true_size);
    match reply.result {
        Ok(fd) => {
            // The fd is printed for whoever runs us; it closes when we exit.
            println!("{}", fd.into_raw_fd());
            ExitCode::SUCCESS
        }
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
            ExitCode::from(EXIT_REJECTED)
        }
    }
}

fn cmd_inspect(path: &std::path::Path) -> ExitCode {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("bpf-loadfd: {}: {e}", path.display());
            return ExitCode::from(EXIT_REJECTED);
        }
    };
    let report = inspect::run(&data);
    for line in &report.lines {
        println!("{line}");
    }
    match report.error {
        None => ExitCode::SUCCESS,
        Some(e) => {
            println!("{e}");
            println!(
                "rejected at stage '{}': the kernel would return {}",
                report.failed_stage.unwrap_or("?"),
                sys::errno_name(inspect::class_errno(e.class()))
            );
            ExitCode::from(EXIT_REJECTED)
        }
    }
}

// SPDX-License-Identifier: GPL-2.0

//! `bpf-loadfd`: a small userspace shim for the BPF_LOAD_FD bpf(2) command.
//!
//! * `load FILE` issues BPF_LOAD_FD and prints the loader object as
//!   `/sys/kernel/bpf_loadfd/<id>/` describes it.
//! * `prog load FILE (NAME|--all)` loads programs by name from it.
//! * `pin FILE (NAME|--all) DIR` pins them (and with `--maps` the maps the
//!   kernel created) on a bpffs.
//! * `attach FILE NAME --pin PATH` attaches a tracing program and pins the
//!   link.
//! * `inspect FILE` runs the userspace build of the loader core (`bpfobj`)
//!   on FILE and explains the object, or the exact rejection and errno the
//!   kernel would give. No kernel needed.
//!
//! Exit status: 0 on success, 1 when the kernel (or the core) rejects the
//! object or a step fails, 2 on a usage error.

mod args;
mod attach;
#[cfg(test)]
mod ctest;
mod env;
mod inspect;
mod loader;
mod names;
mod sha256;
mod sys;
mod sysfs;
mod uapi;

use std::process::ExitCode;

use args::Command;
use loader::{EXIT_FAILED, EXIT_USAGE};

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            print!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Load(l)) => loader::cmd_load(&l),
        Ok(Command::ProgLoad { load, progs }) => loader::cmd_prog_load(&load, &progs),
        Ok(Command::Pin {
            load,
            progs,
            dir,
            maps,
        }) => loader::cmd_pin(&load, &progs, &dir, maps),
        Ok(Command::Attach {
            load,
            prog,
            pin,
            maps,
        }) => loader::cmd_attach(&load, &prog, &pin, maps),
        Ok(Command::Inspect { file, config }) => cmd_inspect(&file, config.as_deref()),
        Ok(Command::SecDefs) => {
            for l in inspect::sec_defs() {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let synopsis = args::USAGE.split("\n\n").next().unwrap_or_default();
            eprintln!("bpf-loadfd: {e}\n\n{synopsis}\n\n(bpf-loadfd help explains the commands)");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn cmd_inspect(path: &std::path::Path, config: Option<&std::path::Path>) -> ExitCode {
    let (config, no_config) = match env::choose_config(config) {
        Ok(Ok(c)) => (Some(c), String::new()),
        Ok(Err(why)) => (None, why),
        Err(e) => {
            eprintln!("bpf-loadfd: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("bpf-loadfd: {}: {e}", path.display());
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let report = inspect::run(&data, config, &no_config);
    for line in &report.lines {
        println!("{line}");
    }
    match report.rejection {
        None => ExitCode::SUCCESS,
        Some(r) => {
            println!("rejected: {}", r.line);
            if let Some(n) = &r.note {
                println!("note: {n}");
            }
            println!(
                "verdict: BPF_LOAD_FD would fail with {} and log the line above",
                sys::errno_name(r.errno)
            );
            ExitCode::from(EXIT_FAILED)
        }
    }
}

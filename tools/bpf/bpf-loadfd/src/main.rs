// SPDX-License-Identifier: GPL-2.0

//! `bpf-loadfd`: a small userspace shim for the BPF_LOAD_FD bpf(2) command.
//!
//! * `load FILE` issues BPF_LOAD_FD and prints the loader object as
//!   `/sys/kernel/bpf_loadfd/<id>/` describes it.
//! * `prog load FILE (NAME|--all)` loads programs by name from it.
//! * `pin FILE (NAME|--all) DIR` pins them (and with `--maps` the maps the
//!   kernel created) on a bpffs.
//! * `attach FILE NAME --pin PATH` attaches a program (tracing, xdp, tcx,
//!   cgroup) and pins the link.
//! * `inspect FILE` runs the userspace build of the loader core (`bpfobj`)
//!   on FILE and explains the object, or the exact rejection and errno the
//!   kernel would give. No kernel needed.
//!
//! `--json` prints each result as one JSON document. Exit status: 0 on
//! success, 1 when the kernel (or the core) rejects the object or a step
//! fails, 2 on a usage error.

mod args;
mod attach;
#[cfg(test)]
mod ctest;
mod env;
mod inspect;
mod loader;
mod names;
mod report;
mod sys;
mod sysfs;
mod uapi;

use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command, Generate, InspectArgs, ProgCommand};
use loader::{EXIT_FAILED, EXIT_USAGE};
use report::{InspectReport, RefusedProgReport, RejectionReport};

fn main() -> ExitCode {
    // clap exits 2 on a usage error and 0 after --help or --version.
    let cli = Cli::parse();
    let json = cli.json;
    match cli.command {
        Command::Load(l) => loader::cmd_load(&l, json),
        Command::Prog(ProgCommand::Load(p)) => loader::cmd_prog_load(&p.load, &p.progs(), json),
        Command::Pin(p) => loader::cmd_pin(&p, json),
        Command::Attach(a) => loader::cmd_attach(&a, json),
        Command::Inspect(i) => cmd_inspect(&i, json),
        Command::Generate(g) => cmd_generate(g),
    }
}

fn cmd_inspect(a: &InspectArgs, json: bool) -> ExitCode {
    let Some(path) = &a.file else {
        report::emit(json, &inspect::sec_defs());
        return ExitCode::SUCCESS;
    };
    let (config, no_config) = match env::choose_config(a.config.as_deref()) {
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
    let symbols = match &a.symbols {
        Some(p) => match std::fs::read(p) {
            Ok(t) => Some(env::Symbols::parse(p.clone(), &t)),
            Err(e) => {
                eprintln!("bpf-loadfd: {}: {e}", p.display());
                return ExitCode::from(EXIT_USAGE);
            }
        },
        None => None,
    };
    let found = inspect::run(&data, config, symbols, &no_config);
    let r = InspectReport {
        file: path.display().to_string(),
        report: found.lines,
        rejection: found.rejection.map(|r| RejectionReport {
            line: r.line,
            note: r.note,
            errno: r.errno,
            errno_name: sys::errno_name(r.errno),
        }),
        refused_programs: found
            .refused
            .into_iter()
            .map(|(name, line, errno)| RefusedProgReport {
                name,
                line,
                errno,
                errno_name: sys::errno_name(errno),
            })
            .collect(),
    };
    report::emit(json, &r);
    match r.rejection {
        None => ExitCode::SUCCESS,
        Some(_) => ExitCode::from(EXIT_FAILED),
    }
}

fn cmd_generate(g: Generate) -> ExitCode {
    let cmd = Cli::command();
    match g {
        Generate::Man { dir } => match clap_mangen::generate_to(cmd, Path::new(&dir)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bpf-loadfd: {}: {e}", dir.display());
                ExitCode::from(EXIT_FAILED)
            }
        },
        Generate::Completions { shell } => {
            let mut cmd = cmd;
            let name = cmd.get_name().to_string();
            clap_complete::generate(shell, &mut cmd, name, &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

// SPDX-License-Identifier: GPL-2.0

//! Command-line parsing (no dependencies). Options take their value either as
//! the next argument (`--log-level 2`) or inline (`--log-level=2`); `--` ends
//! the options.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use crate::uapi::BPF_LOADFD_NAME_LEN;

/// Default `log_level` of `BPF_LOAD_FD`: 1, so every rejection explains
/// itself. (`BPF_PROG_LOAD` defaults to 0 and is retried with 1 on failure,
/// as libbpf does.)
pub const DEFAULT_LOG_LEVEL: u32 = 1;
/// Default log buffer size.
pub const DEFAULT_LOG_SIZE: u32 = 1024 * 1024;

/// Usage text.
pub const USAGE: &str = "\
usage: bpf-loadfd load FILE [LOAD-OPTIONS]
       bpf-loadfd prog load FILE (NAME | --all) [LOAD-OPTIONS]
       bpf-loadfd pin FILE (NAME | --all) DIR [--maps] [LOAD-OPTIONS]
       bpf-loadfd attach FILE NAME --pin PATH [--maps] [LOAD-OPTIONS]
       bpf-loadfd inspect FILE [--config PATH]
       bpf-loadfd inspect --sec-defs
       bpf-loadfd help

load       BPF_LOAD_FD on FILE, then print the loader object from
           /sys/kernel/bpf_loadfd/<id>/: provenance, programs, maps. The
           object lives as long as its fd, so it is freed when this exits.
prog load  BPF_LOAD_FD, then BPF_PROG_LOAD of program NAME (or of every
           program) by name; print 'NAME: prog id N' or the verifier's log.
pin        like prog load, then pin each program at DIR/NAME (DIR must be on
           a bpffs; it is created if missing). --maps also pins the maps the
           kernel created at DIR/maps/NAME ('.' becomes '_': bpffs rejects
           names with dots, so .bss is pinned as _bss).
attach     load program NAME, attach it according to its SEC name (fentry,
           fexit, fmod_ret, tp_btf, lsm, iter, raw_tp, tracepoint, kprobe,
           kretprobe) and pin the link at PATH, so it stays attached after
           this exits (rm PATH detaches it). --maps also pins the maps the
           kernel created at DIR/maps/NAME, DIR being PATH's directory.
inspect    run the loader core (the code BPF_LOAD_FD runs) on FILE in
           userspace, no kernel needed: sections, programs, maps, externs,
           relocations, linking; or the exact rejection and errno.
           .kconfig externs are read from --config PATH (an uncompressed
           .config; default /boot/config-$(uname -r) if present). ksyms and
           kfuncs are resolved by the kernel at load time.
           --sec-defs lists the SEC names the loader accepts.

LOAD-OPTIONS
  --map NAME=FD     bind the object's map NAME to the caller's map FD
                    (repeatable; FD must be open in this process)
  --log-level N     log level of BPF_LOAD_FD (default 1) and BPF_PROG_LOAD
                    (default 0, retried with 1 on failure); 0: no log
  --log-size BYTES  log buffer size (default 1048576; 0: no buffer)
  --token-fd FD     pass a BPF token (sets BPF_F_TOKEN_FD)
";

/// A `--map NAME=FD` binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapArg {
    /// The object's map name.
    pub name: Vec<u8>,
    /// The caller's map fd.
    pub fd: u32,
}

/// The object and the `BPF_LOAD_FD` options every kernel command takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadArgs {
    /// The object file.
    pub file: PathBuf,
    /// `--map` bindings, in order.
    pub maps: Vec<MapArg>,
    /// `--log-level`, if given.
    pub log_level: Option<u32>,
    /// `--log-size`.
    pub log_size: u32,
    /// `--token-fd`.
    pub token_fd: Option<i32>,
}

impl LoadArgs {
    /// The `log_level` for `BPF_LOAD_FD`.
    pub fn load_fd_log_level(&self) -> u32 {
        self.log_level.unwrap_or(DEFAULT_LOG_LEVEL)
    }
}

/// Which programs a command loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progs {
    /// The program with this ELF symbol name.
    One(Vec<u8>),
    /// `--all`: every program of the object.
    All,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `load FILE ...`.
    Load(LoadArgs),
    /// `prog load FILE (NAME|--all) ...`.
    ProgLoad {
        /// The object and load options.
        load: LoadArgs,
        /// The programs.
        progs: Progs,
    },
    /// `pin FILE (NAME|--all) DIR [--maps] ...`.
    Pin {
        /// The object and load options.
        load: LoadArgs,
        /// The programs.
        progs: Progs,
        /// The bpffs directory.
        dir: PathBuf,
        /// `--maps`: also pin the kernel-created maps.
        maps: bool,
    },
    /// `attach FILE NAME --pin PATH ...`.
    Attach {
        /// The object and load options.
        load: LoadArgs,
        /// The program.
        prog: Vec<u8>,
        /// Where to pin the link.
        pin: PathBuf,
        /// `--maps`: also pin the kernel-created maps.
        maps: bool,
    },
    /// `inspect FILE [--config PATH]`.
    Inspect {
        /// The object file.
        file: PathBuf,
        /// `--config`: the kernel `.config` for `.kconfig` externs.
        config: Option<PathBuf>,
    },
    /// `inspect --sec-defs`.
    SecDefs,
    /// `help`, `-h`, `--help`.
    Help,
}

/// Why a command line was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgError {
    /// No subcommand.
    NoCommand,
    /// An unknown subcommand.
    UnknownCommand(String),
    /// An unknown option.
    UnknownOption(String),
    /// An option without its value.
    MissingValue(&'static str),
    /// A value that does not parse.
    BadValue {
        /// The option.
        option: &'static str,
        /// The value given.
        value: String,
        /// What was expected.
        why: &'static str,
    },
    /// The FILE operand is missing.
    MissingFile,
    /// More operands than the subcommand takes.
    ExtraOperand(String),
    /// A required operand or option is missing.
    Missing(&'static str),
    /// Two arguments that exclude each other.
    Conflict(&'static str),
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::NoCommand => write!(f, "no command given"),
            ArgError::UnknownCommand(c) => write!(f, "unknown command '{c}'"),
            ArgError::UnknownOption(o) => write!(f, "unknown option '{o}'"),
            ArgError::MissingValue(o) => write!(f, "option '{o}' needs a value"),
            ArgError::BadValue { option, value, why } => {
                write!(f, "{option} '{value}': {why}")
            }
            ArgError::MissingFile => write!(f, "FILE missing"),
            ArgError::ExtraOperand(o) => write!(f, "unexpected argument '{o}'"),
            ArgError::Missing(what) => write!(f, "{what} missing"),
            ArgError::Conflict(what) => write!(f, "{what}: give one, not both"),
        }
    }
}

fn lossy(s: &OsString) -> String {
    s.to_string_lossy().into_owned()
}

fn parse_u32(option: &'static str, v: &str) -> Result<u32, ArgError> {
    v.parse::<u32>().map_err(|_| ArgError::BadValue {
        option,
        value: v.to_string(),
        why: "expected a non-negative decimal number",
    })
}

fn parse_fd(option: &'static str, v: &str) -> Result<i32, ArgError> {
    v.parse::<i32>()
        .ok()
        .filter(|fd| *fd >= 0)
        .ok_or_else(|| ArgError::BadValue {
            option,
            value: v.to_string(),
            why: "expected a file descriptor number",
        })
}

fn parse_map(v: &str) -> Result<MapArg, ArgError> {
    let bad = |why| ArgError::BadValue {
        option: "--map",
        value: v.to_string(),
        why,
    };
    let (name, fd) = v.rsplit_once('=').ok_or_else(|| bad("expected NAME=FD"))?;
    if name.is_empty() {
        return Err(bad("empty map name"));
    }
    if name.len() >= BPF_LOADFD_NAME_LEN {
        return Err(bad("map name longer than 63 bytes"));
    }
    if name.as_bytes().contains(&0) {
        return Err(bad("map name contains a NUL byte"));
    }
    let fd = parse_fd("--map", fd).map_err(|_| bad("FD is not a file descriptor number"))?;
    Ok(MapArg {
        name: name.as_bytes().to_vec(),
        fd: fd.unsigned_abs(),
    })
}

/// Splits `args` (without argv[0]) into options with their values and
/// operands. `takes_value` says which options consume a value.
struct Scanner<I: Iterator<Item = OsString>> {
    args: I,
    only_operands: bool,
}

enum Item {
    Opt(String, Option<String>),
    Operand(OsString),
}

impl<I: Iterator<Item = OsString>> Scanner<I> {
    fn next(&mut self, takes_value: impl Fn(&str) -> bool) -> Result<Option<Item>, ArgError> {
        let Some(arg) = self.args.next() else {
            return Ok(None);
        };
        if self.only_operands {
            return Ok(Some(Item::Operand(arg)));
        }
        let s = match arg.to_str() {
            Some(s) if s.starts_with("--") || (s.starts_with('-') && s.len() > 1) => s.to_string(),
            _ => return Ok(Some(Item::Operand(arg))),
        };
        if s == "--" {
            self.only_operands = true;
            return self.next(takes_value);
        }
        if let Some((name, value)) = s.split_once('=') {
            return Ok(Some(Item::Opt(name.to_string(), Some(value.to_string()))));
        }
        if takes_value(&s) {
            let value = self.args.next().map(|v| lossy(&v));
            return Ok(Some(Item::Opt(s, value)));
        }
        Ok(Some(Item::Opt(s, None)))
    }
}

fn need(option: &'static str, value: Option<String>) -> Result<String, ArgError> {
    value.ok_or(ArgError::MissingValue(option))
}

/// Options every kernel command takes (with a value).
fn load_takes_value(o: &str) -> bool {
    matches!(o, "--map" | "--log-level" | "--log-size" | "--token-fd")
}

/// Applies the load option `o` to `out`; `Ok(false)` if `o` is not one.
fn load_option(out: &mut LoadArgs, o: &str, v: Option<String>) -> Result<bool, ArgError> {
    match o {
        "--map" => out.maps.push(parse_map(&need("--map", v)?)?),
        "--log-level" => {
            out.log_level = Some(parse_u32("--log-level", &need("--log-level", v)?)?);
        }
        "--log-size" => out.log_size = parse_u32("--log-size", &need("--log-size", v)?)?,
        "--token-fd" => out.token_fd = Some(parse_fd("--token-fd", &need("--token-fd", v)?)?),
        _ => return Ok(false),
    }
    Ok(true)
}

fn no_value(o: &str, v: Option<String>) -> Result<(), ArgError> {
    match v {
        None => Ok(()),
        Some(v) => Err(ArgError::BadValue {
            option: match o {
                "--all" => "--all",
                "--maps" => "--maps",
                _ => "--sec-defs",
            },
            value: v,
            why: "takes no value",
        }),
    }
}

/// What one command line of a kernel command holds.
struct Scanned {
    load: LoadArgs,
    operands: Vec<OsString>,
    all: bool,
    maps: bool,
    pin: Option<PathBuf>,
}

/// Scans the arguments of a kernel command; `flags` are the flags
/// (`--all`, `--maps`) and `--pin` it accepts besides the load options.
fn scan_kernel_cmd(
    scan: &mut Scanner<impl Iterator<Item = OsString>>,
    flags: &[&str],
) -> Result<Scanned, ArgError> {
    let takes_value = |o: &str| load_takes_value(o) || (o == "--pin" && flags.contains(&"--pin"));
    let mut out = Scanned {
        load: LoadArgs {
            file: PathBuf::new(),
            maps: Vec::new(),
            log_level: None,
            log_size: DEFAULT_LOG_SIZE,
            token_fd: None,
        },
        operands: Vec::new(),
        all: false,
        maps: false,
        pin: None,
    };
    while let Some(item) = scan.next(takes_value)? {
        match item {
            Item::Operand(op) => out.operands.push(op),
            Item::Opt(o, v) => {
                if load_option(&mut out.load, &o, v.clone())? {
                    continue;
                }
                match o.as_str() {
                    "--all" if flags.contains(&"--all") => {
                        no_value(&o, v)?;
                        out.all = true;
                    }
                    "--maps" if flags.contains(&"--maps") => {
                        no_value(&o, v)?;
                        out.maps = true;
                    }
                    "--pin" if flags.contains(&"--pin") => {
                        out.pin = Some(PathBuf::from(need("--pin", v)?));
                    }
                    _ => return Err(ArgError::UnknownOption(o)),
                }
            }
        }
    }
    Ok(out)
}

/// Splits `operands` into exactly `N` values, naming the first missing one.
fn operands<const N: usize>(
    ops: Vec<OsString>,
    names: [&'static str; N],
) -> Result<[OsString; N], ArgError> {
    let mut it = ops.into_iter();
    let mut out: [OsString; N] = std::array::from_fn(|_| OsString::new());
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = it.next().ok_or(ArgError::Missing(name))?;
    }
    if let Some(extra) = it.next() {
        return Err(ArgError::ExtraOperand(lossy(&extra)));
    }
    Ok(out)
}

fn prog_name(op: OsString) -> Result<Vec<u8>, ArgError> {
    use std::os::unix::ffi::OsStringExt;
    let name = op.into_vec();
    if name.is_empty() || name.contains(&0) {
        return Err(ArgError::BadValue {
            option: "NAME",
            value: String::from_utf8_lossy(&name).into_owned(),
            why: "a program name is a non-empty ELF symbol name without NUL bytes",
        });
    }
    Ok(name)
}

/// `FILE (NAME|--all)` plus `trailing` more operands.
fn file_and_progs<const T: usize>(
    s: Scanned,
    trailing: [&'static str; T],
) -> Result<(LoadArgs, Progs, [OsString; T]), ArgError> {
    let mut load = s.load;
    if s.all {
        if s.operands.len() > 1 + T {
            // FILE NAME ... --all
            return Err(ArgError::Conflict("NAME and --all"));
        }
        let mut ops = s.operands.into_iter();
        load.file = PathBuf::from(ops.next().ok_or(ArgError::MissingFile)?);
        let rest = operands(ops.collect(), trailing)?;
        return Ok((load, Progs::All, rest));
    }
    let mut ops = s.operands.into_iter();
    load.file = PathBuf::from(ops.next().ok_or(ArgError::MissingFile)?);
    let name = ops.next().ok_or(ArgError::Missing("NAME (or --all)"))?;
    let rest = operands(ops.collect(), trailing)?;
    Ok((load, Progs::One(prog_name(name)?), rest))
}

fn parse_load(scan: &mut Scanner<impl Iterator<Item = OsString>>) -> Result<Command, ArgError> {
    let s = scan_kernel_cmd(scan, &[])?;
    let mut load = s.load;
    let [file] = operands(s.operands, ["FILE"]).map_err(|e| match e {
        ArgError::Missing(_) => ArgError::MissingFile,
        e => e,
    })?;
    load.file = PathBuf::from(file);
    Ok(Command::Load(load))
}

fn parse_prog(scan: &mut Scanner<impl Iterator<Item = OsString>>) -> Result<Command, ArgError> {
    match scan.args.next() {
        Some(sub) if sub == "load" => {}
        Some(sub) => return Err(ArgError::UnknownCommand(format!("prog {}", lossy(&sub)))),
        None => return Err(ArgError::Missing("'load' after 'prog'")),
    }
    let s = scan_kernel_cmd(scan, &["--all"])?;
    let (load, progs, []) = file_and_progs(s, [])?;
    Ok(Command::ProgLoad { load, progs })
}

fn parse_pin(scan: &mut Scanner<impl Iterator<Item = OsString>>) -> Result<Command, ArgError> {
    let s = scan_kernel_cmd(scan, &["--all", "--maps"])?;
    let maps = s.maps;
    let (load, progs, [dir]) = file_and_progs(s, ["DIR"])?;
    Ok(Command::Pin {
        load,
        progs,
        dir: PathBuf::from(dir),
        maps,
    })
}

fn parse_attach(scan: &mut Scanner<impl Iterator<Item = OsString>>) -> Result<Command, ArgError> {
    let s = scan_kernel_cmd(scan, &["--pin", "--maps"])?;
    let maps = s.maps;
    let pin = s.pin.ok_or(ArgError::Missing("--pin PATH"))?;
    let mut load = s.load;
    let [file, name] = operands(s.operands, ["FILE", "NAME"]).map_err(|e| match e {
        ArgError::Missing("FILE") => ArgError::MissingFile,
        e => e,
    })?;
    load.file = PathBuf::from(file);
    Ok(Command::Attach {
        load,
        prog: prog_name(name)?,
        pin,
        maps,
    })
}

fn parse_inspect(scan: &mut Scanner<impl Iterator<Item = OsString>>) -> Result<Command, ArgError> {
    let mut file = None;
    let mut config = None;
    let mut sec_defs = false;
    while let Some(item) = scan.next(|o| o == "--config")? {
        match item {
            Item::Operand(op) if file.is_none() => file = Some(PathBuf::from(op)),
            Item::Operand(op) => return Err(ArgError::ExtraOperand(lossy(&op))),
            Item::Opt(o, v) if o == "--config" => {
                config = Some(PathBuf::from(need("--config", v)?));
            }
            Item::Opt(o, v) if o == "--sec-defs" => {
                no_value(&o, v)?;
                sec_defs = true;
            }
            Item::Opt(o, _) => return Err(ArgError::UnknownOption(o)),
        }
    }
    if sec_defs {
        if let Some(f) = file {
            return Err(ArgError::ExtraOperand(f.display().to_string()));
        }
        if config.is_some() {
            return Err(ArgError::Conflict("--sec-defs and --config"));
        }
        return Ok(Command::SecDefs);
    }
    Ok(Command::Inspect {
        file: file.ok_or(ArgError::MissingFile)?,
        config,
    })
}

/// Parses the arguments after argv[0].
pub fn parse<I>(args: I) -> Result<Command, ArgError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut args = args.into_iter().map(Into::into);
    let cmd = args.next().ok_or(ArgError::NoCommand)?;
    let mut scan = Scanner {
        args,
        only_operands: false,
    };
    match cmd.to_str() {
        Some("load") => parse_load(&mut scan),
        Some("prog") => parse_prog(&mut scan),
        Some("pin") => parse_pin(&mut scan),
        Some("attach") => parse_attach(&mut scan),
        Some("inspect") => parse_inspect(&mut scan),
        Some("help" | "-h" | "--help") => Ok(Command::Help),
        _ => Err(ArgError::UnknownCommand(lossy(&cmd))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(args: &[&str]) -> Command {
        parse(args.iter().copied()).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    fn load(args: &[&str]) -> LoadArgs {
        match cmd(args) {
            Command::Load(l) => l,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn err(args: &[&str]) -> ArgError {
        parse(args.iter().copied()).unwrap_err()
    }

    fn defaults(file: &str) -> LoadArgs {
        LoadArgs {
            file: PathBuf::from(file),
            maps: Vec::new(),
            log_level: None,
            log_size: DEFAULT_LOG_SIZE,
            token_fd: None,
        }
    }

    #[test]
    fn load_defaults() {
        let l = load(&["load", "x.bpf.o"]);
        assert_eq!(l, defaults("x.bpf.o"));
        assert_eq!(l.load_fd_log_level(), DEFAULT_LOG_LEVEL);
    }

    #[test]
    fn load_all_options_both_forms() {
        let l = load(&[
            "load",
            "--map",
            "counters=3",
            "x.o",
            "--map=.bss=4",
            "--log-level",
            "2",
            "--log-size=128",
            "--token-fd",
            "9",
        ]);
        assert_eq!(l.file, PathBuf::from("x.o"));
        assert_eq!(
            l.maps,
            vec![
                MapArg {
                    name: b"counters".to_vec(),
                    fd: 3
                },
                MapArg {
                    name: b".bss".to_vec(),
                    fd: 4
                },
            ]
        );
        assert_eq!(l.log_level, Some(2));
        assert_eq!(l.load_fd_log_level(), 2);
        assert_eq!(l.log_size, 128);
        assert_eq!(l.token_fd, Some(9));
        assert_eq!(
            load(&["load", "x.o", "--log-level=0"]).load_fd_log_level(),
            0
        );
    }

    #[test]
    fn map_name_may_contain_equals() {
        let l = load(&["load", "x.o", "--map", "a=b=5"]);
        assert_eq!(l.maps[0].name, b"a=b");
        assert_eq!(l.maps[0].fd, 5);
    }

    #[test]
    fn double_dash_ends_options() {
        let l = load(&["load", "--", "--weird-name.o"]);
        assert_eq!(l.file, PathBuf::from("--weird-name.o"));
        let l = load(&["load", "-"]);
        assert_eq!(l.file, PathBuf::from("-"));
    }

    #[test]
    fn load_errors() {
        assert_eq!(err(&["load"]), ArgError::MissingFile);
        assert_eq!(err(&["load", "a", "b"]), ArgError::ExtraOperand("b".into()));
        assert_eq!(
            err(&["load", "a", "--log-level"]),
            ArgError::MissingValue("--log-level")
        );
        assert!(matches!(
            err(&["load", "a", "--log-level", "-1"]),
            ArgError::BadValue {
                option: "--log-level",
                ..
            }
        ));
        for bad in ["noequals", "=3", "m=-3", "m=x"] {
            assert!(
                matches!(
                    err(&["load", "a", "--map", bad]),
                    ArgError::BadValue {
                        option: "--map",
                        ..
                    }
                ),
                "{bad}"
            );
        }
        let long = format!("{}=3", "n".repeat(64));
        assert!(matches!(
            err(&["load", "a", "--map", &long]),
            ArgError::BadValue {
                option: "--map",
                ..
            }
        ));
        let max = format!("{}=3", "n".repeat(63));
        assert_eq!(load(&["load", "a", "--map", &max]).maps[0].name.len(), 63);
        assert_eq!(
            err(&["load", "a", "--bogus"]),
            ArgError::UnknownOption("--bogus".into())
        );
        assert_eq!(
            err(&["load", "a", "-x"]),
            ArgError::UnknownOption("-x".into())
        );
        // Flags of other commands are not load's.
        for f in ["--all", "--maps", "--pin=x", "--config=x"] {
            assert!(
                matches!(err(&["load", "a", f]), ArgError::UnknownOption(_)),
                "{f}"
            );
        }
    }

    #[test]
    fn prog_load() {
        assert_eq!(
            cmd(&["prog", "load", "x.o", "handle_execve"]),
            Command::ProgLoad {
                load: defaults("x.o"),
                progs: Progs::One(b"handle_execve".to_vec()),
            }
        );
        assert_eq!(
            cmd(&["prog", "load", "--all", "x.o", "--log-level", "2"]),
            Command::ProgLoad {
                load: LoadArgs {
                    log_level: Some(2),
                    ..defaults("x.o")
                },
                progs: Progs::All,
            }
        );
        assert_eq!(
            cmd(&["prog", "load", "x.o", "--map", "m=3", "p"]),
            Command::ProgLoad {
                load: LoadArgs {
                    maps: vec![MapArg {
                        name: b"m".to_vec(),
                        fd: 3
                    }],
                    ..defaults("x.o")
                },
                progs: Progs::One(b"p".to_vec()),
            }
        );
    }

    #[test]
    fn prog_load_errors() {
        assert_eq!(err(&["prog"]), ArgError::Missing("'load' after 'prog'"));
        assert_eq!(
            err(&["prog", "show"]),
            ArgError::UnknownCommand("prog show".into())
        );
        assert_eq!(err(&["prog", "load"]), ArgError::MissingFile);
        assert_eq!(err(&["prog", "load", "--all"]), ArgError::MissingFile);
        assert_eq!(
            err(&["prog", "load", "x.o"]),
            ArgError::Missing("NAME (or --all)")
        );
        assert_eq!(
            err(&["prog", "load", "x.o", "p", "--all"]),
            ArgError::Conflict("NAME and --all")
        );
        assert_eq!(
            err(&["prog", "load", "x.o", "p", "q"]),
            ArgError::ExtraOperand("q".into())
        );
        assert!(matches!(
            err(&["prog", "load", "x.o", "--all=yes"]),
            ArgError::BadValue {
                option: "--all",
                ..
            }
        ));
        assert!(matches!(
            err(&["prog", "load", "x.o", ""]),
            ArgError::BadValue { option: "NAME", .. }
        ));
        assert_eq!(
            err(&["prog", "load", "x.o", "p", "--maps"]),
            ArgError::UnknownOption("--maps".into())
        );
    }

    #[test]
    fn pin() {
        assert_eq!(
            cmd(&["pin", "x.o", "p", "/sys/fs/bpf/x"]),
            Command::Pin {
                load: defaults("x.o"),
                progs: Progs::One(b"p".to_vec()),
                dir: PathBuf::from("/sys/fs/bpf/x"),
                maps: false,
            }
        );
        assert_eq!(
            cmd(&["pin", "x.o", "--all", "/sys/fs/bpf/x", "--maps"]),
            Command::Pin {
                load: defaults("x.o"),
                progs: Progs::All,
                dir: PathBuf::from("/sys/fs/bpf/x"),
                maps: true,
            }
        );
        assert_eq!(err(&["pin", "x.o", "p"]), ArgError::Missing("DIR"));
        assert_eq!(err(&["pin", "x.o", "--all"]), ArgError::Missing("DIR"));
        assert_eq!(
            err(&["pin", "x.o", "p", "d", "--all"]),
            ArgError::Conflict("NAME and --all")
        );
        assert_eq!(
            err(&["pin", "x.o", "p", "d", "e"]),
            ArgError::ExtraOperand("e".into())
        );
    }

    #[test]
    fn attach() {
        assert_eq!(
            cmd(&["attach", "x.o", "p", "--pin", "/sys/fs/bpf/l"]),
            Command::Attach {
                load: defaults("x.o"),
                prog: b"p".to_vec(),
                pin: PathBuf::from("/sys/fs/bpf/l"),
                maps: false,
            }
        );
        assert_eq!(
            cmd(&["attach", "--pin=/sys/fs/bpf/l", "x.o", "p", "--log-level=1"]),
            Command::Attach {
                load: LoadArgs {
                    log_level: Some(1),
                    ..defaults("x.o")
                },
                prog: b"p".to_vec(),
                pin: PathBuf::from("/sys/fs/bpf/l"),
                maps: false,
            }
        );
        assert_eq!(
            err(&["attach", "x.o", "p"]),
            ArgError::Missing("--pin PATH")
        );
        assert_eq!(
            err(&["attach", "x.o", "p", "--pin"]),
            ArgError::MissingValue("--pin")
        );
        assert_eq!(
            err(&["attach", "--pin", "l", "x.o"]),
            ArgError::Missing("NAME")
        );
        assert_eq!(err(&["attach", "--pin", "l"]), ArgError::MissingFile);
        assert_eq!(
            err(&["attach", "x.o", "--all", "--pin", "l"]),
            ArgError::UnknownOption("--all".into())
        );
    }

    #[test]
    fn inspect_and_help() {
        assert_eq!(
            cmd(&["inspect", "o.bpf.o"]),
            Command::Inspect {
                file: PathBuf::from("o.bpf.o"),
                config: None,
            }
        );
        assert_eq!(
            cmd(&["inspect", "--config", "/boot/config-6.12", "o.bpf.o"]),
            Command::Inspect {
                file: PathBuf::from("o.bpf.o"),
                config: Some(PathBuf::from("/boot/config-6.12")),
            }
        );
        assert_eq!(cmd(&["inspect", "--sec-defs"]), Command::SecDefs);
        assert_eq!(
            err(&["inspect", "--sec-defs", "o"]),
            ArgError::ExtraOperand("o".into())
        );
        assert_eq!(err(&["inspect"]), ArgError::MissingFile);
        assert_eq!(
            err(&["inspect", "a", "--config"]),
            ArgError::MissingValue("--config")
        );
        assert_eq!(
            err(&["inspect", "a", "--map", "x=1"]),
            ArgError::UnknownOption("--map".into())
        );
        for h in ["help", "-h", "--help"] {
            assert_eq!(cmd(&[h]), Command::Help);
        }
    }

    #[test]
    fn command_errors() {
        assert_eq!(parse(Vec::<OsString>::new()), Err(ArgError::NoCommand));
        assert_eq!(err(&["frob"]), ArgError::UnknownCommand("frob".into()));
    }

    #[test]
    fn errors_display() {
        assert_eq!(
            err(&["load", "a", "--map", "x"]).to_string(),
            "--map 'x': expected NAME=FD"
        );
        assert_eq!(
            err(&["prog", "load", "x.o", "p", "--all"]).to_string(),
            "NAME and --all: give one, not both"
        );
        assert_eq!(
            err(&["attach", "x.o", "p"]).to_string(),
            "--pin PATH missing"
        );
    }
}

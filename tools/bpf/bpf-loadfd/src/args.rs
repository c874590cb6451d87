// SPDX-License-Identifier: GPL-2.0

//! Command-line parsing (no dependencies). Options take their value either as
//! the next argument (`--log-level 2`) or inline (`--log-level=2`); `--` ends
//! the options.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use crate::uapi::BPF_LOADFD_NAME_LEN;

/// Default `log_level` of `load`: 1, so every rejection explains itself.
pub const DEFAULT_LOG_LEVEL: u32 = 1;
/// Default log buffer size of `load`.
pub const DEFAULT_LOG_SIZE: u32 = 64 * 1024;

/// Usage text.
pub const USAGE: &str = "\
usage: bpf-loadfd load FILE [--map NAME=FD]... [--log-level N] [--log-size BYTES] [--token-fd FD]
       bpf-loadfd inspect FILE
       bpf-loadfd help

load     open FILE and issue bpf(BPF_LOAD_FD); print the new fd, or the errno
         and the kernel's log. --map binds the object's map NAME to the
         caller's map FD (repeatable). --log-level 0 disables the log
         (default 1); --log-size 0 passes no buffer (default 65536).
         --token-fd passes a BPF token (sets BPF_F_TOKEN_FD).
inspect  run the userspace build of the loader core on FILE and print what it
         finds (no syscall).
";

/// A `--map NAME=FD` binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapArg {
    /// The object's map name.
    pub name: Vec<u8>,
    /// The caller's map fd.
    pub fd: u32,
}

/// Options of `load`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadArgs {
    /// The object file.
    pub file: PathBuf,
    /// `--map` bindings, in order.
    pub maps: Vec<MapArg>,
    /// `--log-level`.
    pub log_level: u32,
    /// `--log-size`.
    pub log_size: u32,
    /// `--token-fd`.
    pub token_fd: Option<i32>,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `load FILE ...`.
    Load(LoadArgs),
    /// `inspect FILE`.
    Inspect {
        /// The object file.
        file: PathBuf,
    },
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

fn parse_load(scan: &mut Scanner<impl Iterator<Item = OsString>>) -> Result<Command, ArgError> {
    let takes_value = |o: &str| matches!(o, "--map" | "--log-level" | "--log-size" | "--token-fd");
    let mut file = None;
    let mut out = LoadArgs {
        file: PathBuf::new(),
        maps: Vec::new(),
        log_level: DEFAULT_LOG_LEVEL,
        log_size: DEFAULT_LOG_SIZE,
        token_fd: None,
    };
    while let Some(item) = scan.next(takes_value)? {
        match item {
            Item::Operand(op) if file.is_none() => file = Some(PathBuf::from(op)),
            Item::Operand(op) => return Err(ArgError::ExtraOperand(lossy(&op))),
            Item::Opt(o, v) => match o.as_str() {
                "--map" => out.maps.push(parse_map(&need("--map", v)?)?),
                "--log-level" => {
                    out.log_level = parse_u32("--log-level", &need("--log-level", v)?)?;
                }
                "--log-size" => out.log_size = parse_u32("--log-size", &need("--log-size", v)?)?,
                "--token-fd" => {
                    out.token_fd = Some(parse_fd("--token-fd", &need("--token-fd", v)?)?);
                }
                _ => return Err(ArgError::UnknownOption(o)),
            },
        }
    }
    out.file = file.ok_or(ArgError::MissingFile)?;
    Ok(Command::Load(out))
}

fn parse_inspect(scan: &mut Scanner<impl Iterator<Item = OsString>>) -> Result<Command, ArgError> {
    let mut file = None;
    while let Some(item) = scan.next(|_| false)? {
        match item {
            Item::Operand(op) if file.is_none() => file = Some(PathBuf::from(op)),
            Item::Operand(op) => return Err(ArgError::ExtraOperand(lossy(&op))),
            Item::Opt(o, _) => return Err(ArgError::UnknownOption(o)),
        }
    }
    Ok(Command::Inspect {
        file: file.ok_or(ArgError::MissingFile)?,
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
        Some("inspect") => parse_inspect(&mut scan),
        Some("help" | "-h" | "--help") => Ok(Command::Help),
        _ => Err(ArgError::UnknownCommand(lossy(&cmd))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(args: &[&str]) -> LoadArgs {
        match parse(args.iter().copied()) {
            Ok(Command::Load(l)) => l,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn err(args: &[&str]) -> ArgError {
        parse(args.iter().copied()).unwrap_err()
    }

    #[test]
    fn load_defaults() {
        let l = load(&["load", "x.bpf.o"]);
        assert_eq!(l.file, PathBuf::from("x.bpf.o"));
        assert!(l.maps.is_empty());
        assert_eq!(l.log_level, DEFAULT_LOG_LEVEL);
        assert_eq!(l.log_size, DEFAULT_LOG_SIZE);
        assert_eq!(l.token_fd, None);
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
        assert_eq!(l.log_level, 2);
        assert_eq!(l.log_size, 128);
        assert_eq!(l.token_fd, Some(9));
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
        assert!(matches!(
            err(&["load", "a", "--map", "noequals"]),
            ArgError::BadValue {
                option: "--map",
                ..
            }
        ));
        assert!(matches!(
            err(&["load", "a", "--map", "=3"]),
            ArgError::BadValue {
                option: "--map",
                ..
            }
        ));
        assert!(matches!(
            err(&["load", "a", "--map", "m=-3"]),
            ArgError::BadValue {
                option: "--map",
                ..
            }
        ));
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
    }

    #[test]
    fn inspect_and_help() {
        assert_eq!(
            parse(["inspect", "o.bpf.o"]).unwrap(),
            Command::Inspect {
                file: PathBuf::from("o.bpf.o")
            }
        );
        assert_eq!(err(&["inspect"]), ArgError::MissingFile);
        assert_eq!(
            err(&["inspect", "a", "--map", "x=1"]),
            ArgError::UnknownOption("--map".into())
        );
        for h in ["help", "-h", "--help"] {
            assert_eq!(parse([h]).unwrap(), Command::Help);
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
    }
}

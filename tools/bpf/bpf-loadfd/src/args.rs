// SPDX-License-Identifier: GPL-2.0

//! The command line, declared with `clap`: the help text, the man pages and
//! the shell completions all come from these definitions.

use std::path::PathBuf;

use clap::builder::NonEmptyStringValueParser;
use clap::{ArgGroup, Args, Parser, Subcommand};

use crate::uapi::BPF_LOADFD_NAME_LEN;

/// Default `log_level` of `BPF_LOAD_FD`: 1, so every rejection explains
/// itself. (`BPF_PROG_LOAD` defaults to 0 and is retried with 1 on failure,
/// as libbpf does.)
pub const DEFAULT_LOG_LEVEL: u32 = 1;
/// Default log buffer size.
pub const DEFAULT_LOG_SIZE: u32 = 1024 * 1024;

/// Userspace shim for BPF_LOAD_FD, the bpf(2) command that loads a BPF ELF
/// object in the kernel.
#[derive(Debug, Parser)]
#[command(
    name = "bpf-loadfd",
    version,
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true,
    after_help = "Exit status: 0 on success, 1 when the kernel (or the loader core) rejects \
                  the object or a step fails, 2 on a usage error."
)]
pub struct Cli {
    /// Print the results as one JSON document on stdout (logs and errors
    /// still go to stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// BPF_LOAD_FD on FILE, then print the loader object.
    ///
    /// Prints the loader object as /sys/kernel/bpf_loadfd/<id>/ describes
    /// it: provenance, programs, maps. The object lives as long as its fd,
    /// so it is freed when this exits.
    Load(LoadArgs),
    /// Programs of a loader object.
    #[command(subcommand)]
    Prog(ProgCommand),
    /// Load programs by name and pin them on a bpffs.
    ///
    /// Like 'prog load', then pins each program at DIR/NAME (DIR must be on
    /// a bpffs; it is created if missing).
    #[command(
        allow_missing_positional = true,
        override_usage = "bpf-loadfd pin [OPTIONS] <FILE> <NAME|--all> <DIR>"
    )]
    Pin(PinArgs),
    /// Load a program, attach it according to its SEC name and pin the link.
    ///
    /// Handles fentry, fexit, fmod_ret, tp_btf, iter and lsm programs
    /// (BPF_LINK_CREATE), raw_tp (BPF_RAW_TRACEPOINT_OPEN), tracepoint,
    /// kprobe and kretprobe (perf events), xdp (--dev or --ifindex),
    /// tc/tcx ingress and egress (--dev or --ifindex) and cgroup programs,
    /// lsm_cgroup included (--cgroup). The link is pinned at PATH, so it
    /// stays attached after this exits (rm PATH detaches it).
    Attach(AttachArgs),
    /// Run the loader core on FILE in userspace (no kernel needed).
    ///
    /// Runs the code BPF_LOAD_FD runs and explains the object: sections,
    /// programs, maps, externs, relocations, linking; or the exact
    /// rejection and errno the kernel would give. ksyms and kfuncs are
    /// resolved by the kernel at load time (or against --symbols).
    Inspect(InspectArgs),
    /// Write the man pages or shell completions (for packagers).
    #[command(subcommand, hide = true)]
    Generate(Generate),
}

/// `prog` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProgCommand {
    /// BPF_LOAD_FD, then BPF_PROG_LOAD of programs by name.
    ///
    /// Prints 'NAME: prog id N', or the verifier's log. The programs are
    /// freed when this exits; use 'pin' or 'attach' to keep them.
    #[command(override_usage = "bpf-loadfd prog load [OPTIONS] <FILE> <NAME|--all>")]
    Load(ProgLoadArgs),
}

/// Where the fd of a `--map` comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapSource {
    /// `pinned:PATH`: BPF_OBJ_GET of PATH.
    Pinned(PathBuf),
    /// `id:N`: BPF_MAP_GET_FD_BY_ID.
    Id(u32),
    /// `fd:N` or plain `N`: an fd this process already has.
    Fd(i32),
}

/// A `--map NAME=SOURCE` binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapArg {
    /// The object's map name.
    pub name: String,
    /// Where the map comes from.
    pub source: MapSource,
}

/// The object and the BPF_LOAD_FD options of every kernel command.
#[derive(Clone, Debug, PartialEq, Eq, Args)]
pub struct LoadArgs {
    /// The BPF ELF object.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Bind the object's map NAME to an existing map instead of creating it
    /// (repeatable). SOURCE is pinned:PATH, id:N, or fd:N (N alone also
    /// means an fd).
    #[arg(
        id = "map",
        long = "map",
        value_name = "NAME=SOURCE",
        value_parser = parse_map
    )]
    pub maps: Vec<MapArg>,
    /// Log level of BPF_LOAD_FD (default 1) and BPF_PROG_LOAD (default 0,
    /// retried with 1 on failure); 0: no log.
    #[arg(long, value_name = "N")]
    pub log_level: Option<u32>,
    /// Log buffer size in bytes (0: no buffer).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_LOG_SIZE)]
    pub log_size: u32,
    /// Pass a BPF token (sets BPF_F_TOKEN_FD).
    #[arg(long, value_name = "FD", value_parser = parse_fd)]
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
    One(String),
    /// `--all`: every program of the object.
    All,
}

/// `prog load FILE (NAME | --all)`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("progs").required(true).args(["name", "all"])))]
pub struct ProgLoadArgs {
    /// The object and load options.
    #[command(flatten)]
    pub load: LoadArgs,
    /// The program (ELF symbol name).
    #[arg(value_parser = NonEmptyStringValueParser::new())]
    pub name: Option<String>,
    /// Every program of the object.
    #[arg(long)]
    pub all: bool,
}

impl ProgLoadArgs {
    /// The programs selected.
    pub fn progs(&self) -> Progs {
        progs(&self.name)
    }
}

fn progs(name: &Option<String>) -> Progs {
    match name {
        Some(n) => Progs::One(n.clone()),
        None => Progs::All,
    }
}

/// `pin FILE (NAME | --all) DIR`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("progs").required(true).args(["name", "all"])))]
pub struct PinArgs {
    /// The object and load options.
    #[command(flatten)]
    pub load: LoadArgs,
    /// The program (ELF symbol name).
    #[arg(value_parser = NonEmptyStringValueParser::new())]
    pub name: Option<String>,
    /// The bpffs directory.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Every program of the object.
    #[arg(long)]
    pub all: bool,
    /// Also pin the maps the kernel created at DIR/maps/NAME ('.' becomes
    /// '_': bpffs refuses names with dots, so .bss is pinned as _bss).
    #[arg(long)]
    pub maps: bool,
}

impl PinArgs {
    /// The programs selected.
    pub fn progs(&self) -> Progs {
        progs(&self.name)
    }
}

/// `attach FILE NAME --pin PATH`.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The object and load options.
    #[command(flatten)]
    pub load: LoadArgs,
    /// The program (ELF symbol name).
    #[arg(value_parser = NonEmptyStringValueParser::new())]
    pub name: String,
    /// Pin the link here (on a bpffs).
    #[arg(long, value_name = "PATH", required = true)]
    pub pin: PathBuf,
    /// Also pin the maps the kernel created at DIR/maps/NAME, DIR being
    /// PATH's directory.
    #[arg(long)]
    pub maps: bool,
    /// What to attach to, for programs that need a target.
    #[command(flatten)]
    pub target: Target,
}

/// The attach target of xdp, tcx and cgroup programs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Args)]
#[group(multiple = false)]
pub struct Target {
    /// xdp, tc/tcx: the network interface, by name.
    #[arg(long, value_name = "NAME")]
    pub dev: Option<String>,
    /// xdp, tc/tcx: the network interface, by index.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub ifindex: Option<u32>,
    /// cgroup programs: the cgroup (v2) directory.
    #[arg(long, value_name = "PATH")]
    pub cgroup: Option<PathBuf>,
}

/// `inspect (FILE [--config PATH] | --sec-defs)`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The BPF ELF object.
    #[arg(value_name = "FILE", required_unless_present = "sec_defs")]
    pub file: Option<PathBuf>,
    /// The kernel .config (uncompressed) for .kconfig externs; default
    /// /boot/config-$(uname -r) if present.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// A kernel's symbols in /proc/kallsyms format: ksyms and kfuncs not
    /// listed are unresolved, as they would be in that kernel; default:
    /// assume the kernel has every one.
    #[arg(long, value_name = "PATH")]
    pub symbols: Option<PathBuf>,
    /// List the SEC names the loader accepts instead.
    #[arg(long, conflicts_with_all = ["file", "config", "symbols"])]
    pub sec_defs: bool,
}

/// `generate` subcommands.
#[derive(Debug, Subcommand)]
pub enum Generate {
    /// Write a man page for each command to DIR.
    Man {
        /// The output directory (it must exist).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Print the completion script for SHELL.
    Completions {
        /// The shell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

fn parse_fd(v: &str) -> Result<i32, String> {
    v.parse::<i32>()
        .ok()
        .filter(|fd| *fd >= 0)
        .ok_or_else(|| "expected a file descriptor number".to_string())
}

/// Parses `NAME=pinned:PATH`, `NAME=id:N`, `NAME=fd:N` or `NAME=N`. Map
/// names are identifiers or `.`-sections, never with `=`: the first `=`
/// ends the name, so a PATH may contain one.
fn parse_map(v: &str) -> Result<MapArg, String> {
    let (name, source) = v
        .split_once('=')
        .ok_or("expected NAME=pinned:PATH, NAME=id:N or NAME=fd:N")?;
    if name.is_empty() {
        return Err("empty map name".into());
    }
    if name.len() >= BPF_LOADFD_NAME_LEN {
        return Err(format!(
            "map name longer than {} bytes",
            BPF_LOADFD_NAME_LEN - 1
        ));
    }
    if name.contains('\0') {
        return Err("map name contains a NUL byte".into());
    }
    let source = if let Some(path) = source.strip_prefix("pinned:") {
        if path.is_empty() {
            return Err("pinned: needs a path".into());
        }
        MapSource::Pinned(PathBuf::from(path))
    } else if let Some(id) = source.strip_prefix("id:") {
        let id = id.parse::<u32>().ok().filter(|id| *id != 0);
        MapSource::Id(id.ok_or("id: needs a map id (a positive number)")?)
    } else {
        let fd = source.strip_prefix("fd:").unwrap_or(source);
        MapSource::Fd(parse_fd(fd).map_err(|_| {
            format!("'{source}' is not pinned:PATH, id:N, fd:N or a file descriptor number")
        })?)
    };
    Ok(MapArg {
        name: name.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("bpf-loadfd").chain(args.iter().copied()))
    }

    fn cmd(args: &[&str]) -> Command {
        parse(args)
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
            .command
    }

    fn err(args: &[&str]) -> ErrorKind {
        parse(args).unwrap_err().kind()
    }

    fn load(args: &[&str]) -> LoadArgs {
        match cmd(args) {
            Command::Load(l) => l,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn map(name: &str, source: MapSource) -> MapArg {
        MapArg {
            name: name.into(),
            source,
        }
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn load_defaults_and_options() {
        let l = load(&["load", "x.bpf.o"]);
        assert_eq!(l.file, PathBuf::from("x.bpf.o"));
        assert_eq!(l.load_fd_log_level(), DEFAULT_LOG_LEVEL);
        assert_eq!(l.log_size, DEFAULT_LOG_SIZE);
        assert_eq!((l.maps.len(), l.token_fd), (0, None));

        let l = load(&[
            "load",
            "--log-level",
            "2",
            "x.o",
            "--log-size=128",
            "--token-fd",
            "9",
        ]);
        assert_eq!((l.load_fd_log_level(), l.log_size), (2, 128));
        assert_eq!(l.token_fd, Some(9));
        assert_eq!(
            load(&["load", "--", "--odd.o"]).file,
            PathBuf::from("--odd.o")
        );
        assert_eq!(err(&["load"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(err(&["load", "a", "b"]), ErrorKind::UnknownArgument);
        assert_eq!(
            err(&["load", "a", "--log-level", "-1"]),
            ErrorKind::UnknownArgument
        );
        assert_eq!(
            err(&["load", "a", "--token-fd", "x"]),
            ErrorKind::ValueValidation
        );
        assert_eq!(err(&["load", "a", "--maps"]), ErrorKind::UnknownArgument);
    }

    #[test]
    fn map_forms() {
        let l = load(&[
            "load",
            "x.o",
            "--map",
            "counters=3",
            "--map=.bss=fd:4",
            "--map",
            "shared=pinned:/sys/fs/bpf/a=b",
            "--map",
            "m=id:17",
        ]);
        assert_eq!(
            l.maps,
            vec![
                map("counters", MapSource::Fd(3)),
                map(".bss", MapSource::Fd(4)),
                map("shared", MapSource::Pinned("/sys/fs/bpf/a=b".into())),
                map("m", MapSource::Id(17)),
            ]
        );
        let max = format!("{}=3", "n".repeat(63));
        assert_eq!(load(&["load", "a", "--map", &max]).maps[0].name.len(), 63);
        let long = format!("{}=3", "n".repeat(64));
        for bad in [
            "noequals",
            "=3",
            "m=-3",
            "m=x",
            "m=fd:",
            "m=id:0",
            "m=id:x",
            "m=pinned:",
            &long,
        ] {
            assert_eq!(
                err(&["load", "a", "--map", bad]),
                ErrorKind::ValueValidation,
                "{bad}"
            );
        }
        let e = parse(&["load", "a", "--map", "m=x"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("'x' is not pinned:PATH, id:N, fd:N"), "{e}");
    }

    #[test]
    fn prog_load_and_pin() {
        let Command::Prog(ProgCommand::Load(p)) = cmd(&["prog", "load", "x.o", "handle"]) else {
            panic!()
        };
        assert_eq!(p.progs(), Progs::One("handle".into()));
        let Command::Prog(ProgCommand::Load(p)) = cmd(&["prog", "load", "--all", "x.o"]) else {
            panic!()
        };
        assert_eq!((p.progs(), p.load.file), (Progs::All, "x.o".into()));
        assert_eq!(
            err(&["prog", "load", "x.o"]),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            err(&["prog", "load", "x.o", "p", "--all"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(err(&["prog", "load", "x.o", ""]), ErrorKind::InvalidValue);
        assert_eq!(err(&["prog", "show"]), ErrorKind::InvalidSubcommand);

        let Command::Pin(p) = cmd(&["pin", "x.o", "p", "/sys/fs/bpf/x"]) else {
            panic!()
        };
        assert_eq!(
            (p.progs(), p.dir, p.maps),
            (Progs::One("p".into()), "/sys/fs/bpf/x".into(), false)
        );
        let Command::Pin(p) = cmd(&["pin", "x.o", "--all", "/sys/fs/bpf/x", "--maps"]) else {
            panic!()
        };
        assert_eq!(
            (p.progs(), p.dir, p.maps),
            (Progs::All, "/sys/fs/bpf/x".into(), true)
        );
        assert_eq!(
            err(&["pin", "x.o", "p", "d", "--all"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            err(&["pin", "x.o", "p", "d", "e"]),
            ErrorKind::UnknownArgument
        );
    }

    #[test]
    fn attach_and_targets() {
        let Command::Attach(a) = cmd(&[
            "attach",
            "x.o",
            "count_execve",
            "--pin",
            "/sys/fs/bpf/demo/l",
            "--maps",
        ]) else {
            panic!()
        };
        assert_eq!(a.name, "count_execve");
        assert_eq!((a.pin, a.maps), ("/sys/fs/bpf/demo/l".into(), true));
        assert_eq!(a.target, Target::default());
        let Command::Attach(a) = cmd(&["attach", "x.o", "p", "--pin=l", "--dev", "eth0"]) else {
            panic!()
        };
        assert_eq!(a.target.dev.as_deref(), Some("eth0"));
        let Command::Attach(a) = cmd(&[
            "attach",
            "x.o",
            "p",
            "--pin=l",
            "--cgroup",
            "/sys/fs/cgroup/a",
        ]) else {
            panic!()
        };
        assert_eq!(a.target.cgroup, Some("/sys/fs/cgroup/a".into()));
        assert_eq!(
            err(&["attach", "x.o", "p"]),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            err(&["attach", "x.o", "p", "--pin=l", "--dev=a", "--ifindex=2"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            err(&["attach", "x.o", "p", "--pin=l", "--ifindex=0"]),
            ErrorKind::ValueValidation
        );
        assert_eq!(
            err(&["attach", "x.o", "--all", "--pin=l"]),
            ErrorKind::UnknownArgument
        );
    }

    #[test]
    fn inspect_json_help_and_version() {
        let Command::Inspect(i) = cmd(&["inspect", "--config", "/boot/c", "o.bpf.o"]) else {
            panic!()
        };
        assert_eq!(
            (i.file, i.config, i.sec_defs),
            (Some("o.bpf.o".into()), Some("/boot/c".into()), false)
        );
        assert!(matches!(cmd(&["inspect", "--sec-defs"]), Command::Inspect(i) if i.sec_defs));
        assert_eq!(err(&["inspect"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(
            err(&["inspect", "--sec-defs", "o"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            err(&["inspect", "a", "--map", "x=1"]),
            ErrorKind::UnknownArgument
        );
        // --json is global: before or after the subcommand.
        assert!(parse(&["--json", "load", "x.o"]).unwrap().json);
        assert!(
            parse(&["prog", "load", "x.o", "--all", "--json"])
                .unwrap()
                .json
        );
        assert!(!parse(&["load", "x.o"]).unwrap().json);
        assert_eq!(err(&["--version"]), ErrorKind::DisplayVersion);
        for h in [
            &["--help"][..],
            &["help"],
            &["pin", "-h"],
            &["prog", "load", "--help"],
        ] {
            assert_eq!(err(h), ErrorKind::DisplayHelp, "{h:?}");
        }
        assert_eq!(
            err(&[]),
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
        assert_eq!(err(&["frob"]), ErrorKind::InvalidSubcommand);
    }
}

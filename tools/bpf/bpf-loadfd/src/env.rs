// SPDX-License-Identifier: GPL-2.0

//! The [`Env`] `bpf-loadfd inspect` resolves externs with, without a kernel.
//!
//! * `.kconfig` externs come from a kernel `.config` (`--config PATH`, or
//!   `/boot/config-$(uname -r)`), read with the core's own
//!   [`bpfobj::kconfig::lookup`] as the kernel reads its embedded `.config`.
//!   Without one, each gets a labelled placeholder (`n`, 0, `""`).
//! * The virtual `LINUX_*` externs are computed the way the kernel glue
//!   does, from the `.config` header or this host's kernel.
//! * ksyms and kfuncs are resolved by the kernel at load time: they get
//!   placeholder ids here (clearly labelled in the output), so that linking
//!   can still be shown.
//!
//! Every answer is recorded with where it came from, for the report.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use bpfobj::checkpoint::Checkpoint;
use bpfobj::error::Error;
use bpfobj::externs::{Env, EnvError, ExternKind, KcfgType, KconfigValue, KfuncId, KsymBtf};
use bpfobj::kconfig;

/// Placeholder BTF id given to ksyms and kfuncs (never a real answer).
pub const PLACEHOLDER_BTF_ID: u32 = 0;
/// Placeholder address given to typeless ksyms.
pub const PLACEHOLDER_ADDR: u64 = 0;

/// A kernel `.config` text and where it came from.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file.
    pub path: PathBuf,
    /// Its text.
    pub text: Vec<u8>,
}

/// Which `.config` to use: `--config PATH`, else
/// `/boot/config-<release>` if it exists. `Ok(None)` (with the reason) if
/// there is none; `Err` if the given file cannot be used.
pub fn choose_config(arg: Option<&Path>) -> Result<Result<Config, String>, String> {
    if let Some(p) = arg {
        let text = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if text.starts_with(&[0x1f, 0x8b]) {
            return Err(format!(
                "{} is gzip-compressed: decompress it first (zcat {} > config) and pass that",
                p.display(),
                p.display()
            ));
        }
        return Ok(Ok(Config {
            path: p.to_path_buf(),
            text,
        }));
    }
    let Some(release) = host_release() else {
        return Ok(Err(
            "no --config, and this host's kernel release is unknown".to_string(),
        ));
    };
    let p = PathBuf::from(format!("/boot/config-{release}"));
    match std::fs::read(&p) {
        Ok(text) => Ok(Ok(Config { path: p, text })),
        Err(_) => Ok(Err(format!(
            "no --config, and {} does not exist (/proc/config.gz is gzip-compressed and \
             not read: zcat it to a file and pass --config)",
            p.display()
        ))),
    }
}

/// This host's kernel release (`uname -r`).
pub fn host_release() -> Option<String> {
    let s = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
    Some(s.trim().to_string())
}

/// `KERNEL_VERSION(a, b, c)` of a release string (`6.12.117-loadfd`), with
/// the sublevel capped at 255 like the kernel's `LINUX_VERSION_CODE`.
pub fn version_code(release: &str) -> Option<u32> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let mut num = || -> Option<u32> { parts.next()?.parse().ok() };
    let a = num()?;
    let b = num()?;
    let c = num().unwrap_or(0);
    if a > 255 || b > 255 {
        return None;
    }
    Some((a << 16) | (b << 8) | c.min(255))
}

/// The release in a `.config` header (`# Linux/x86 6.12.117 Kernel
/// Configuration`).
pub fn config_release(text: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(text.get(..text.len().min(4096))?).ok()?;
    text.lines().take(8).find_map(|l| {
        let rest = l.strip_prefix("# Linux/")?;
        let mut w = rest.split_whitespace();
        let _arch = w.next()?;
        let v = w.next()?;
        (w.next() == Some("Kernel")).then(|| v.to_string())
    })
}

/// How one extern was answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// From the `.config` file.
    Config(PathBuf),
    /// Not set in the `.config` file.
    NotInConfig(PathBuf),
    /// Computed (virtual `LINUX_*` extern); the text says from what.
    Virtual(String),
    /// A placeholder because no `.config` was available.
    NoConfig,
    /// A placeholder: the kernel resolves it at load time.
    Kernel,
    /// Looked up in a kallsyms-format symbol list (`--symbols`): found
    /// (in vmlinux, or in the named module), or not.
    Symbols(PathBuf, Option<Option<String>>),
}

/// The symbols of a running kernel, from a file in `/proc/kallsyms` format
/// (`ADDR TYPE NAME [MODULE]`), for resolving ksyms and kfuncs as the
/// kernel would: present or not, in vmlinux or in a module.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    /// Where the list came from.
    pub path: PathBuf,
    /// Name -> the module it is in (`None`: vmlinux). The first entry wins,
    /// as kallsyms lookups do.
    pub by_name: std::collections::HashMap<Vec<u8>, Option<String>>,
}

impl Symbols {
    /// Parses a kallsyms-format list.
    pub fn parse(path: PathBuf, text: &[u8]) -> Self {
        let mut by_name = std::collections::HashMap::new();
        for line in text.split(|&b| b == b'\n') {
            let mut w = line
                .split(|&b| b == b' ' || b == b'\t')
                .filter(|w| !w.is_empty());
            let (Some(_addr), Some(_typ), Some(name)) = (w.next(), w.next(), w.next()) else {
                continue;
            };
            let module = w.next().and_then(|m| {
                let m = m.strip_prefix(b"[")?.strip_suffix(b"]")?;
                Some(String::from_utf8_lossy(m).into_owned())
            });
            by_name.entry(name.to_vec()).or_insert(module);
        }
        Symbols { path, by_name }
    }

    fn find(&self, name: &[u8]) -> Option<&Option<String>> {
        self.by_name.get(name)
    }
}

/// The inspect environment; see the module documentation.
#[derive(Debug)]
pub struct InspectEnv {
    config: Option<Config>,
    version: (u32, String),
    syscall_wrapper: (bool, String),
    kcfg_types: Vec<(Vec<u8>, KcfgType)>,
    notes: RefCell<Vec<(Vec<u8>, Source)>>,
    symbols: Option<Symbols>,
}

impl InspectEnv {
    /// An environment for the object whose externs are `externs`.
    pub fn new(config: Option<Config>, externs: &[bpfobj::externs::Extern<'_>]) -> Self {
        let from_config = config
            .as_ref()
            .and_then(|c| Some((config_release(&c.text)?, c.path.clone())));
        let version = match from_config {
            Some((r, p)) => match version_code(&r) {
                Some(v) => (v, format!("{r}, from the header of {}", p.display())),
                None => (0, format!("'{r}' in {} is not a version", p.display())),
            },
            None => match host_release().and_then(|r| Some((version_code(&r)?, r))) {
                Some((v, r)) => (v, format!("{r}, this host's kernel")),
                None => (0, "unknown: placeholder 0".to_string()),
            },
        };
        let syscall_wrapper = match &config {
            Some(c) => {
                let y = matches!(
                    kconfig::lookup(&c.text, b"CONFIG_ARCH_HAS_SYSCALL_WRAPPER"),
                    Some(KconfigValue::Tristate(b'y'))
                );
                (
                    y,
                    format!("CONFIG_ARCH_HAS_SYSCALL_WRAPPER in {}", c.path.display()),
                )
            }
            None => (
                cfg!(any(
                    target_arch = "x86_64",
                    target_arch = "aarch64",
                    target_arch = "s390x",
                    target_arch = "riscv64",
                    target_arch = "powerpc64",
                    target_arch = "loongarch64"
                )),
                "assumed for this architecture (no .config)".to_string(),
            ),
        };
        let kcfg_types = externs
            .iter()
            .filter_map(|e| match e.kind {
                ExternKind::Kconfig { typ, .. } => Some((e.name.to_vec(), typ)),
                ExternKind::Ksym { .. } => None,
            })
            .collect();
        InspectEnv {
            config,
            version,
            syscall_wrapper,
            kcfg_types,
            notes: RefCell::new(Vec::new()),
            symbols: None,
        }
    }

    /// Resolves ksyms and kfuncs against `symbols` instead of assuming
    /// the kernel has them.
    pub fn with_symbols(mut self, symbols: Option<Symbols>) -> Self {
        self.symbols = symbols;
        self
    }

    /// Notes how `name` was found in the symbol list, if there is one;
    /// `None` if there is none.
    fn lookup(&self, name: &[u8]) -> Option<Option<Option<String>>> {
        let syms = self.symbols.as_ref()?;
        let found = syms.find(name).cloned();
        self.note(name, Source::Symbols(syms.path.clone(), found.clone()));
        Some(found)
    }

    /// The `.config` in use, if any.
    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    /// How `name` was answered, if it was asked for.
    pub fn source(&self, name: &[u8]) -> Option<Source> {
        self.notes
            .borrow()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
    }

    fn note(&self, name: &[u8], s: Source) {
        let mut notes = self.notes.borrow_mut();
        if !notes.iter().any(|(n, _)| n == name) {
            notes.push((name.to_vec(), s));
        }
    }

    fn placeholder(&self, name: &[u8]) -> Option<KconfigValue<'_>> {
        let typ = self.kcfg_types.iter().find(|(n, _)| n == name)?.1;
        Some(match typ {
            KcfgType::Tristate => KconfigValue::Tristate(b'n'),
            KcfgType::Bool => KconfigValue::Bool(false),
            KcfgType::Char | KcfgType::Int => KconfigValue::Int(0),
            KcfgType::CharArray => KconfigValue::Str(b""),
        })
    }
}

impl Checkpoint for InspectEnv {
    fn checkpoint(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Env for InspectEnv {
    fn kconfig(&self, name: &[u8]) -> Option<KconfigValue<'_>> {
        match name {
            b"LINUX_KERNEL_VERSION" => {
                self.note(name, Source::Virtual(self.version.1.clone()));
                return Some(KconfigValue::Int(u64::from(self.version.0)));
            }
            b"LINUX_HAS_BPF_COOKIE" => {
                self.note(name, Source::Virtual("always true on 6.12".to_string()));
                return Some(KconfigValue::Bool(true));
            }
            b"LINUX_HAS_SYSCALL_WRAPPER" => {
                self.note(name, Source::Virtual(self.syscall_wrapper.1.clone()));
                return Some(KconfigValue::Bool(self.syscall_wrapper.0));
            }
            _ => {}
        }
        match &self.config {
            Some(c) => match kconfig::lookup(&c.text, name) {
                Some(v) => {
                    self.note(name, Source::Config(c.path.clone()));
                    Some(v)
                }
                None => {
                    self.note(name, Source::NotInConfig(c.path.clone()));
                    None
                }
            },
            None => {
                self.note(name, Source::NoConfig);
                self.placeholder(name)
            }
        }
    }

    fn ksym_btf(&self, name: &[u8], _btf_kind: u32, _local_type_id: u32) -> Option<KsymBtf> {
        let btf_obj = match self.lookup(name) {
            Some(None) => return None,
            Some(Some(module)) => u32::from(module.is_some()),
            None => {
                self.note(name, Source::Kernel);
                0
            }
        };
        Some(KsymBtf {
            btf_id: PLACEHOLDER_BTF_ID,
            btf_obj,
        })
    }

    fn ksym_addr(&self, name: &[u8]) -> Result<Option<u64>, EnvError> {
        match self.lookup(name) {
            Some(None) => Ok(None),
            // The kernel refuses typeless module symbols (their address
            // could go stale while the loader object lives).
            Some(Some(Some(_))) => Err(EnvError::InModule),
            Some(Some(None)) => Ok(Some(PLACEHOLDER_ADDR)),
            None => {
                self.note(name, Source::Kernel);
                Ok(Some(PLACEHOLDER_ADDR))
            }
        }
    }

    fn kfunc(&self, name: &[u8], _local_proto_id: u32) -> Option<KfuncId> {
        let btf_fd_slot = match self.lookup(name) {
            Some(None) => return None,
            Some(Some(module)) => i16::from(module.is_some()),
            None => {
                self.note(name, Source::Kernel);
                0
            }
        };
        Some(KfuncId {
            btf_id: PLACEHOLDER_BTF_ID,
            btf_fd_slot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            version_code("6.12.117-loadfd"),
            Some((6 << 16) | (12 << 8) | 117)
        );
        assert_eq!(version_code("6.12.300"), Some((6 << 16) | (12 << 8) | 255));
        assert_eq!(version_code("6.12"), Some((6 << 16) | (12 << 8)));
        assert_eq!(version_code("6.12-rc1"), Some((6 << 16) | (12 << 8)));
        assert_eq!(version_code("6.12.0"), version_code("6.12-rc1"));
        assert_eq!(version_code("x"), None);
        let cfg = b"#\n# Automatically generated file; DO NOT EDIT.\n\
                    # Linux/x86 6.12.117 Kernel Configuration\n#\nCONFIG_CC_VERSION_TEXT=\"x\"\n";
        assert_eq!(config_release(cfg).as_deref(), Some("6.12.117"));
        assert_eq!(config_release(b"CONFIG_X=y\n"), None);
    }

    #[test]
    fn symbols_resolve_as_the_kernel_would() {
        let syms = Symbols::parse(
            "/proc/kallsyms".into(),
            b"ffffffff81000000 T jiffies_fn\n\
              ffffffff82000000 D jiffies\n\
              ffffffffc0000000 t bpf_testmod_fn\t[bpf_testmod]\n\
              ffffffffc0001000 d bpf_testmod_var\t[bpf_testmod]\n",
        );
        let e = env(None, &[]).with_symbols(Some(syms));
        assert_eq!(e.ksym_addr(b"jiffies"), Ok(Some(PLACEHOLDER_ADDR)));
        assert_eq!(e.ksym_addr(b"nope"), Ok(None));
        assert_eq!(e.ksym_addr(b"bpf_testmod_var"), Err(EnvError::InModule));
        assert_eq!(e.ksym_btf(b"nope", 14, 0), None);
        assert_eq!(
            e.ksym_btf(b"bpf_testmod_var", 14, 0).map(|k| k.btf_obj),
            Some(1)
        );
        assert_eq!(e.kfunc(b"jiffies_fn", 0).map(|k| k.btf_fd_slot), Some(0));
        assert_eq!(
            e.kfunc(b"bpf_testmod_fn", 0).map(|k| k.btf_fd_slot),
            Some(1)
        );
        assert_eq!(e.kfunc(b"nope", 0), None);
        assert_eq!(
            e.source(b"bpf_testmod_fn"),
            Some(Source::Symbols(
                "/proc/kallsyms".into(),
                Some(Some("bpf_testmod".into()))
            ))
        );
    }

    fn env(config: Option<&str>, kcfg: &[(&str, KcfgType)]) -> InspectEnv {
        let mut e = InspectEnv::new(
            config.map(|t| Config {
                path: PathBuf::from("/tmp/cfg"),
                text: t.as_bytes().to_vec(),
            }),
            &[],
        );
        e.kcfg_types = kcfg
            .iter()
            .map(|(n, t)| (n.as_bytes().to_vec(), *t))
            .collect();
        e
    }

    #[test]
    fn kconfig_from_the_file() {
        let e = env(
            Some(
                "# Linux/x86 6.12.117 Kernel Configuration\nCONFIG_HZ=250\n\
                  CONFIG_ARCH_HAS_SYSCALL_WRAPPER=y\n",
            ),
            &[],
        );
        assert_eq!(e.kconfig(b"CONFIG_HZ"), Some(KconfigValue::Int(250)));
        assert_eq!(
            e.source(b"CONFIG_HZ"),
            Some(Source::Config("/tmp/cfg".into()))
        );
        assert_eq!(e.kconfig(b"CONFIG_NOPE"), None);
        assert_eq!(
            e.source(b"CONFIG_NOPE"),
            Some(Source::NotInConfig("/tmp/cfg".into()))
        );
        assert_eq!(
            e.kconfig(b"LINUX_KERNEL_VERSION"),
            Some(KconfigValue::Int(0x060c75))
        );
        assert_eq!(
            e.kconfig(b"LINUX_HAS_SYSCALL_WRAPPER"),
            Some(KconfigValue::Bool(true))
        );
        assert_eq!(
            e.kconfig(b"LINUX_HAS_BPF_COOKIE"),
            Some(KconfigValue::Bool(true))
        );
        assert!(
            matches!(e.source(b"LINUX_KERNEL_VERSION"), Some(Source::Virtual(s)) if s.contains("6.12.117"))
        );
    }

    #[test]
    fn placeholders_without_a_config() {
        let e = env(
            None,
            &[
                ("CONFIG_A", KcfgType::Tristate),
                ("CONFIG_B", KcfgType::Bool),
                ("CONFIG_C", KcfgType::Int),
                ("CONFIG_D", KcfgType::CharArray),
            ],
        );
        assert_eq!(e.kconfig(b"CONFIG_A"), Some(KconfigValue::Tristate(b'n')));
        assert_eq!(e.kconfig(b"CONFIG_B"), Some(KconfigValue::Bool(false)));
        assert_eq!(e.kconfig(b"CONFIG_C"), Some(KconfigValue::Int(0)));
        assert_eq!(e.kconfig(b"CONFIG_D"), Some(KconfigValue::Str(b"")));
        assert_eq!(e.source(b"CONFIG_A"), Some(Source::NoConfig));
        assert_eq!(e.ksym_addr(b"jiffies"), Ok(Some(PLACEHOLDER_ADDR)));
        assert_eq!(e.source(b"jiffies"), Some(Source::Kernel));
        assert!(e.kfunc(b"bpf_task_acquire", 5).is_some());
        assert_eq!(e.source(b"bpf_task_acquire"), Some(Source::Kernel));
    }

    #[test]
    fn gzip_configs_are_refused() {
        let p = std::env::temp_dir().join(format!("bpf-loadfd-cfg-{}.gz", std::process::id()));
        std::fs::write(&p, [0x1f, 0x8b, 8, 0]).unwrap();
        let e = choose_config(Some(&p)).unwrap_err();
        assert!(e.contains("gzip"), "{e}");
        std::fs::remove_file(&p).unwrap();
        assert!(choose_config(Some(Path::new("/nonexistent/config"))).is_err());
    }
}

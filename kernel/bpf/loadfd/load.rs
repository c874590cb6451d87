// SPDX-License-Identifier: GPL-2.0

//! Building a loader object from the object's bytes (no `unsafe` here): the
//! kernel's side of the core's [`Plan`], which decides everything and is
//! what `bpf-loadfd inspect` prints. The object's BTF is loaded (and
//! verified by the kernel) before the plan is made, because externs are
//! checked against it and maps are created with its type ids.

use crate::bpfobj::{
    btf::BTF_KIND_FUNC,
    checkpoint::Checkpoint,
    error::Error,
    externs::{Env, EnvError, ExternKind, KconfigValue, KfuncId, KsymBtf},
    kconfig,
    maps::SlotTarget,
    object::Object,
    plan::{self, Host, Plan, ProgOutcome, Reason},
};
use crate::sys::{self, Errno, Log, ObjBuilder};

/// The kernel's [`Checkpoint`]: `cond_resched()`, and EINTR once the caller
/// has a fatal signal.
struct KernelCheckpoint;

impl Checkpoint for KernelCheckpoint {
    fn checkpoint(&self) -> Result<(), Error> {
        sys::checkpoint().map_err(|_| Error::Interrupted)
    }
}

/// What only the running kernel knows, for [`externs::resolve`].
struct KernelEnv<'b> {
    obj: &'b ObjBuilder,
    /// The running kernel's `.config`, indexed if the object has kconfig
    /// externs (one lookup each).
    kconfig: Option<kconfig::Index<'static>>,
}

impl Checkpoint for KernelEnv<'_> {
    fn checkpoint(&self) -> Result<(), Error> {
        KernelCheckpoint.checkpoint()
    }
}

impl Env for KernelEnv<'_> {
    fn kconfig(&self, name: &[u8]) -> Option<KconfigValue<'_>> {
        match name {
            b"LINUX_KERNEL_VERSION" => Some(KconfigValue::Int(u64::from(sys::kernel_version()))),
            b"LINUX_HAS_BPF_COOKIE" => Some(KconfigValue::Bool(true)),
            b"LINUX_HAS_SYSCALL_WRAPPER" => Some(KconfigValue::Bool(sys::has_syscall_wrapper())),
            _ => self.kconfig.as_ref()?.lookup(name),
        }
    }

    fn ksym_btf(&self, name: &[u8], btf_kind: u32, local_type_id: u32) -> Option<KsymBtf> {
        let (btf_id, btf_obj) = self.obj.btf_find(name, btf_kind, local_type_id)?;
        Some(KsymBtf { btf_id, btf_obj })
    }

    fn ksym_addr(&self, name: &[u8]) -> Result<Option<u64>, EnvError> {
        sys::kallsyms(name).map_err(|e| match e {
            Errno::PERM => EnvError::Denied,
            Errno::INTR => EnvError::Interrupted,
            // EOPNOTSUPP (a module symbol), or anything unexpected: refuse.
            _ => EnvError::InModule,
        })
    }

    fn kfunc(&self, name: &[u8], local_proto_id: u32) -> Option<KfuncId> {
        let (btf_id, slot) = self.obj.btf_find(name, BTF_KIND_FUNC, local_proto_id)?;
        let btf_fd_slot = i16::try_from(slot).ok()?;
        Some(KfuncId {
            btf_id,
            btf_fd_slot,
        })
    }
}

/// Reports a core error to the log and lowers it to an errno.
fn reject(log: &mut Log, data: &[u8], obj: Option<&Object<'_>>, e: Error) -> Errno {
    log.line(format_args!("{}", Reason::new(data, obj, e)));
    Errno::from_class(e.class())
}

/// Runs the core on `data` and builds the loader object `ob`, executing the
/// core's [`Plan`]; every rejection is reported to `log`.
pub(crate) fn create(data: &[u8], log: &mut Log, ob: &mut ObjBuilder) -> Result<(), Errno> {
    let obj = Object::parse(data, &KernelCheckpoint).map_err(|e| reject(log, data, None, e))?;
    // Sized first: resolving the externs records module BTFs in it.
    ob.reserve(plan::map_count(&obj), obj.programs().len())?;
    ob.set_meta(obj.license(), obj.kern_version())?;
    if let Some(btf) = obj.btf() {
        ob.load_btf(btf)?;
    }

    let has_kconfig = obj
        .externs()
        .iter()
        .any(|e| matches!(e.kind, ExternKind::Kconfig { .. }));
    let kconfig = if has_kconfig {
        Some(
            kconfig::Index::new(sys::kconfig_text(), &KernelCheckpoint)
                .map_err(|e| reject(log, data, Some(&obj), e))?,
        )
    } else {
        None
    };
    let host = Host {
        page_size: u32::try_from(kernel::page::PAGE_SIZE).unwrap_or(4096),
        // Every 6.12 kernel with uprobes has uprobe-multi links.
        uprobe_multi: cfg!(CONFIG_UPROBES),
    };
    let env = KernelEnv { obj: ob, kconfig };
    let mut plan = Plan::new(&obj, &env, host, &KernelCheckpoint)
        .map_err(|e| reject(log, data, Some(&obj), e))?;

    for (i, m) in plan.maps().enumerate() {
        sys::checkpoint().map_err(|e| interrupted(log, e))?;
        let idx = ob.add_map(&m)?;
        // Programs refer to maps by core index; the C side must agree.
        if usize::try_from(idx).ok() != Some(i) {
            log.line(format_args!("maps: map {i} was bound at index {idx}"));
            return Err(Errno::INVAL);
        }
    }
    for (map, slot, target) in plan.slots() {
        let map = u32::try_from(map).map_err(|_| Errno::INVAL)?;
        match target {
            SlotTarget::Map(t) => {
                let t = u32::try_from(t).map_err(|_| Errno::INVAL)?;
                ob.set_map_slot(map, slot, t)?;
            }
            SlotTarget::Prog(p) => {
                // Filled when program `p` is loaded by name.
                let p = u32::try_from(p).map_err(|_| Errno::INVAL)?;
                ob.add_prog_slot(map, slot, p)?;
            }
        }
    }

    while let Some(step) = plan.next_prog(&KernelCheckpoint) {
        match step.map_err(|e| reject(log, data, Some(&obj), e))? {
            ProgOutcome::Load(p) => ob.add_prog(&p)?,
            // As libbpf, which relocates only the programs it loads: one
            // program that cannot be relocated does not make the others
            // unloadable. Its by-name load fails with this reason.
            ProgOutcome::Refused { index, error } => {
                let Some(p) = obj.programs().get(index) else {
                    return Err(Errno::INVAL);
                };
                ob.add_prog_error(
                    p.name,
                    p.section,
                    p.prog_type,
                    Errno::from_class(error.class()),
                    format_args!("{}", Reason::new(data, Some(&obj), error)),
                )?;
            }
        }
    }

    // struct_ops maps come last: creating one gives its programs their
    // attach target. Programs refer to no struct_ops map by index.
    for m in plan.struct_ops() {
        sys::checkpoint().map_err(|e| interrupted(log, e))?;
        ob.add_struct_ops(m)?;
    }
    Ok(())
}

/// Reports a fatal signal seen between two steps of the glue.
fn interrupted(log: &mut Log, e: Errno) -> Errno {
    log.line(format_args!("{}", Error::Interrupted));
    e
}

// SPDX-License-Identifier: GPL-2.0

//! Building a loader object from the object's bytes (no `unsafe` here): the
//! kernel's side of the core's [`Plan`], which decides everything and is
//! what `bpf-loadfd inspect` prints. The object's BTF is loaded (and
//! verified by the kernel) before the plan is made, because externs are
//! checked against it and maps are created with its type ids.

use crate::bpfobj::{
    btf::BTF_KIND_FUNC,
    checkpoint::Checkpoint,
    compat::GFP_INPUT,
    error::Error,
    externs::{Env, EnvError, ExternKind, KconfigValue, KfuncId, KsymBtf},
    kconfig,
    object::Object,
    plan::{self, Host, Plan, ProgLoad, ProgOutcome, Reason},
};
use crate::loader::{LoaderObject, Prog, ProgLayouts, ProgNames};
use crate::sys::{self, ObjBuilder, ProgState};
use core::cell::{Cell, RefCell};
use core::fmt::Write;
use kernel::alloc::KVec;
use kernel::bpf::{Btf, LineBuf, VerifierLog};
use kernel::error::{code, Error as KError, Result};
use kernel::types::ARef;

/// The kernel's [`Checkpoint`]: `cond_resched()`, and EINTR once the caller
/// has a fatal signal.
struct KernelCheckpoint;

impl Checkpoint for KernelCheckpoint {
    fn checkpoint(&self) -> Result<(), Error> {
        sys::checkpoint().map_err(|_| Error::INTERRUPTED)
    }
}

/// What only the running kernel knows, for resolving externs.
struct KernelEnv<'b> {
    obj: &'b ObjBuilder<'b>,
    /// The running kernel's `.config`, indexed if the object has kconfig
    /// externs (one lookup each).
    kconfig: Option<kconfig::Index<'static>>,
    /// The module BTFs lookups gave a slot, with their references (the
    /// loader object's `module_btfs`, borrowed for the lookups).
    module_btfs: RefCell<&'b mut KVec<ARef<Btf>>>,
    /// A module BTF could not be kept (cannot happen: room for every slot
    /// is reserved); the object is refused with ENOMEM.
    lost: Cell<bool>,
}

impl KernelEnv<'_> {
    /// [`ObjBuilder::btf_find`], keeping the reference of a module BTF
    /// that got its slot now.
    fn btf_find(&self, name: &[u8], kind: u32, local_type_id: u32) -> Option<(u32, u32)> {
        let (id, slot, new) = self.obj.btf_find(name, kind, local_type_id)?;
        if let Some(btf) = new {
            if self.module_btfs.borrow_mut().push(btf, GFP_INPUT).is_err() {
                self.lost.set(true);
                return None;
            }
        }
        Some((id, slot))
    }
}

impl Checkpoint for KernelEnv<'_> {
    fn checkpoint(&self) -> Result<(), Error> {
        KernelCheckpoint.checkpoint()
    }
}

impl Env for KernelEnv<'_> {
    fn kconfig(&self, name: &[u8]) -> Option<KconfigValue<'_>> {
        match name {
            b"LINUX_KERNEL_VERSION" => Some(KconfigValue::Int(u64::from(sys::KERNEL_VERSION))),
            b"LINUX_HAS_BPF_COOKIE" => Some(KconfigValue::Bool(true)),
            b"LINUX_HAS_SYSCALL_WRAPPER" => {
                Some(KconfigValue::Bool(cfg!(CONFIG_ARCH_HAS_SYSCALL_WRAPPER)))
            }
            _ => self.kconfig.as_ref()?.lookup(name),
        }
    }

    fn ksym_btf(&self, name: &[u8], btf_kind: u32, local_type_id: u32) -> Option<KsymBtf> {
        let (btf_id, btf_obj) = self.btf_find(name, btf_kind, local_type_id)?;
        Some(KsymBtf { btf_id, btf_obj })
    }

    fn ksym_addr(&self, name: &[u8]) -> Result<Option<u64>, EnvError> {
        sys::kallsyms(name).map_err(|e| {
            if e == code::EPERM {
                EnvError::Denied
            } else if e == code::EINTR {
                EnvError::Interrupted
            } else {
                // EOPNOTSUPP (a module symbol), or anything unexpected: refuse.
                EnvError::InModule
            }
        })
    }

    fn kfunc(&self, name: &[u8], local_proto_id: u32) -> Option<KfuncId> {
        let (btf_id, slot) = self.btf_find(name, BTF_KIND_FUNC, local_proto_id)?;
        let btf_fd_slot = i16::try_from(slot).ok()?;
        Some(KfuncId {
            btf_id,
            btf_fd_slot,
        })
    }
}

/// Reports a core error to the log and lowers it to an errno.
fn reject(log: &mut VerifierLog<'_>, data: &[u8], obj: Option<&Object<'_>>, e: Error) -> KError {
    log.line(format_args!("{}", Reason::new(data, obj, e)));
    sys::class_error(e.class())
}

/// Runs the core on `data` and builds the loader object (`ob`, its C half,
/// and `lo`, what it owns), executing the core's [`Plan`]; every rejection
/// is reported to `log`.
pub(crate) fn create(
    data: &[u8],
    log: &mut VerifierLog<'_>,
    ob: &mut ObjBuilder<'_>,
    lo: &mut LoaderObject,
) -> Result {
    let obj = Object::parse(data, &KernelCheckpoint).map_err(|e| reject(log, data, None, e))?;
    // Room for every map and program up front (input-sized, so charged):
    // the object borrows each as soon as it is added, so keeping it must
    // not fail.
    let map_count = plan::map_count(&obj);
    lo.maps.reserve(map_count, GFP_INPUT)?;
    lo.progs.reserve(obj.programs().len(), GFP_INPUT)?;
    // Sized before the externs are resolved, which record module BTFs in it.
    lo.btf = ob.begin(
        obj.license(),
        obj.kern_version(),
        map_count,
        obj.programs().len(),
        obj.btf(),
    )?;

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
    let env = KernelEnv {
        obj: ob,
        kconfig,
        module_btfs: RefCell::new(&mut lo.module_btfs),
        lost: Cell::new(false),
    };
    let plan = Plan::new(&obj, &env, host, &KernelCheckpoint);
    if env.lost.get() {
        return Err(code::ENOMEM);
    }
    let mut plan = plan.map_err(|e| reject(log, data, Some(&obj), e))?;

    for (i, m) in plan.maps().enumerate() {
        sys::checkpoint().map_err(|e| interrupted(log, e))?;
        let (idx, map) = ob.add_map(&m)?;
        lo.maps.push(map, GFP_INPUT)?;
        // Programs refer to maps by core index; the C side must agree.
        if usize::try_from(idx).ok() != Some(i) {
            log.line(format_args!("maps: map {i} was bound at index {idx}"));
            return Err(code::EINVAL);
        }
    }
    for (map, slot, target) in plan.slots() {
        sys::checkpoint().map_err(|e| interrupted(log, e))?;
        ob.add_slot(map, slot, target)?;
    }

    while let Some(step) = plan.next_prog(&KernelCheckpoint) {
        let (prog, state) = match step.map_err(|e| reject(log, data, Some(&obj), e))? {
            ProgOutcome::Load(p) => {
                let names = ProgNames::new(
                    p.prog.name,
                    p.prog.section,
                    p.prog.attach_btf_prefix,
                    p.prog.attach_func,
                )?;
                let ProgLoad {
                    prog,
                    expected_attach_type,
                    attach_btf_kind,
                    insns,
                    func_info,
                    line_info,
                    core_relos,
                    ..
                } = p;
                let layouts = ProgLayouts {
                    insns,
                    func_info,
                    line_info,
                    core_relos,
                };
                let state = ProgState::Loadable {
                    prog,
                    expected_attach_type,
                    attach_btf_kind,
                };
                (Prog { names, layouts }, state)
            }
            // As libbpf, which relocates only the programs it loads: one
            // program that cannot be relocated does not make the others
            // unloadable. Its by-name load fails with this reason.
            ProgOutcome::Refused { index, error } => {
                let Some(p) = obj.programs().get(index) else {
                    return Err(code::EINVAL);
                };
                let mut why = LineBuf::new();
                // Cutting a too long line is fine: `write_str` never fails.
                let _ = why.write_fmt(format_args!("{}", Reason::new(data, Some(&obj), error)));
                let names = ProgNames::refused(p.name, p.section, why.as_bytes())?;
                let state = ProgState::Refused {
                    prog_type: p.prog_type,
                    errno: sys::class_error(error.class()),
                };
                (
                    Prog {
                        names,
                        layouts: ProgLayouts::empty(),
                    },
                    state,
                )
            }
        };
        // The object's now, before C borrows from it (room is reserved, so
        // this cannot fail; moving the vectors does not move their contents).
        lo.progs.push(prog, GFP_INPUT)?;
        let kept = lo.progs.last().ok_or(code::EINVAL)?;
        ob.add_prog(kept, state)?;
    }

    // struct_ops maps come last: creating one gives its programs their
    // attach target. Programs refer to no struct_ops map by index.
    for m in plan.struct_ops() {
        sys::checkpoint().map_err(|e| interrupted(log, e))?;
        // Room for the module BTF C may hand over, so keeping it cannot fail.
        lo.struct_ops_btfs.reserve(1, GFP_INPUT)?;
        let (_, map) = ob.add_struct_ops(m, &mut lo.struct_ops_btfs)?;
        lo.maps.push(map, GFP_INPUT)?;
    }
    Ok(())
}

/// Reports a fatal signal seen between two steps of the glue.
fn interrupted(log: &mut VerifierLog<'_>, e: KError) -> KError {
    log.line(format_args!("{}", Error::INTERRUPTED));
    e
}

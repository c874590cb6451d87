// SPDX-License-Identifier: GPL-2.0
//! Fake kernels for the tests and examples (shared with `#[path]`).

use bpfobj::checkpoint::Checkpoint;
use bpfobj::error::Error;
use bpfobj::externs::{Env, EnvError, KconfigValue, KfuncId, KsymBtf};

/// A kernel that has every extern, so linking runs as far as it can; its
/// checkpoints are the wrapped one's.
pub(crate) struct YesEnv<'c>(pub &'c dyn Checkpoint);

impl Checkpoint for YesEnv<'_> {
    fn checkpoint(&self) -> Result<(), Error> {
        self.0.checkpoint()
    }
}

impl Env for YesEnv<'_> {
    fn kconfig(&self, _name: &[u8]) -> Option<KconfigValue<'_>> {
        Some(KconfigValue::Int(1))
    }
    fn ksym_btf(&self, _name: &[u8], _kind: u32, _local: u32) -> Option<KsymBtf> {
        Some(KsymBtf {
            btf_id: 1,
            btf_obj: 0,
        })
    }
    fn ksym_addr(&self, _name: &[u8]) -> Result<Option<u64>, EnvError> {
        Ok(Some(0xffff_ffff_8100_0000))
    }
    fn kfunc(&self, _name: &[u8], _local: u32) -> Option<KfuncId> {
        Some(KfuncId {
            btf_id: 1,
            btf_fd_slot: 0,
        })
    }
}

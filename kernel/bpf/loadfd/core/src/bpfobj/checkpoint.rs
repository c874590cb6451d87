// SPDX-License-Identifier: GPL-2.0

//! How the core yields while working: every loop over an input-sized
//! collection calls a [`Checkpoint`] at least every
//! [`CHECKPOINT_EVERY`] iterations (see [`crate::bpfobj::limits`]).

use core::cell::Cell;

use crate::bpfobj::error::Error;
use crate::bpfobj::limits::CHECKPOINT_EVERY;

/// Where the core may yield and notice that its caller is gone.
///
/// Called from every loop over an input-sized collection. The kernel
/// implements it as `cond_resched()` and fails with
/// [`Error::INTERRUPTED`] once the caller has a fatal signal; userspace
/// uses [`NoCheckpoint`].
pub trait Checkpoint {
    /// Yields if needed; an error aborts the whole operation.
    fn checkpoint(&self) -> Result<(), Error>;
}

/// A [`Checkpoint`] that never yields nor fails.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCheckpoint;

impl Checkpoint for NoCheckpoint {
    fn checkpoint(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// Calls a [`Checkpoint`] every [`CHECKPOINT_EVERY`] ticks, so cheap loops
/// can tick every iteration.
pub(crate) struct Ticker<'c> {
    cp: &'c dyn Checkpoint,
    n: Cell<u32>,
}

impl<'c> Ticker<'c> {
    /// A ticker over `cp`.
    pub(crate) fn new(cp: &'c dyn Checkpoint) -> Self {
        Ticker {
            cp,
            n: Cell::new(0),
        }
    }

    /// One iteration of work.
    pub(crate) fn tick(&self) -> Result<(), Error> {
        let n = self.n.get().wrapping_add(1);
        self.n.set(n);
        if n % CHECKPOINT_EVERY == 0 {
            self.cp.checkpoint()
        } else {
            Ok(())
        }
    }

    /// A checkpoint now (before and after an O(n log n) sort).
    pub(crate) fn now(&self) -> Result<(), Error> {
        self.cp.checkpoint()
    }
}

// SPDX-License-Identifier: GPL-2.0

//! Benchmark (not a test) of the core on hostile objects: each shape of
//! `tests/gen` at 1, 4 and 16 MiB, through `Object::parse`,
//! `externs::resolve` (a kernel that has every extern) and the linking of
//! every program against one byte budget, as `load.rs` does.
//!
//! Prints one row per object: the shape, its size, the best of a few runs,
//! the time per MiB, the longest stretch between two checkpoints (how long
//! a SIGKILLed caller could wait in the kernel), and the outcome. The time
//! per MiB should be flat across sizes (within 2x) and 16 MiB under 1 s.
//!
//! Run with `dev/bench-core.sh` (release build).

#[path = "../tests/envs/mod.rs"]
mod envs;
#[path = "../tests/gen/mod.rs"]
mod gen;

use std::cell::Cell;
use std::time::{Duration, Instant};

use bpfobj::checkpoint::Checkpoint;
use bpfobj::error::Error;
use bpfobj::limits::MAX_PROG_BYTES;
use bpfobj::object::Object;
use bpfobj::relocate::Relocator;
use envs::YesEnv;

/// A checkpoint that measures the longest gap between two calls.
struct Gap {
    last: Cell<Instant>,
    max: Cell<Duration>,
}

impl Gap {
    fn new() -> Self {
        Gap {
            last: Cell::new(Instant::now()),
            max: Cell::new(Duration::ZERO),
        }
    }

    fn lap(&self) {
        let now = Instant::now();
        let d = now - self.last.get();
        if d > self.max.get() {
            self.max.set(d);
        }
        self.last.set(now);
    }
}

impl Checkpoint for Gap {
    fn checkpoint(&self) -> Result<(), Error> {
        self.lap();
        Ok(())
    }
}

/// Runs the core like `load.rs`; returns the outcome.
fn run(data: &[u8], gap: &Gap) -> String {
    let obj = match Object::parse(data, gap) {
        Ok(o) => o,
        Err(e) => return format!("parse: {e}"),
    };
    let res = match bpfobj::plan::resolve_externs(&obj, &YesEnv(gap)) {
        Ok(r) => r,
        Err(e) => return format!("resolve: {e}"),
    };
    let mut linker = match Relocator::new(&obj) {
        Ok(l) => l,
        Err(e) => return format!("link: {e}"),
    };
    let mut left = MAX_PROG_BYTES;
    let mut insns = 0usize;
    for i in 0..obj.programs().len() {
        match linker.relocate_within(i, &res, gap, left) {
            Ok(l) => {
                let bytes = l.insns.len() * 8
                    + l.func_info.len() * 8
                    + l.line_info.len() * 16
                    + l.core_relos.len() * 16;
                left -= bytes;
                insns += l.insns.len();
            }
            Err(e) => return format!("link: {e}"),
        }
    }
    format!(
        "ok: {} progs, {} maps, {} externs, {insns} insns linked",
        obj.programs().len(),
        obj.maps().len(),
        obj.externs().len()
    )
}

fn main() {
    const MIB: usize = 1 << 20;
    let runs = 3;
    println!(
        "| {:<15} | {:>9} | {:>9} | {:>9} | {:>8} | outcome",
        "generator", "size", "seconds", "s/MiB", "max gap"
    );
    println!(
        "|{:-<17}|{:-<11}|{:-<11}|{:-<11}|{:-<10}|---------",
        "", "", "", "", ""
    );
    let mut worst = 0f64;
    for shape in gen::shapes() {
        for mib in [1usize, 4, 16] {
            let data = (shape.make)(mib * MIB);
            let mut best = f64::MAX;
            let mut gap_max = Duration::ZERO;
            let mut outcome = String::new();
            for _ in 0..runs {
                let gap = Gap::new();
                let t = Instant::now();
                outcome = run(&data, &gap);
                gap.lap();
                best = best.min(t.elapsed().as_secs_f64());
                gap_max = gap_max.max(gap.max.get());
            }
            worst = worst.max(best);
            let size = data.len() as f64 / MIB as f64;
            println!(
                "| {:<15} | {:>6.2} MiB | {:>9.4} | {:>9.4} | {:>5.1} ms | {}",
                shape.name,
                size,
                best,
                best / size,
                gap_max.as_secs_f64() * 1000.0,
                outcome
            );
        }
    }
    println!("worst: {worst:.3} s");
}

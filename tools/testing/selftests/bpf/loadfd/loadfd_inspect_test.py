#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`bpf-loadfd inspect` and the running kernel give one verdict (TAP).

Both execute the core's plan (bpfobj::plan), so for every object the test
has (the selftest objects, accepted, refused and hostile, and the corpus
sample if it was built) what inspect predicts must be what BPF_LOAD_FD does:

- a rejection: the kernel fails with the same errno and logs the same line;
  (inspect resolves ksyms and kfuncs against /proc/kallsyms, and the
  .kconfig externs against /proc/config.gz, as the kernel does);
- an accepted object: the kernel accepts it, and the programs inspect says
  cannot be loaded by name are exactly those whose sysfs `error` is set,
  with the same reason.

The kernel runs steps inspect cannot (BTF_LOAD of the fixed-up BTF, map
creation, module BTF): an object the kernel refuses there is reported as
such, and counts as a pass only if its log line is not one inspect could
have predicted (not a line of the core).

$LOADFD_SHIM is the shim, $LOADFD_OBJDIR the objects; $LOADFD_CACHE/corpus/
sample/objects.txt (dev/corpus.sh --build-sample) adds the corpus sample.
"""
import glob
import gzip
import json
import re
import os
import subprocess
import sys
import tempfile

SHIM = os.environ.get("LOADFD_SHIM", "bpf-loadfd")
OBJDIR = os.environ.get("LOADFD_OBJDIR", os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("LOADFD_CACHE", os.path.expanduser("~/.cache/loadfd"))

# Steps of BPF_LOAD_FD that only the kernel runs, by their log lines
# (kernel/bpf/loadfd/loadfd_build.c: the BTF verifier, map creation and the
# caller's maps and pin directory, struct_ops against the kernel's types).
KERNEL_ONLY = re.compile(r"^(btf: the kernel's BTF verifier|maps: '[^']*': |struct_ops: '[^']*': )")


def objects():
    objs = sorted(glob.glob(os.path.join(OBJDIR, "*.bpf.o")))
    sample = os.path.join(CACHE, "corpus", "sample", "objects.txt")
    if os.path.exists(sample):
        with open(sample) as f:
            for line in f:
                p = line.split()[0] if line.strip() else ""
                if p and os.path.exists(p) and p not in objs:
                    objs.append(p)
    return objs


def run(*args):
    return subprocess.run([SHIM, *args], capture_output=True, text=True, timeout=300)


def kernel_verdict(obj):
    """(errno name or None, log lines, {program: error})"""
    r = run("--json", "load", obj)
    log = [l[len("kernel: "):] for l in r.stderr.splitlines() if l.startswith("kernel: ")]
    if r.returncode != 0:
        errno = None
        for l in r.stderr.splitlines():
            if "BPF_LOAD_FD failed: " in l:
                errno = l.split("BPF_LOAD_FD failed: ", 1)[1].split()[0]
        return errno or "?", log, {}
    rep = json.loads(r.stdout)
    progs = {p["name"]: p["error"] for p in (rep.get("object") or {}).get("programs", [])
             if p.get("error")}
    return None, log, progs


def main():
    cfg = tempfile.NamedTemporaryFile(prefix="loadfd_inspect_cfg_", delete=False)
    with gzip.open("/proc/config.gz") as f:
        cfg.write(f.read())
    cfg.close()
    objs = objects()
    print("TAP version 13")
    print(f"1..{len(objs)}")
    fails = 0
    kernel_only = 0
    for n, obj in enumerate(objs, 1):
        name = os.path.basename(obj)
        r = run("--json", "inspect", "--config", cfg.name, "--symbols", "/proc/kallsyms", obj)
        try:
            ins = json.loads(r.stdout)
        except ValueError:
            print(f"not ok {n} {name}: inspect gave no JSON (rc {r.returncode}): {r.stderr.strip()}")
            fails += 1
            continue
        rej = ins.get("rejection")
        want_refused = {p["name"]: p["line"] for p in ins.get("refused_programs", [])}
        errno, log, refused = kernel_verdict(obj)
        why = None
        if rej:
            if errno is None:
                why = f"inspect: {rej['errno_name']} '{rej['line']}', the kernel accepts it"
            elif errno != rej["errno_name"] or rej["line"] not in log:
                why = f"inspect: {rej['errno_name']} '{rej['line']}'; kernel: {errno} {log}"
            verdict = f"both refuse it: {errno}"
        elif errno is not None:
            if log and KERNEL_ONLY.match(log[0]):
                kernel_only += 1
                verdict = f"the kernel refuses it at a step inspect cannot run: {errno} {log[:1]}"
            else:
                why = f"inspect accepts it; kernel: {errno} {log}"
        elif refused != want_refused:
            why = f"programs that cannot be loaded: inspect {want_refused}, kernel {refused}"
        else:
            verdict = "both accept it" + (f", {len(refused)} program(s) refused by both"
                                           if refused else "")
        if why:
            fails += 1
            print(f"not ok {n} {name}: {why}")
        else:
            print(f"ok {n} {name}: {verdict}")
    os.unlink(cfg.name)
    print(f"# {kernel_only} refused only at kernel-only steps")
    print(f"# Totals: pass:{len(objs) - fails} fail:{fails} xfail:0 xpass:0 skip:0 error:0")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

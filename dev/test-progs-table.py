#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Side-by-side table of two test_progs logs (dev/test-progs.sh).

    dev/test-progs-table.py NORMAL.log KLOADER.log

Reads the per-test and per-subtest result lines test_progs prints
("#12 name:OK", "#12/3 name/sub:FAIL"), up to its "All error logs:" repeat,
and prints a Markdown table plus the subtests whose result differs.
"""
import re
import sys

TEST = re.compile(r"^#(\d+)\s+([^/\s]+):(OK|SKIP|FAIL)( \(SKIP: \d+/\d+\))?$")
SUB = re.compile(r"^#(\d+)/(\d+)\s+([^/\s]+)/(.+):(OK|SKIP|FAIL)$")


def parse(path):
    tests, subs, summary = {}, {}, ""
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("All error logs:"):
                break
            m = TEST.match(line)
            if m:
                tests[m.group(2)] = m.group(3)
                continue
            m = SUB.match(line)
            if m:
                subs.setdefault(m.group(3), {})[m.group(4)] = m.group(5)
        f.seek(0)
        for line in f:
            if line.startswith("Summary:"):
                summary = line.strip()
    return tests, subs, summary


def counts(subs):
    c = {"OK": 0, "SKIP": 0, "FAIL": 0}
    for r in subs.values():
        c[r] += 1
    return c


def cell(result, subs):
    if result is None:
        return "not run"
    if not subs:
        return result
    c = counts(subs)
    return f"{result} ({c['OK']}/{c['SKIP']}/{c['FAIL']})"


def main():
    nt, ns, nsum = parse(sys.argv[1])
    kt, ks, ksum = parse(sys.argv[2])
    names = sorted(set(nt) | set(kt))
    print("| test | normal | --kernel-loader |")
    print("|---|---|---|")
    tot = {"n": {"OK": 0, "SKIP": 0, "FAIL": 0}, "k": {"OK": 0, "SKIP": 0, "FAIL": 0}}
    stot = {"n": {"OK": 0, "SKIP": 0, "FAIL": 0}, "k": {"OK": 0, "SKIP": 0, "FAIL": 0}}
    for t in names:
        print(f"| {t} | {cell(nt.get(t), ns.get(t, {}))} | {cell(kt.get(t), ks.get(t, {}))} |")
        for side, tt, ss in (("n", nt, ns), ("k", kt, ks)):
            if t in tt:
                tot[side][tt[t]] += 1
            for r, c in counts(ss.get(t, {})).items():
                stot[side][r] += c
    def fmt(d):
        return f"{d['OK']} OK / {d['SKIP']} SKIP / {d['FAIL']} FAIL"
    print(f"| **tests** | {fmt(tot['n'])} | {fmt(tot['k'])} |")
    print(f"| **subtests** | {fmt(stot['n'])} | {fmt(stot['k'])} |")
    print()
    print(f"normal: `{nsum}`  ")
    print(f"--kernel-loader: `{ksum}`")
    print()
    print("Results that differ (subtest: normal -> --kernel-loader):")
    print()
    for t in names:
        if not ns.get(t) and not ks.get(t) and nt.get(t) != kt.get(t):
            print(f"- {t}: {nt.get(t)} -> {kt.get(t)}")
        for s in sorted(set(ns.get(t, {})) | set(ks.get(t, {}))):
            a, b = ns.get(t, {}).get(s), ks.get(t, {}).get(s)
            if a != b:
                print(f"- {t}/{s}: {a} -> {b}")


if __name__ == "__main__":
    main()

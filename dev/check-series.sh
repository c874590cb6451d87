#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check the exported series the way a maintainer would receive it.
#
#   dev/check-series.sh [--no-build] [--config allno|test|both] [--from N] [SERIESDIR]
#
# SERIESDIR is dev/export-series.sh's output (default $LOADFD_CACHE/series/out).
#
# 1. `git am` of every patch, one at a time, on a fresh branch "check" made
#    from the tag "pristine" of $LOADFD_CACHE/series/git, in the worktree
#    $LOADFD_CACHE/series/check (reused across runs, so that only files the
#    series touches get new mtimes and the build dirs stay incremental;
#    --no-build uses $LOADFD_CACHE/series/check-am, so it can run while a
#    step build is going on, on the branch check-am).
# 2. scripts/checkpatch.pl --strict --show-types on every patch: errors,
#    warnings and checks per patch and in total; the full output is in
#    $LOADFD_CACHE/series/checkpatch/. The script fails on an ERROR or WARNING
#    that dev/checkpatch-allow.txt does not list ("TYPE GLOB reason"; GLOB
#    matches the finding's file, or the patch's file name when the finding
#    has no file). CHECKs are reported, never fatal.
# 3. Unless --no-build: every step built in order, incrementally, in one build
#    dir per config under $LOADFD_CACHE/series/ (build-allno, build-test):
#    allno = make allnoconfig at each step; test = what dev/build.sh builds
#    (virtme-configkernel --defconfig --custom dev/loadfd.config, or a copy of
#    $LOADFD_CACHE/build/.config), saved once in $LOADFD_CACHE/series/test.config
#    and brought to each step with olddefconfig, CONFIG_SYSTEM_TRUSTED_KEYS
#    pointed at $LOADFD_CACHE/keys/test-ca.pem (or emptied). Default --config
#    is allno. Each make runs under flock /tmp/loadfd-kbuild.lock (unless
#    LOADFD_LOCK_HELD=1), one step at a time, so others can build in between;
#    the table shows the build time per step (lock waits excluded), the
#    compiler warnings and the result. Logs: $LOADFD_CACHE/series/logs/.
#    --from N builds steps N and later only (every patch is still applied
#    and checked): for a series whose first N-1 steps are unchanged since a
#    run that built them. The first step built is then a near-full build.
set -euo pipefail
. "$(dirname "$0")/env.sh"

build=1 configs=allno from=1
while [ $# -gt 0 ]; do
	case $1 in
	--no-build) build=0 ;;
	--config) configs=${2:?}; shift ;;
	--config=*) configs=${1#--config=} ;;
	--from) from=${2:?}; shift ;;
	-h|--help) sed -n '3,34p' "$0"; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
	shift
done
case $configs in allno|test) ;; both) configs="allno test" ;; *) die "--config allno|test|both" ;; esac
SERIES=$LOADFD_CACHE/series
GITDIR=$SERIES/git
# Two worktrees, so that a --no-build run does not disturb a step build.
WT=$SERIES/check BR=check
[ "$build" = 1 ] || { WT=$SERIES/check-am BR=check-am; }
IN=$(cd "${1:-$SERIES/out}" && pwd)
ALLOW=$LOADFD_REPO/dev/checkpatch-allow.txt
CPDIR=$SERIES/checkpatch
LOGS=$SERIES/logs
LOCK=/tmp/loadfd-kbuild.lock
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
gw() { git -C "$WT" -c user.name=loadfd -c user.email=loadfd@localhost \
	-c advice.detachedHead=false "$@"; }

git -C "$GITDIR" rev-parse -q --verify refs/tags/pristine >/dev/null ||
	die "no pristine tree in $GITDIR: run dev/export-series.sh first"
mapfile -t pfiles < <(ls "$IN"/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-')
[ ${#pfiles[@]} -gt 0 ] || die "no patches in $IN"

# --- git am ---------------------------------------------------------------
if [ ! -e "$WT/.git" ]; then
	log "creating the worktree $WT"
	rm -rf "$WT"
	git -C "$GITDIR" worktree prune
	git -C "$GITDIR" worktree add -q --detach "$WT" pristine
fi
gw am --abort >/dev/null 2>&1 || true
gw checkout -q -f -B "$BR" pristine
gw clean -q -fdx
commits=() subjects=()
for p in "${pfiles[@]}"; do
	gw am -q --whitespace=nowarn "$p" >/dev/null 2>"$SERIES/am.err" || {
		cat "$SERIES/am.err" >&2; gw am --abort >/dev/null 2>&1 || true
		die "git am failed on $(basename "$p")"
	}
	commits+=("$(gw rev-parse HEAD)")
	subjects+=("$(gw log -1 --format=%s)")
done
log "git am: ${#pfiles[@]} patches applied on pristine (branch $BR, $WT)"

# --- checkpatch ----------------------------------------------------------
/usr/bin/python3 -c 'import ply, git' 2>/dev/null ||
	log "warning: no python3-ply/python3-git: checkpatch cannot check SPDX tags (dev/setup.sh installs them)"
rm -rf "$CPDIR"; mkdir -p "$CPDIR"
for p in "${pfiles[@]}"; do
	# spdxcheck.py needs python3-ply and python3-git: Debian's python3.
	(cd "$WT" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --show-types --no-summary \
		"$p" > "$CPDIR/$(basename "$p" .patch).txt" 2>&1) || true
done
cp_ok=1
python3 - "$ALLOW" "$CPDIR" "${pfiles[@]}" <<'PY' || cp_ok=0
import fnmatch, os, re, sys
allow_path, cpdir, patches = sys.argv[1], sys.argv[2], sys.argv[3:]
allow = []
if os.path.exists(allow_path):
    for n, line in enumerate(open(allow_path), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            sys.exit(f"{allow_path}:{n}: want 'TYPE GLOB reason'")
        allow.append([parts[0], parts[1], parts[2], 0])
tot = {"ERROR": 0, "WARNING": 0, "CHECK": 0}
bad = 0
print(f"{'patch':<62} {'err':>4} {'warn':>4} {'chk':>4}  allowed  unjustified")
for p in patches:
    name = os.path.basename(p)[:-len(".patch")]
    text = open(os.path.join(cpdir, name + ".txt")).read().split("\n")
    cnt = {"ERROR": 0, "WARNING": 0, "CHECK": 0}
    allowed = unjust = 0
    for i, l in enumerate(text):
        m = re.match(r"(ERROR|WARNING|CHECK):(\w+): (.*)", l)
        if not m:
            continue
        lvl, typ, msg = m.groups()
        cnt[lvl] += 1
        where = None
        for nl in text[i + 1:i + 4]:
            fm = re.match(r"#\d+: FILE: (\S+?):(\d+):", nl)
            if fm:
                where = fm.group(1); break
        if lvl == "CHECK":
            continue
        subject = where if where else os.path.basename(p)
        hit = [a for a in allow if a[0] == typ and fnmatch.fnmatch(subject, a[1])]
        if hit:
            hit[0][3] += 1; allowed += 1
        else:
            unjust += 1
            print(f"    {lvl}:{typ}: {msg} [{where or 'commit'}]", file=sys.stderr)
    for k in tot:
        tot[k] += cnt[k]
    bad += unjust
    print(f"{name[:62]:<62} {cnt['ERROR']:>4} {cnt['WARNING']:>4} {cnt['CHECK']:>4}  {allowed:>7}  {unjust:>11}")
print(f"{'total':<62} {tot['ERROR']:>4} {tot['WARNING']:>4} {tot['CHECK']:>4}  "
      f"{sum(a[3] for a in allow):>7}  {bad:>11}")
for a in allow:
    if a[3] == 0:
        print(f"note: allow entry '{a[0]} {a[1]}' matched nothing", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
log "checkpatch output: $CPDIR"

# --- step builds -------------------------------------------------------------
if [ "$build" = 1 ]; then
	mkdir -p "$LOGS"
	results=$SERIES/build-times.txt
	: > "$results"
	build_fail=0
	for cfg in $configs; do
		B=$SERIES/build-$cfg
		mkdir -p "$B"
		if [ "$cfg" = test ] && [ ! -s "$SERIES/test.config" ]; then
			if [ -s "$KBUILD/.config" ]; then
				cp "$KBUILD/.config" "$SERIES/test.config"
			else
				gw checkout -q --detach "${commits[-1]}"
				(cd "$WT" && virtme-configkernel --arch x86_64 --defconfig \
					--custom "$LOADFD_REPO/dev/loadfd.config" "${KMAKE[@]/#O=*/O=$B}") \
					>/dev/null 2>&1 || die "virtme-configkernel failed"
				cp "$B/.config" "$SERIES/test.config"
			fi
			keys=""
			[ -s "$LOADFD_CACHE/keys/test-ca.pem" ] && keys=$LOADFD_CACHE/keys/test-ca.pem
			sed -i "s|^CONFIG_SYSTEM_TRUSTED_KEYS=.*|CONFIG_SYSTEM_TRUSTED_KEYS=\"$keys\"|" "$SERIES/test.config"
		fi
		for i in "${!commits[@]}"; do
			[ $((i + 1)) -ge "$from" ] || continue
			n=$(printf '%02d' $((i + 1)))
			gw checkout -q --detach "${commits[$i]}"
			mk=(make -C "$WT" LLVM=-19 RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc
				RUSTDOC=/usr/bin/rustdoc BINDGEN="$TOOLS/bin/bindgen" O="$B")
			if [ "$cfg" = allno ]; then
				cfgcmd="${mk[*]} -s allnoconfig"; targets=""
			else
				cfgcmd="cp '$SERIES/test.config' '$B/.config' && ${mk[*]} -s olddefconfig"
				targets="bzImage modules"
			fi
			blog=$LOGS/$cfg-$n.log
			t0=$(date +%s)
			cmd="s=\$(date +%s); $cfgcmd && ${mk[*]} -j$(nproc) $targets; rc=\$?; echo \"\$rc \$(( \$(date +%s) - s ))\" > '$blog.rc'; exit \$rc"
			if [ "${LOADFD_LOCK_HELD:-0}" = 1 ]; then
				bash -c "$cmd" > "$blog" 2>&1 || true
			else
				flock "$LOCK" bash -c "$cmd" > "$blog" 2>&1 || true
			fi
			read -r rc secs < "$blog.rc"
			wait_s=$(( $(date +%s) - t0 - secs ))
			warns=$(grep -c -E '(^|: )warning:' "$blog" || true)
			res=ok
			[ "$rc" = 0 ] || { res=FAILED; build_fail=1; }
			if [ "$rc" = 0 ] && [ "$cfg" = test ] && [ -f "$WT/kernel/bpf/loadfd/Kconfig" ] &&
				! grep -q '^CONFIG_BPF_LOADFD=y' "$B/.config"; then
				res="ok (CONFIG_BPF_LOADFD not set!)"; build_fail=1
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cfg" "$n" "$secs" "$wait_s" "$warns" "$res" \
				"${subjects[$i]}" | tee -a "$results" >&2
			[ "$rc" = 0 ] || log "step $n ($cfg) failed: $blog"
		done
	done
	gw checkout -q "$BR"
	echo
	printf '%-5s %-4s %8s %9s %6s  %-8s %s\n' config step "build s" "lock wait" warns result subject
	while IFS=$'\t' read -r cfg n secs wait_s warns res subj; do
		printf '%-5s %-4s %8s %9s %6s  %-8s %s\n' "$cfg" "$n" "$secs" "$wait_s" "$warns" "$res" "${subj:0:60}"
	done < "$results"
	[ "$build_fail" = 0 ] || die "a step did not build (logs in $LOGS)"
fi
[ "$cp_ok" = 1 ] || die "checkpatch: errors or warnings not justified in dev/checkpatch-allow.txt"
log "series OK"

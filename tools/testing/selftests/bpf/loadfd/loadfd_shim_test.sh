#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bpf-loadfd shim against the running kernel (TAP): --version, --help on
# every command, --json, --map pinned:/id:, and attach through an interface
# (xdp, tcx) and a cgroup. $LOADFD_SHIM is the shim, $LOADFD_BPFTOOL the
# bpftool that checks the links; the objects are in $LOADFD_OBJDIR
# (default: next to this script).
set -u
shim=${LOADFD_SHIM:-bpf-loadfd}
bpftool=${LOADFD_BPFTOOL:-bpftool}
objs=${LOADFD_OBJDIR:-$(dirname "$0")}
d=/sys/fs/bpf/loadfd_shim_test_$$	# bpffs names may not contain a dot
n=0 fails=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
# check NAME CMD...: the command succeeds.
check() { local t=$1; shift; if "$@" >/tmp/shim_test.out 2>&1; then ok "$t"; else
	not_ok "$t"; sed 's/^/# /' /tmp/shim_test.out; fi; }
# has NAME PATTERN: the last command's output matches.
has() { if grep -qE -- "$2" /tmp/shim_test.out; then ok "$1"; else
	not_ok "$1 (no '$2')"; sed 's/^/# /' /tmp/shim_test.out; fi; }
# refused NAME CMD...: the command fails.
refused() { local t=$1; shift; if "$@" >/tmp/shim_test.out 2>&1; then
	not_ok "$t (succeeded)"; sed 's/^/# /' /tmp/shim_test.out; else ok "$t"; fi; }
# link_is NAME PIN KIND: the link pinned at PIN is a KIND link.
link_is() { "$bpftool" link show pinned "$2" >/tmp/shim_test.out 2>&1; has "$1" "^[0-9]+: $3 "; }

echo "TAP version 13"
echo "1..20"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
mkdir -p "$d"

check "version" "$shim" --version
has "version string" "^bpf-loadfd [0-9]+\.[0-9]+\.[0-9]+"
for c in load "prog load" pin attach inspect; do
	# shellcheck disable=SC2086 # "prog load" is two words
	check "help: $c" "$shim" $c --help
done

check "json load" "$shim" --json load "$objs/loadfd_minimal.bpf.o"
has "json: the file matches what the kernel read" '"matches": true'

# A map of the caller's, by pin and by id (loadfd_map_ref's counter:
# array, 4-byte key, 8-byte value, 4 entries).
"$bpftool" map create "$d/counter" type array key 4 value 8 entries 4 name counter
check "--map NAME=pinned:PATH" "$shim" load "$objs/loadfd_map_ref.bpf.o" \
	--map "counter=pinned:$d/counter"
has "pinned map supplied" "counter: id [0-9]+, supplied"
id=$("$bpftool" map show pinned "$d/counter" | sed -n 's/^\([0-9]*\):.*/\1/p')
check "--map NAME=id:N" "$shim" load "$objs/loadfd_map_ref.bpf.o" --map "counter=id:$id"
has "map by id supplied" "counter: id $id, supplied"

kinds=$objs/loadfd_attach_kinds.bpf.o
check "attach xdp --dev lo" "$shim" attach "$kinds" shim_xdp --pin "$d/xdp" --dev lo
link_is "xdp link" "$d/xdp" xdp
check "attach tcx/ingress --ifindex 1" "$shim" attach "$kinds" shim_tcx --pin "$d/tcx" \
	--ifindex 1
link_is "tcx link" "$d/tcx" tcx
check "attach cgroup_skb --cgroup" "$shim" attach "$kinds" shim_cgroup --pin "$d/cg" \
	--cgroup /sys/fs/cgroup
link_is "cgroup link" "$d/cg" cgroup
refused "xdp without an interface is refused" "$shim" attach "$kinds" shim_xdp --pin "$d/xdp2"

rm -rf "$d"
echo "# Totals: pass:$((n - fails)) fail:$fails xfail:0 xpass:0 skip:0 error:0"
[ "$fails" = 0 ]

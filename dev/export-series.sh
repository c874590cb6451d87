#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Export the series as a maintainer would receive it: git format-patch output
# with a cover letter, one commit per step, on top of the pristine Debian
# linux-source-6.12 tree.
#
#   dev/export-series.sh [--base-only] [OUTDIR]
#
# OUTDIR defaults to $LOADFD_CACHE/series/out (emptied of *.patch first).
#
# - The pristine tree is a git repository cached in $LOADFD_CACHE/series/git
#   (tag "pristine", one commit holding the tarball as it is; reused while
#   the tarball's size and mtime do not change). Debian's top-level
#   .gitignore ends with "/*" (ignore everything at the top level), so every
#   `git add` here is `git add -f` of an explicit file list; the tarball has
#   no .git and no debian/ directory, so nothing else needs handling.
# - dev/series.map says what each exported commit holds: whole patches of
#   patches/, or some of their files (a patch split by file), plus the repo's
#   new files by path glob, and which files stay in the repo only. The script
#   fails if a repo file is assigned to no step or to two, if a file of a
#   patch is applied by no step or by two, or if a step does not apply.
# - Commit messages come from the patch headers (`msg patch NNNN`) or from
#   dev/series/*.txt (`msg FILE`); each must carry a Signed-off-by. Author
#   and dates are taken from the patches, so the output is reproducible.
# - The cover letter is dev/cover-letter.txt (first line: subject), with
#   @KERNELVERSION@, @DEBVERSION@ and @BASECOMMIT@ filled in; git adds the
#   shortlog and the diffstat.
# - The branch "series" of $LOADFD_CACHE/series/git holds the result;
#   dev/check-series.sh applies OUTDIR with `git am` onto "pristine".
#   --base-only stops after creating (or checking) the pristine repository.
set -euo pipefail
. "$(dirname "$0")/env.sh"

base_only=0
if [ "${1:-}" = "--base-only" ]; then base_only=1; shift; fi
SERIES=$LOADFD_CACHE/series
GITDIR=$SERIES/git
OUT=${1:-$SERIES/out}
MAP=$LOADFD_REPO/dev/series.map
COVER=$LOADFD_REPO/dev/cover-letter.txt
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
g() { git -C "$GITDIR" -c user.name=loadfd -c user.email=loadfd@localhost \
	-c core.autocrlf=false -c advice.detachedHead=false "$@"; }

[ -f "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing (run dev/setup.sh)"
mkdir -p "$SERIES"
stamp=$(stat -c '%s-%Y' "$KSRC_TARBALL")
if [ "$(cat "$GITDIR/.git/loadfd-base.stamp" 2>/dev/null)" != "$stamp" ] ||
	! g rev-parse -q --verify refs/tags/pristine >/dev/null; then
	log "creating the pristine git tree in $GITDIR (once per tarball, a few minutes)"
	rm -rf "$GITDIR" "$SERIES/x"
	mkdir -p "$SERIES/x"
	tar -C "$SERIES/x" -xf "$KSRC_TARBALL"
	mv "$SERIES/x"/linux-source-* "$GITDIR"
	rmdir "$SERIES/x"
	[ ! -e "$GITDIR/.git" ] || die "the tarball has a .git; refusing to guess"
	g init -q -b pristine-base
	g config gc.auto 0
	# Debian's .gitignore ignores "/*": add everything by force.
	g add -f -A .
	kv=$(make -s -C "$GITDIR" kernelversion 2>/dev/null)
	GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
		g commit -q --no-verify -m "Linux $kv (Debian linux-source-6.12 $(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || echo '?'))" \
		-m "Imported verbatim from $KSRC_TARBALL."
	g tag -f pristine >/dev/null
	echo "$stamp" > "$GITDIR/.git/loadfd-base.stamp"
fi
[ "$base_only" = 1 ] && { log "pristine tree: $GITDIR (tag pristine)"; exit 0; }

# --- plan: resolve dev/series.map against the repo and patches/ -----------------
cd "$LOADFD_REPO"
[ -f "$MAP" ] || die "$MAP missing"
PLAN=$(mktemp -d); trap 'rm -rf "$PLAN"' EXIT
{ git ls-files; git ls-files --others --exclude-standard; } | sort -u |
	while read -r f; do [ -f "$f" ] && echo "$f"; done > "$PLAN/repo-files"
python3 - "$MAP" "$PLAN" <<'PY' || die "dev/series.map does not describe the repo (see above)"
import os, re, sys

map_path, plan = sys.argv[1], sys.argv[2]
repo_files = open(os.path.join(plan, "repo-files")).read().split()
errors = []

def glob_re(g):
    """'**' matches anything (also '/'), '*', '?' and '[...]' do not cross '/'."""
    out, i = "", 0
    while i < len(g):
        if g.startswith("**/", i):
            out += "(?:.*/)?"; i += 3
        elif g.startswith("**", i):
            out += ".*"; i += 2
        elif g[i] == "*":
            out += "[^/]*"; i += 1
        elif g[i] == "?":
            out += "[^/]"; i += 1
        elif g[i] == "[" and "]" in g[i + 2:]:
            j = g.index("]", i + 2)
            cls = g[i + 1:j]
            out += "[" + ("^" + cls[1:] if cls[:1] == "!" else cls) + "]"; i = j + 1
        else:
            out += re.escape(g[i]); i += 1
    return re.compile(out + r"\Z")

def match(globs, path):
    return any(glob_re(x).match(path) for x in globs)

# --- patches/: header (message) and per-file sections -------------------------
def parse_patch(path):
    lines = open(path, encoding="utf-8", errors="surrogateescape").read().split("\n")
    hdr, i = {}, 0
    while i < len(lines) and lines[i] != "":
        m = re.match(r"(From|Date|Subject): (.*)", lines[i])
        if m:
            key, val = m.group(1), m.group(2)
            while i + 1 < len(lines) and lines[i + 1].startswith(" "):
                i += 1; val += lines[i]
            hdr[key] = val
        i += 1
    body = []
    while i < len(lines) and lines[i] != "---":
        body.append(lines[i]); i += 1
    if "Subject" not in hdr or i == len(lines):
        errors.append(f"{path}: no Subject or no '---' line"); return None
    subject = re.sub(r"^\[PATCH[^\]]*\]\s*", "", hdr["Subject"])
    msg = subject + "\n\n" + "\n".join(body).strip("\n") + "\n"
    sections, cur = [], None           # cur = [path, header lines, hunk lines]
    n = len(lines); i += 1
    def hunk_counts(l):
        m = re.match(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", l)
        if not m:
            errors.append(f"{path}: bad hunk header {l!r}"); return 0, 0
        return (int(m.group(1)) if m.group(1) is not None else 1,
                int(m.group(2)) if m.group(2) is not None else 1)
    while i < n:
        l = lines[i]
        if l.startswith("@@ ") and cur is not None:
            old, new = hunk_counts(l); cur[2].append(l); i += 1
            while i < n and (old > 0 or new > 0 or lines[i].startswith("\\")):
                h = lines[i]
                if h.startswith("\\"):
                    pass
                elif h.startswith("-"):
                    old -= 1
                elif h.startswith("+"):
                    new -= 1
                elif h.startswith(" ") or h == "":
                    old -= 1; new -= 1
                else:
                    errors.append(f"{path}: bad hunk line {h!r}"); break
                cur[2].append(h); i += 1
            continue
        if l.startswith("diff --git "):
            cur = [None, [], []]; sections.append(cur)
        elif l.startswith("--- "):
            if cur is None or cur[2]:
                cur = [None, [], []]; sections.append(cur)
            cur[1] = [x for x in cur[1] if not x.startswith("--- ")] + [l]
        elif l.startswith("+++ ") and cur is not None:
            cur[1].append(l)
            p = l[4:].split("\t")[0]
            if p == "/dev/null":
                p = [x for x in cur[1] if x.startswith("--- ")][0][4:].split("\t")[0]
            cur[0] = p[2:] if p[:2] in ("a/", "b/") else p
        elif cur is not None and not cur[2] and re.match(
                r"(index |new file mode|deleted file mode|old mode|new mode|similarity|rename )", l):
            cur[1].append(l)
        i += 1
    out = {}
    for p, h, hunks in sections:
        if p is None or not hunks:
            errors.append(f"{path}: a file section without a path or hunks"); continue
        h = [x for x in h if not x.startswith(("diff --git", "index "))]
        out.setdefault(p, []).append("\n".join(h + hunks) + "\n")
    return {"from": hdr.get("From"), "date": hdr.get("Date"), "msg": msg,
            "files": out, "path": path}

patches = {}
for name in sorted(os.listdir("patches")):
    if name.endswith(".patch"):
        pp = parse_patch(os.path.join("patches", name))
        if pp:
            patches[name[:4]] = pp

# --- dev/series.map ------------------------------------------------------------
excludes, steps = [], []
for lineno, raw in enumerate(open(map_path), 1):
    line = raw.split("#", 1)[0].split()
    if not line:
        continue
    where = f"{map_path}:{lineno}"
    kw, args = line[0], line[1:]
    if kw == "exclude":
        excludes += args
    elif kw == "step":
        if len(args) != 1:
            errors.append(f"{where}: step NAME"); continue
        steps.append({"name": args[0], "msg": None, "apply": [], "add": [], "where": where})
    elif not steps:
        errors.append(f"{where}: '{kw}' before the first step")
    elif kw == "msg":
        steps[-1]["msg"] = args
    elif kw == "apply":
        if not args or args[0] not in patches:
            errors.append(f"{where}: apply NNNN [GLOB...]: no patches/{args[:1]}-*.patch"); continue
        steps[-1]["apply"].append((args[0], args[1:]))
    elif kw == "add":
        steps[-1]["add"] += args
    else:
        errors.append(f"{where}: unknown keyword '{kw}'")

# Every file of every patch is applied by exactly one step.
used = {}
for s in steps:
    s["chunks"] = []
    for pid, globs in s["apply"]:
        files = [f for f in patches[pid]["files"] if not globs or match(globs, f)]
        if not files:
            errors.append(f"{s['where']}: apply {pid} {' '.join(globs)} selects no file of the patch")
        for f in files:
            used.setdefault((pid, f), []).append(s["name"])
            s["chunks"] += patches[pid]["files"][f]
for pid, pp in patches.items():
    for f in pp["files"]:
        who = used.get((pid, f), [])
        if len(who) != 1:
            errors.append(f"{pp['path']}: {f} is applied by {len(who)} steps {who} (must be 1)")

# Every repo file is excluded, or added by exactly one step.
for s in steps:
    s["new"] = []
for f in repo_files:
    if match(excludes, f):
        continue
    who = [s for s in steps if match(s["add"], f)]
    if len(who) != 1:
        errors.append(f"{f}: assigned to {len(who)} steps {[s['name'] for s in who]} "
                      "(must be 1, or excluded)")
    for s in who:
        s["new"].append(f)
for s in steps:
    for gl in s["add"]:
        if not any(glob_re(gl).match(f) for f in s["new"]):
            print(f"warning: {s['where']}: step {s['name']}: 'add {gl}' matches no file",
                  file=sys.stderr)

# Messages.
default_from = None
for pid in sorted(patches):
    default_from = default_from or patches[pid]["from"]
last_date = None
for idx, s in enumerate(steps, 1):
    m, author, date = s["msg"], None, None
    first = patches[s["apply"][0][0]] if s["apply"] else None
    if m and m[0] == "patch" and len(m) == 2 and m[1] in patches:
        msg = patches[m[1]]["msg"]; author = patches[m[1]]["from"]; date = patches[m[1]]["date"]
    elif m and len(m) == 1 and os.path.isfile(m[0]):
        text = open(m[0]).read().split("\n")
        hdr = {}
        while text and re.match(r"(From|Date): ", text[0]):
            k, v = text.pop(0).split(": ", 1); hdr[k] = v
        msg = "\n".join(text).strip("\n") + "\n"
        author, date = hdr.get("From"), hdr.get("Date")
    else:
        errors.append(f"{s['where']}: step {s['name']}: msg patch NNNN | msg FILE"); continue
    author = author or (first and first["from"]) or default_from
    date = date or (first and first["date"]) or last_date
    last_date = date
    if not re.search(r"^Signed-off-by: .+ <.+>$", msg, re.M):
        errors.append(f"{s['where']}: step {s['name']}: message has no Signed-off-by")
    if not s["chunks"] and not s["new"]:
        errors.append(f"{s['where']}: step {s['name']}: empty")
    d = os.path.join(plan, f"{idx:02d}")
    os.makedirs(d)
    open(os.path.join(d, "name"), "w").write(s["name"] + "\n")
    open(os.path.join(d, "msg"), "w").write(msg)
    open(os.path.join(d, "author"), "w").write(author + "\n")
    open(os.path.join(d, "date"), "w").write(date + "\n")
    open(os.path.join(d, "diff"), "w", encoding="utf-8", errors="surrogateescape").write(
        "".join(s["chunks"]))
    open(os.path.join(d, "new"), "w").write("".join(f + "\n" for f in s["new"]))
    open(os.path.join(d, "patched"), "w").write(
        "".join(f"{pid}:{f}\n" for (pid, f), w in used.items() if w == [s["name"]]))

if errors:
    for e in errors:
        print("error: " + e, file=sys.stderr)
    sys.exit(1)
PY

# --- commits ----------------------------------------------------------------
log "building branch 'series' on 'pristine' in $GITDIR"
g checkout -q -f -B series pristine
g clean -q -fdx >/dev/null
for d in "$PLAN"/[0-9][0-9]; do
	name=$(cat "$d/name")
	if [ -s "$d/diff" ]; then
		patch -p1 -d "$GITDIR" --batch --forward --no-backup-if-mismatch -s < "$d/diff" ||
			die "step $(basename "$d") ($name): its part of patches/ does not apply (order in dev/series.map?)"
	fi
	files=()
	while read -r f; do
		[ -n "$f" ] || continue
		[ ! -e "$GITDIR/$f" ] || die "step $name adds $f, which the tree already has"
		mkdir -p "$GITDIR/$(dirname "$f")"; cp "$f" "$GITDIR/$f"; files+=("$f")
	done < "$d/new"
	while read -r f; do files+=("${f#*:}"); done < "$d/patched"
	g add -f -A -- "${files[@]}"
	date=$(cat "$d/date"); author=$(cat "$d/author")
	GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
		GIT_COMMITTER_NAME=${author% <*} GIT_COMMITTER_EMAIL=$(sed 's/.*<\(.*\)>.*/\1/' <<<"$author") \
		g commit -q --no-verify --allow-empty-message --author="$author" -F "$d/msg" ||
		die "step $name: nothing to commit?"
	# Leftovers (a .rej, a file a patch created that no step lists) mean the map is wrong.
	# (ls-files --others without --exclude-standard: Debian's .gitignore hides everything.)
	left=$( { g ls-files --others; g diff --name-only; } | sort -u)
	[ -z "$left" ] || die "step $name leaves files outside the commit:
$left"
done
n=$(g rev-list --count pristine..series)
log "$n commits on 'series'"

# --- format-patch -----------------------------------------------------------
mkdir -p "$OUT"
rm -f "$OUT"/*.patch
kv=$(make -s -C "$GITDIR" kernelversion 2>/dev/null)
debv=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || echo unknown)
basec=$(g rev-parse pristine)
[ -f "$COVER" ] || die "$COVER missing"
sed -e "s/@KERNELVERSION@/$kv/g" -e "s/@DEBVERSION@/$debv/g" -e "s/@BASECOMMIT@/$basec/g" \
	"$COVER" > "$PLAN/cover"
g config branch.series.description "$(cat "$PLAN/cover")"
g format-patch -q --cover-letter --cover-from-description=subject --numbered \
	--base=pristine --no-signature --stat=80 --summary -o "$OUT" pristine..series >/dev/null
# The cover letter's From/Date: the last commit's.
last=$(ls "$OUT"/*.patch | tail -1)
sed -i -e "0,/^From: .*/s//$(sed -n 's/^From: //p' "$last" | head -1 | sed 's/[\/&]/\\&/g' | sed 's/^/From: /')/" \
	-e "0,/^Date: .*/s//$(sed -n 's/^Date: //p' "$last" | head -1 | sed 's/^/Date: /')/" \
	"$OUT"/0000-cover-letter.patch
log "wrote $(ls "$OUT"/*.patch | wc -l) files to $OUT"
ls "$OUT"

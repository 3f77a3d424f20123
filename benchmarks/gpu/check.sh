#!/usr/bin/env bash
# The first run on a real GPU, prepared in advance because a lent GPU comes with minutes, not hours: every golden case
# through `verify --backend cuda`, then `bench gemm` and `bench step` (small, paper-like) on cuda, then one summary
# table. Every step has its own time limit inside one overall budget (BUDGET_S, default 570 s, under the 10-minute
# slot), so a hung kernel costs its own step rather than the rest; a step the budget no longer covers is reported as
# skipped. Full outputs go to $OUT/gpu-check when $OUT is set (the device machine returns that folder), else a temp dir.
#   benchmarks/gpu/check.sh
# Environment: NATIVECORE_SHARED (golden cases; default ../shared beside the repository, then ./shared),
# NATIVECORE_CLI (a built NativeCore.Cli.dll or a published nativecore binary, to skip the build; a machine without
# the .NET SDK needs one), BUDGET_S. Exit status: 0 when every step passed, 1 otherwise.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
start=$SECONDS
budget=${BUDGET_S:-570}
logs="${OUT:-$(mktemp -d)}/gpu-check"
mkdir -p "$logs"

shared=${NATIVECORE_SHARED:-}
if [ -z "$shared" ]; then
  for d in "$root/../shared" "$root/shared"; do [ -d "$d/golden" ] && { shared=$d; break; }; done
fi
[ -n "$shared" ] && [ -d "$shared/golden" ] || { echo "check: no golden cases (looked in ../shared and ./shared; set NATIVECORE_SHARED)" >&2; exit 2; }

cli=${NATIVECORE_CLI:-}
if [ -z "$cli" ]; then
  cli="$root/src/NativeCore.Cli/bin/Release/net10.0/NativeCore.Cli.dll"
  if [ ! -f "$cli" ]; then
    echo "check: building the CLI (Release)"
    dotnet build -c Release "$root/src/NativeCore.Cli" > "$logs/build.log" 2>&1 || { echo "check: build failed, see $logs/build.log" >&2; tail -20 "$logs/build.log" >&2; exit 2; }
  fi
fi
case "$cli" in *.dll) run_cli=(dotnet "$cli") ;; *) run_cli=("$cli") ;; esac

rows=()
failed=0
# step NAME LIMIT_S ARGS...: runs the CLI under min(LIMIT_S, what is left of the budget); sets $log and $rc.
step() {
  local name=$1 limit=$2; shift 2
  local left=$((budget - (SECONDS - start)))
  log="$logs/$(echo "$name" | tr ' /' '__').log"
  if [ "$left" -lt 15 ]; then rc=-1; echo "(budget spent)" > "$log"; return; fi
  [ "$limit" -gt "$left" ] && limit=$left
  local t0=$SECONDS
  echo "== $name (limit ${limit}s): ${run_cli[*]} $*"
  timeout --kill-after=10 "$limit" "${run_cli[@]}" "$@" > "$log" 2>&1
  rc=$?
  secs=$((SECONDS - t0))
  tail -3 "$log" | sed 's/^/   /'
}
# field KEY: a number from the JSON line the bench commands end with.
field() { tail -1 "$log" | sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"; }
# row NAME STATUS DETAIL: one line of the summary; anything but PASS fails the check.
row() {
  local status=$2
  case $rc in
    -1) status=SKIPPED; secs=0 ;;
    124|137) status=TIMEOUT; echo "(no result within ${secs}s)" >> "$log" ;;
    0) ;;
    *) [ "$status" = PASS ] && status="ERROR rc=$rc" ;;
  esac
  local detail=$3
  [ "$status" = PASS ] || failed=1
  # A failed bench has no JSON line to read; its last line says why.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then detail=$(tail -1 "$log" | cut -c1-100); fi
  rows+=("$(printf '%-24s %-12s %6ss  %s' "$1" "$status" "$secs" "$detail")")
}

step "info" 60 info
row "info" PASS "$(grep -m1 '^  cuda' "$log" | sed 's/^ *cuda *//')"

for case_dir in "$shared"/golden/*/; do
  [ -f "$case_dir/case.json" ] || continue
  name="verify $(basename "$case_dir")"
  step "$name" 120 verify "$case_dir" --backend cuda
  verdict=$(grep -m1 '^verify: ' "$log" || true)
  row "$name" "$([ $rc -eq 0 ] && [ "$verdict" = "verify: PASS" ] && echo PASS || echo FAIL)" "${verdict:-no verdict: $(tail -1 "$log")}"
done

step "bench gemm" 90 bench gemm --m 4096 --k 768 --n 192 --backend cuda
row "bench gemm 4096x768x192" PASS "$(field ms) ms, $(field gflops) GFLOP/s"

for config in small paper-like; do
  step "bench step $config" 180 bench step --config "$config" --backend cuda
  row "bench step $config" PASS "$(field ms) ms/step, $(field tokens_per_s) tokens/s, $(field gflops) GFLOP/s, forward $(field forward_ms_batch1) ms at batch 1"
done

echo
printf '%-24s %-12s %7s  %s\n' "step" "status" "time" "result"
printf '%s\n' "${rows[@]}"
echo "total $((SECONDS - start)) s of a ${budget} s budget; logs in $logs"
exit $failed

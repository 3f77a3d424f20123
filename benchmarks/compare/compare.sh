#!/usr/bin/env bash
# Runs NativeCore's `bench step` and the anchors' PyTorch harness (../shared/anchors/torch_gpt_bench.py) in turn,
# 3 times each, on the same configs (vocab 64, tied head, batch 32, float32, 2 threads), and prints the medians and
# their ratios. A benchmark, not a test: CI does not run it. Installs Debian's python3-torch if it is missing.
#   benchmarks/compare/compare.sh [small|paper-like ...]   (default: both)
set -euo pipefail
# OpenBLAS's own detection falls back to SSE3 kernels on some AVX-512 processors; name the kernel family from the
# CPU flags instead, so the anchor is honest, and print it. An OPENBLAS_CORETYPE already set is kept.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell
  fi
fi
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}; CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
root=$(cd "$(dirname "$0")/../.." && pwd)
anchor="${NATIVECORE_SHARED:-$root/../shared}/anchors/torch_gpt_bench.py"
[ -f "$anchor" ] || { echo "compare: PyTorch harness not found at $anchor (set NATIVECORE_SHARED)" >&2; exit 2; }
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
fi
dotnet build -c Release "$root/src/NativeCore.Cli" >/dev/null
cli="$root/src/NativeCore.Cli/bin/Release/net10.0/NativeCore.Cli.dll"
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(small paper-like)
runs=${RUNS:-3}
results=$(mktemp)
for config in "${configs[@]}"; do
  torch_config=$([ "$config" = "paper-like" ] && echo paper || echo small)
  for i in $(seq "$runs"); do
    ours=$(DOTNET_gcServer=0 dotnet "$cli" bench step --config "$config" | tail -1)
    # Peak RSS of the whole PyTorch process, from GNU time.
    theirs=$( { OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 /usr/bin/time -f 'RSS_KB %M' /usr/bin/python3 "$anchor" --config "$torch_config" ; } 2>&1 )
    echo "$config ours $ours" >> "$results"
    echo "$config torch $(echo "$theirs" | grep '^{' ) $(echo "$theirs" | grep '^RSS_KB')" >> "$results"
  done
done
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    config, side, rest = line.split(" ", 2)
    rss = None
    if "RSS_KB" in rest:
        rest, rss = rest.split("RSS_KB")
        rss = int(rss) / 2**20
    d = json.loads(rest.strip())
    rows.setdefault(config, {}).setdefault(side, []).append((d, rss))
def med(xs): return statistics.median(xs)
print(f"{'config':<11} {'measure (median of runs)':<26} {'NativeCore':>11} {'PyTorch':>11} {'ratio':>7}")
for config, sides in rows.items():
    ours = [d for d, _ in sides["ours"]]
    theirs = sides["torch"]
    def line(name, a, b): print(f"{config:<11} {name:<26} {a:>11.2f} {b:>11.2f} {a / b:>7.2f}")
    line("train tokens/s", med([d["tokens_per_s"] for d in ours]), med([d["tokens_per_s_train"] for d, _ in theirs]))
    line("forward ms, batch 1", med([d["forward_ms_batch1"] for d in ours]), med([d["fwd_ms_b1"] for d, _ in theirs]))
    line("forward ms, batch 32", med([d["forward_ms_full_batch"] for d in ours]), med([d["fwd_ms_batch"] for d, _ in theirs]))
    line("peak RSS GiB (process)", med([d["peak_rss_gib"] for d in ours]), med([r for _, r in theirs if r]))
PY
rm -f "$results"

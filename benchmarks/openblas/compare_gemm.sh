#!/usr/bin/env bash
# Runs OpenBLAS sgemm and `nativecore bench gemm` in turn at the paper model's GEMM shapes (batch x sequence = 4096),
# in the three forms a Linear layer uses (forward, input gradient, weight gradient with k = the batch), and prints both
# GFLOP/s and their ratio. A benchmark, not a test: CI does not run it.
set -euo pipefail
# OpenBLAS's own detection falls back to SSE3 kernels on some AVX-512 processors; name the kernel family from the
# CPU flags instead, so the anchor is honest, and print it. An OPENBLAS_CORETYPE already set is kept.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell
  fi
fi
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}; CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# cblas.h alone is not enough (other BLAS packages ship it): the link needs OpenBLAS itself.
if ! ls /usr/lib/x86_64-linux-gnu/libopenblas.so >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq libopenblas-dev >/dev/null
fi
gcc -O2 -o "$here/sgemm_bench" "$here/sgemm_bench.c" -lopenblas
dotnet build -c Release "$root/src/NativeCore.Cli" >/dev/null
cli="$root/src/NativeCore.Cli/bin/Release/net10.0/NativeCore.Cli.dll"
threads=${THREADS:-2}
printf '%-22s %-11s %12s %12s %8s\n' shape form openblas nativecore ratio
for shape in "4096 192 576 Linear" "4096 192 768 Linear" "4096 768 192 Linear" "1024 1024 1024 Linear" \
             "4096 576 192 InputGrad" "4096 192 768 InputGrad" "576 4096 192 WeightGrad" "192 4096 768 WeightGrad"; do
  set -- $shape
  blas=$(OPENBLAS_NUM_THREADS=$threads "$here/sgemm_bench" "$1" "$2" "$3" "$4" | sed -E 's/.*"gflops": ([0-9.]+).*/\1/')
  ours=$(dotnet "$cli" bench gemm --m "$1" --k "$2" --n "$3" --form "$4" | tail -1 | sed -E 's/.*"gflops": ([0-9.]+).*/\1/')
  printf '%-22s %-11s %12s %12s %8s\n' "$1x$2.$2x$3" "$4" "$blas" "$ours" "$(echo "scale=3; $ours / $blas" | bc)"
done

#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) on the stable toolchain: libFuzzer with
# coverage instrumentation, no sanitizer (`-s none`; the code is safe Rust, `unsafe_code` is
# forbidden) and with debug assertions and overflow checks on (`-a`). A panic, a hang
# (an input taking over 10 s) or memory beyond 2 GiB is a finding: its input is kept under
# fuzz/artifacts/<target>/ and the script exits 1 after running the remaining targets.
#
#   fuzz/run.sh            # 60 s per target (CI)
#   fuzz/run.sh 600        # ten minutes per target
#   fuzz/run.sh 60 ledger  # one target
#
# Seeds are fuzz/corpus/<target>/ (kept in the repository, small); what a run discovers goes to
# fuzz/target/corpus/<target>/ (ignored by git, reused by the next run). Reproduce a finding
# with `cargo fuzz run -s none -a <target> fuzz/artifacts/<target>/<file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  start=$(date +%s)
  cargo install cargo-fuzz --locked
  echo "fuzz: cargo-fuzz installed in $(($(date +%s) - start)) s"
fi

flags=(-s none -a)
start=$(date +%s)
cargo fuzz build "${flags[@]}"
echo "fuzz: targets built in $(($(date +%s) - start)) s"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

failed=()
for target in "${targets[@]}"; do
  work=fuzz/target/corpus/$target
  mkdir -p "$work" "fuzz/artifacts/$target"
  log=fuzz/target/$target.log
  echo "fuzz: $target for $seconds s"
  if cargo fuzz run "${flags[@]}" "$target" "$work" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$target/" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    cov=$(grep -oE 'DONE +cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]+' "$log" | tail -n 1 | sed 's/DONE *//' || true)
    echo "fuzz: $target ok: ${runs:-?} runs ($cov)"
  else
    failed+=("$target")
    echo "fuzz: $target FAILED (log $log):"
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written to|Base64' "$log" | head -n 20 || tail -n 40 "$log"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}; inputs under fuzz/artifacts/"
  exit 1
fi
echo "fuzz: no findings"

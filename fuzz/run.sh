#!/usr/bin/env bash
# Run every fuzz target for a bounded time (libFuzzer's -max_total_time), one after the other.
#
#   fuzz/run.sh                 # 120 s per target
#   fuzz/run.sh 600             # 600 s per target
#   fuzz/run.sh 60 condition    # only some targets
#   NO_BUILD=1 fuzz/run.sh 60   # run the binaries already built
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The toolchain is stable: RUSTC_BOOTSTRAP=1 lets
# cargo-fuzz pass its -Z flags. Builds with optimizations, debug assertions and overflow checks,
# no sanitizer (sanjia has no unsafe code; panics, stack overflows, timeouts and OOMs are what
# we look for). Seeds are read from fuzz/corpus/<target>/ (committed, small); new inputs go to
# fuzz/target/corpus/<target>/ (ignored); crashes to fuzz/artifacts/<target>/ (ignored): copy
# each one into tests/data/regressions/ and `cargo test --test regressions` must then pass.
# A summary line per target (execs, crashes) is printed at the end.
set -uo pipefail
cd "$(dirname "$0")"
SECS=${1:-120}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(rulebook_toml rulebook_json condition evidence arrow_long_table exam_tables)
fi
export RUSTC_BOOTSTRAP=1
if [ -z "${NO_BUILD:-}" ]; then
    cargo fuzz build -s none -O || exit 1
fi
BIN=target/$(rustc -vV | sed -n 's/^host: //p')/release
summary=()
status=0
for t in "${TARGETS[@]}"; do
    mkdir -p "target/corpus/$t" "artifacts/$t"
    log="target/fuzz-$t.log"
    echo "==> $t for ${SECS}s"
    # The binary directly (not `cargo fuzz run`, which rebuilds whenever a source changed).
    "$BIN/$t" "target/corpus/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
        -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1
    rc=$?
    execs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s+=$2} END {print s+0}')
    crashes=$(find "artifacts/$t" -type f | wc -l)
    summary+=("$t: ${execs} execs, ${crashes} crash files in fuzz/artifacts/$t (exit $rc)")
    [ "$rc" -ne 0 ] && status=1
done
printf '\n'
printf '%s\n' "${summary[@]}"
exit $status

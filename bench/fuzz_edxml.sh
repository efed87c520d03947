#!/usr/bin/env bash
# Bounded fuzz run of the edXML decoder (crates/motcua-edxml/fuzz, target `decode`).
# Usage: bench/fuzz_edxml.sh [seconds=60]
# Works on the stable toolchain: `-s none` asks for no sanitizer, so cargo-fuzz needs no -Z flag;
# libfuzzer-sys builds libFuzzer with the C++ compiler (cc crate). Not part of CI.
# New interesting inputs are written to a scratch corpus so the committed corpus stays small;
# crashes land in crates/motcua-edxml/fuzz/artifacts/decode/.
set -euo pipefail
cd "$(dirname "$0")/../crates/motcua-edxml"
seconds="${1:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
command -v c++ >/dev/null 2>&1 || { echo "fuzz_edxml: a C++ compiler (g++ or clang++) is needed to build libFuzzer" >&2; exit 1; }
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# The fuzz crate has its own [workspace] and target dir (fuzz/target), apart from the main one.
set +e
cargo fuzz run decode -s none "$scratch" fuzz/corpus/decode -- -max_total_time="$seconds" -max_len=65536 \
  >"$scratch/log.txt" 2>&1
status=$?
set -e
grep -E "INITED|DONE|Done [0-9]+ runs|ERROR|panicked|SUMMARY|Finished|error" "$scratch/log.txt" | tail -n 20 || true
if [ "$status" -ne 0 ]; then
  tail -n 40 "$scratch/log.txt" >&2
  echo "fuzz_edxml: FAILED (exit $status); see crates/motcua-edxml/fuzz/artifacts/decode/" >&2
else
  echo "fuzz_edxml: ${seconds}s, no crash"
fi
exit "$status"

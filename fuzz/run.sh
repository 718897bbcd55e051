#!/usr/bin/env bash
# Runs every fuzz target (or those in $TARGETS) for SECONDS each (default 600), seeding the corpora from the bundled
# contracts and scenarios. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
mkdir -p corpus/parse_contract corpus/parse_scenario corpus/check_eval corpus/structured corpus/fmt
cp ../contracts/*.terms ../tests/invalid/contract/*.terms corpus/parse_contract/
cp ../tests/invalid/scenario/*.scenario corpus/parse_scenario/
for scenario in ../tests/scenarios/*/*.scenario; do
  cp "$scenario" "corpus/parse_scenario/$(basename "$(dirname "$scenario")")-$(basename "$scenario")"
done
for contract in ../contracts/*.terms; do
  vendor=$(basename "$contract" .terms)
  for scenario in ../tests/scenarios/"$vendor"/*.scenario; do
    { cat "$contract"; printf '\0'; cat "$scenario"; } > "corpus/check_eval/$vendor-$(basename "$scenario")"
  done
done
cp ../contracts/*.terms corpus/fmt/
for scenario in ../tests/scenarios/*/*.scenario; do
  cp "$scenario" "corpus/fmt/$(basename "$(dirname "$scenario")")-$(basename "$scenario")"
done
# `structured` builds its inputs from bytes through `arbitrary`: its corpus starts empty.
for target in ${TARGETS:-parse_contract parse_scenario check_eval structured fmt}; do
  echo "== $target for ${seconds}s"
  cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 2>&1 | tail -n 30
done

#!/usr/bin/env bash
# What a project depending on helloasso-sdk compiles, against the floor: a
# project depending only on reqwest (the SDK's features and TLS), serde_json
# and tokio. Each is built cold, in its own target folder, one after the
# other in this one run, and reported as crates compiled and wall time.
#
#   scripts/dependents.sh [REPO ...]     # default: this repository
#
# Several REPO paths (say, a checkout of an older commit) are measured in
# the same run, so that before and after share one machine and one load.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -gt 0 ] || set -- "$here"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

project() { # name, dependency lines
  mkdir -p "$scratch/$1/src"
  {
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\n\n' "$1"
    printf '[dependencies]\n%s\n\n[workspace]\n' "$2"
  } >"$scratch/$1/Cargo.toml"
  echo 'fn main() {}' >"$scratch/$1/src/main.rs"
}

measure() { # name
  local dir="$scratch/$1"
  (cd "$dir" && cargo fetch -q)
  local start end count
  start=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build -q)
  end=$(date +%s.%N)
  count=$(cd "$dir" && cargo tree -e normal,build --prefix none | sed 's/ (.*//; s/ (\*)//' | sort -u | wc -l)
  printf '%-28s %4d crates  %6.1f s\n' "$1" "$count" "$(awk "BEGIN{print $end - $start}")"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
project floor 'reqwest = { version = "0.13.4", default-features = false, features = ["http2", "json", "form", "query", "stream", "rustls"] }
serde_json = "1"
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }'
i=0
for repo in "$@"; do
  i=$((i + 1))
  project "sdk$i" "helloasso-sdk = { path = \"$repo/crates/helloasso-sdk\" }
tokio = { version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }"
done
measure floor
i=0
for repo in "$@"; do
  i=$((i + 1))
  printf '%s: %s\n' "sdk$i" "$repo ($(git -C "$repo" log -1 --format=%h 2>/dev/null || echo '?'))"
  measure "sdk$i"
done

# Shared helpers for scripts/*: sourced, not run.
# shellcheck shell=bash

FERRY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FERRY_ROOT

log() { printf '\033[1m[ferry]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[ferry] error:\033[0m %s\n' "$*" >&2; exit 1; }

# ferry_build <preset> [targets...]: configure once, then build incrementally.
ferry_build() {
  local preset=$1; shift
  local dir="$FERRY_ROOT/build/$preset"
  if [[ ! -f "$dir/build.ninja" ]]; then
    log "configuring ($preset)"
    cmake --preset "$preset" -S "$FERRY_ROOT" >/dev/null
  fi
  log "building ($preset${*:+: $*})"
  # Two cores: two jobs. Heavier parallelism only swaps.
  if (($#)); then
    cmake --build "$dir" -j "${FERRY_JOBS:-$(nproc)}" --target "$@"
  else
    cmake --build "$dir" -j "${FERRY_JOBS:-$(nproc)}"
  fi
}

# bpffs is not mounted at boot on these machines; programs pin maps there.
ensure_bpffs() {
  if ! mountpoint -q /sys/fs/bpf; then
    mount -t bpf bpf /sys/fs/bpf
  fi
}

# alive PID: running and not a zombie (a killed daemon whose parent, not us, has yet to reap it).
alive() { kill -0 "$1" 2>/dev/null && [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]; }

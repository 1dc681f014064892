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

# The simulated nodes' names and addresses, shared by scripts/up and scripts/down. Everything a
# cluster makes outside its state directory carries the prefix "ferry-$FERRY_CLUSTER" (network
# namespaces, host links, the cgroup and bpffs directories), so two clusters on one machine (a
# developer's and an end-to-end test's) never touch each other's. scripts/up records the
# values in $STATE_DIR/cluster.env; scripts/down reads them back from there.
#   FERRY_CLUSTER   1-5 of [a-z0-9], default "up"
#   FERRY_NODES     simulated nodes (default 2; 0: none)
#   FERRY_NODE_NET  first three octets of the node link /24 (host .1, node i .10+i)
#   FERRY_POD_NET   first two octets of the pod /16 (node i gets .i.0/24)
ferry_cluster_vars() {
  local state_dir=$1
  if [[ -f "$state_dir/cluster.env" ]]; then
    # shellcheck disable=SC1091
    source "$state_dir/cluster.env"
  fi
  CLUSTER=${FERRY_CLUSTER:-${CLUSTER:-up}}
  NODES=${FERRY_NODES:-${NODES:-2}}
  NODE_NET=${FERRY_NODE_NET:-${NODE_NET:-172.31.254}}
  POD_NET=${FERRY_POD_NET:-${POD_NET:-10.244}}
  [[ "$CLUSTER" =~ ^[a-z0-9]{1,5}$ ]] || die "FERRY_CLUSTER must be 1-5 of [a-z0-9]: $CLUSTER"
  [[ "$NODES" =~ ^[0-9]$ ]] || die "FERRY_NODES must be 0-9: $NODES"
  PREFIX="ferry-$CLUSTER"
  BRIDGE="$PREFIX-br"
  CGROUP_ROOT="/sys/fs/cgroup/unified/$PREFIX"
  PIN_ROOT="/sys/fs/bpf/$PREFIX"
}

# node_netns I, node_link I (the host end of its veth), node_ip I, node_pod_cidr I
node_netns() { echo "$PREFIX-node-$1"; }
node_link() { echo "$PREFIX-n$1"; }
node_ip() { echo "$NODE_NET.$((10 + $1))"; }
node_pod_cidr() { echo "$POD_NET.$1.0/24"; }

# Removes every namespace, link, cgroup and pin named with $PREFIX (after their processes are
# stopped): what scripts/down promises to leave behind is nothing.
ferry_sweep_nodes() {
  local ns cg
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^$PREFIX-" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  if [[ -d "$CGROUP_ROOT" ]]; then
    # Deepest first; cgroup.kill (Linux 5.14) ends whatever is still inside.
    for cg in $(find "$CGROUP_ROOT" -depth -type d); do
      echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
      for _ in $(seq 1 50); do rmdir "$cg" 2>/dev/null && break; sleep 0.05; done
    done
  fi
  if [[ -d "$PIN_ROOT" ]]; then rm -rf "$PIN_ROOT"; fi
}

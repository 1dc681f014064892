#!/usr/bin/env bash
# The main job end to end: scripts/up on private ports, state dir and kubeconfig; then every
# command its guide prints, pasted as a newcomer would (a watch is given two seconds); then
# scripts/down --purge, which must leave no process behind. Exit status is the verdict.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/ferry-up-e2e-XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export FERRY_STATE_DIR="$work/state" KUBECONFIG="$work/kubeconfig"
# Nothing here may leave the machine: no forwarding to its resolvers.
export FERRY_DNS_UPSTREAM=none
export FERRY_PORT=$(free_port) FERRY_FEED_PORT=$(free_port) FERRY_DNS_PORT=$(free_port) FERRY_DNS_METRICS_PORT=$(free_port)
cleanup() {
  bash "$root/scripts/down" --purge >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bash "$root/scripts/up" >"$work/up.out" 2>&1 || { cat "$work/up.out"; echo "FAIL: scripts/up"; exit 1; }
# Running it again changes nothing and still succeeds.
bash "$root/scripts/up" >"$work/up2.out" 2>&1 || { cat "$work/up2.out"; echo "FAIL: second scripts/up"; exit 1; }
grep -q "controlplane already running" "$work/up2.out" || { echo "FAIL: scripts/up is not idempotent"; exit 1; }

mapfile -t commands < <(sed -n 's/^  \(kubectl .*\|dig .*\|scripts\/.*\)$/\1/p' "$work/up.out" | sed 's/ *#.*$//')
cd "$root"  # the guide's scripts/... lines are relative to the checkout
[[ ${#commands[@]} -ge 5 ]] || { cat "$work/up.out"; echo "FAIL: the guide printed too few commands"; exit 1; }
for cmd in "${commands[@]}"; do
  echo "+ $cmd"
  if [[ "$cmd" == *" -w"* ]]; then
    # A watch runs until interrupted: it must still be running (not failed) after 2 s.
    set +e
    timeout 2 bash -c "$cmd" >"$work/cmd.out" 2>&1
    rc=$?
    set -e
    [[ $rc == 124 ]] || { cat "$work/cmd.out"; echo "FAIL ($rc): $cmd"; exit 1; }
    continue
  fi
  bash -c "$cmd" >"$work/cmd.out" 2>&1 || { cat "$work/cmd.out"; echo "FAIL: $cmd"; exit 1; }
  cat "$work/cmd.out"
  if [[ "$cmd" == dig* ]]; then
    [[ -s "$work/cmd.out" ]] || { echo "FAIL: no answer: $cmd"; exit 1; }
  fi
done

# --status sees everything healthy; a killed daemon is reported, and scripts/up restarts
# exactly that one.
bash "$root/scripts/up" --status || { echo "FAIL: --status on a healthy cluster"; exit 1; }
cp_pid=$(cat "$FERRY_STATE_DIR/run/controlplane.pid")
kill -9 "$(cat "$FERRY_STATE_DIR/run/dns.pid")"
noticed=0
for _ in $(seq 1 50); do  # bounded: the kill takes effect within milliseconds
  if ! bash "$root/scripts/up" --status >"$work/status.out"; then noticed=1; break; fi
  sleep 0.1
done
[[ $noticed == 1 ]] || { cat "$work/status.out"; echo "FAIL: a dead dns went unnoticed"; exit 1; }
grep -q "dns .*down" "$work/status.out" || { cat "$work/status.out"; echo "FAIL: --status did not name dns"; exit 1; }
bash "$root/scripts/up" >"$work/up3.out" 2>&1 || { cat "$work/up3.out"; echo "FAIL: restart"; exit 1; }
[[ "$(cat "$FERRY_STATE_DIR/run/controlplane.pid")" == "$cp_pid" ]] || { echo "FAIL: the control plane was restarted too"; exit 1; }
bash "$root/scripts/up" --status || { echo "FAIL: --status after the restart"; exit 1; }
dig @127.0.0.1 -p "$FERRY_DNS_PORT" +short kubernetes.default.svc.cluster.local | grep -q . || { echo "FAIL: dns not serving after restart"; exit 1; }

pids=$(cat "$FERRY_STATE_DIR"/run/*.pid)
bash "$root/scripts/down" --purge
source "$root/scripts/lib.sh"
for pid in $pids; do
  if alive "$pid"; then echo "FAIL: pid $pid still running after scripts/down"; exit 1; fi
done
echo "PASS"

#!/usr/bin/env bash
# The main job end to end: scripts/up on private ports, state dir and kubeconfig, with its two
# simulated nodes under a private cluster name and address plan; then every command its guide
# prints, pasted as a newcomer would (a watch is given two seconds); the demo pods Ready on
# different nodes and the echo Service's ClusterIP balanced over both from inside a pod; a
# killed daemon or node agent noticed and restarted alone; then scripts/down --purge, which must
# leave no process, namespace, link, cgroup or pin behind. Exit status is the verdict.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/ferry-up-e2e-XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export FERRY_STATE_DIR="$work/state" KUBECONFIG="$work/kubeconfig"
# Nothing here may leave the machine: no forwarding to its resolvers.
export FERRY_DNS_UPSTREAM=none
export FERRY_PORT=$(free_port) FERRY_FEED_PORT=$(free_port) FERRY_DNS_PORT=$(free_port) FERRY_DNS_METRICS_PORT=$(free_port)
# Nodes: a cluster name of our own (every namespace, link, cgroup and pin carries it) and a node
# link /24 and pod /16 that nothing on this machine uses yet, so a developer's cluster can run
# alongside.
export FERRY_NODES=${FERRY_NODES:-2}
export FERRY_CLUSTER="e$(printf '%04x' $((RANDOM % 65536)))"
for x in $(seq 200 250); do
  if ! ip -4 addr | grep -q " 172\.31\.$x\." && ! ip -4 route | grep -q "^10\.$x\."; then
    export FERRY_NODE_NET="172.31.$x" FERRY_POD_NET="10.$x"
    break
  fi
done
[[ -n "${FERRY_NODE_NET:-}" ]] || { echo "FAIL: no free address plan for the nodes"; exit 1; }
prefix="ferry-$FERRY_CLUSTER"
cleanup() {
  bash "$root/scripts/down" --purge >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bash "$root/scripts/up" >"$work/up.out" 2>&1 || { cat "$work/up.out"; echo "FAIL: scripts/up"; exit 1; }
# Running it again changes nothing and still succeeds.
bash "$root/scripts/up" >"$work/up2.out" 2>&1 || { cat "$work/up2.out"; echo "FAIL: second scripts/up"; exit 1; }
grep -q "controlplane already running" "$work/up2.out" || { echo "FAIL: scripts/up is not idempotent"; exit 1; }

mapfile -t commands < <(sed -n 's/^  \(\(kubectl\|dig\|scripts\/[^ ]*\|[^ ]*\/ferry\) .*\)$/\1/p' "$work/up.out" | sed 's/ *#.*$//')
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
  if [[ "$cmd" == *" curl "* ]]; then
    grep -q "pod=" "$work/cmd.out" || { echo "FAIL: no pod answered: $cmd"; exit 1; }
  fi
done

if ((FERRY_NODES > 0)); then
  ferry=$(sed -n 's/^  \([^ ]*\/ferry\) pod exec .*/\1/p' "$work/up.out" | head -1)
  [[ -n "$ferry" ]] || { echo "FAIL: the guide shows no ferry pod exec"; exit 1; }
  # Both nodes registered by their agents; the demo pods Ready, on different nodes.
  for i in $(seq 1 "$FERRY_NODES"); do
    kubectl get node "node-$i" >/dev/null || { echo "FAIL: node-$i not registered"; exit 1; }
  done
  "$ferry" pod list -n demo | tee "$work/pods.out"
  for p in echo-1 echo-2; do
    grep -q "^demo  *$p  *1/1  *Running  *10\." "$work/pods.out" || { echo "FAIL: $p not Ready"; exit 1; }
  done
  n1=$(kubectl get pod echo-1 -n demo -o jsonpath='{.spec.nodeName}')
  n2=$(kubectl get pod echo-2 -n demo -o jsonpath='{.spec.nodeName}')
  [[ "$n1" != "$n2" || $FERRY_NODES == 1 ]] || { echo "FAIL: both echo pods on $n1"; exit 1; }
  # The ClusterIP from inside a pod (its cgroup: the node agent's socket load balancer) reaches
  # both pods, including the one on the other node, over a bounded number of requests.
  vip=$(kubectl get svc echo -n demo -o jsonpath='{.spec.clusterIP}')
  seen=""
  for _ in $(seq 1 20); do
    body=$("$ferry" pod exec -n demo echo-1 -- curl -s -m 2 "http://$vip/") || true
    seen+=$(sed -n 's/.*pod=\([a-z0-9-]*\).*/\1/p' <<<"$body" | head -1)$'\n'
    if grep -qx echo-1 <<<"$seen" && grep -qx echo-2 <<<"$seen"; then break; fi
  done
  grep -qx echo-1 <<<"$seen" && grep -qx echo-2 <<<"$seen" ||
    { echo "seen: $seen"; echo "FAIL: http://$vip/ was not balanced over echo-1 and echo-2"; exit 1; }
  # A user's own pod, as docs/RUNNING.md shows: run (supervised in the background here),
  # expose, reach it by name from another pod, delete; nothing of it stays behind.
  bin_dir=$(dirname "$(dirname "$(dirname "$ferry")")")
  setsid "$ferry" pod run web-1 --node node-$FERRY_NODES -n demo --labels app=web --port http:8080/TCP \
    --readiness-http 8080:/readyz -- "$bin_dir/examples/echo/ferry-echo" --http-port 8080 \
    --udp-port 0 --bind 0.0.0.0 >"$work/web-1.log" 2>&1 &
  web_pid=$!
  ready=""
  for _ in $(seq 1 100); do
    ready=$(kubectl get pod web-1 -n demo -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
    [[ "$ready" == True ]] && break
    sleep 0.1
  done
  [[ "$ready" == True ]] || { cat "$work/web-1.log"; echo "FAIL: web-1 not Ready"; exit 1; }
  kubectl expose pod web-1 -n demo --port 80 --target-port 8080
  answered=0
  for _ in $(seq 1 50); do  # bounded: the Service's endpoints reach the agents within moments
    if "$ferry" pod exec -n demo echo-1 -- curl -s -m 2 http://web-1.demo.svc.cluster.local/ | grep -q "pod=web-1"; then
      answered=1; break
    fi
    sleep 0.1
  done
  [[ $answered == 1 ]] || { echo "FAIL: web-1.demo.svc.cluster.local not answered by web-1"; exit 1; }
  web_netns=$(ip netns list | awk '{print $1}' | grep "^$prefix-node-$FERRY_NODES\.demo\.web-1$" || true)
  [[ -n "$web_netns" ]] || { ip netns list; echo "FAIL: no namespace for web-1"; exit 1; }
  "$ferry" pod delete web-1 -n demo
  source "$root/scripts/lib.sh"
  if alive "$web_pid"; then echo "FAIL: web-1's supervisor still runs after ferry pod delete"; exit 1; fi
  kubectl get pod web-1 -n demo 2>/dev/null && { echo "FAIL: Pod web-1 still exists"; exit 1; }
  [[ ! -e "/run/netns/$web_netns" ]] || { echo "FAIL: web-1's namespace left behind"; exit 1; }
  [[ ! -e "/sys/fs/cgroup/unified/$prefix/node-$FERRY_NODES/demo.web-1" ]] || { echo "FAIL: web-1's cgroup left behind"; exit 1; }
  kubectl delete svc web-1 -n demo >/dev/null

  # exec passes the command's exit status on.
  set +e
  "$ferry" pod exec -n demo echo-2 -- sh -c 'exit 7'
  rc=$?
  set -e
  [[ $rc == 7 ]] || { echo "FAIL: ferry pod exec exit status $rc, want 7"; exit 1; }
fi

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

if ((FERRY_NODES > 0)); then
  # A killed node agent too: noticed, restarted alone, and the Service still answers.
  kill -9 "$(cat "$FERRY_STATE_DIR/run/agent-node-$FERRY_NODES.pid")"
  noticed=0
  for _ in $(seq 1 50); do
    if ! bash "$root/scripts/up" --status >"$work/status.out"; then noticed=1; break; fi
    sleep 0.1
  done
  [[ $noticed == 1 ]] && grep -q "agent-node-$FERRY_NODES .*down" "$work/status.out" ||
    { cat "$work/status.out"; echo "FAIL: a dead node agent went unnoticed"; exit 1; }
  pod_pid=$(cat "$FERRY_STATE_DIR/run/pod-demo.echo-2.pid")
  bash "$root/scripts/up" >"$work/up4.out" 2>&1 || { cat "$work/up4.out"; tail -n 20 "$FERRY_STATE_DIR/run/agent-node-$FERRY_NODES.log"; echo "FAIL: agent restart"; exit 1; }
  [[ "$(cat "$FERRY_STATE_DIR/run/pod-demo.echo-2.pid")" == "$pod_pid" ]] || { echo "FAIL: a pod was restarted too"; exit 1; }
  bash "$root/scripts/up" --status || { echo "FAIL: --status after the agent restart"; exit 1; }
  "$ferry" pod exec -n demo echo-2 -- curl -s -m 2 "http://$vip/" | grep -q "pod=" ||
    { echo "FAIL: the Service does not answer after the agent restart"; exit 1; }

  # A killed pod supervisor (its process dies with it): noticed; scripts/up replaces the pod
  # (same address) and restarts nothing else.
  agent_pid=$(cat "$FERRY_STATE_DIR/run/agent-node-$FERRY_NODES.pid")
  ip2=$(kubectl get pod echo-2 -n demo -o jsonpath='{.status.podIP}')
  kill -9 "$pod_pid"
  noticed=0
  for _ in $(seq 1 50); do
    if ! bash "$root/scripts/up" --status >"$work/status.out"; then noticed=1; break; fi
    sleep 0.1
  done
  [[ $noticed == 1 ]] && grep -q "pod-demo.echo-2 .*down" "$work/status.out" ||
    { cat "$work/status.out"; echo "FAIL: a dead pod supervisor went unnoticed"; exit 1; }
  bash "$root/scripts/up" >"$work/up5.out" 2>&1 || { cat "$work/up5.out"; echo "FAIL: pod restart"; exit 1; }
  [[ "$(cat "$FERRY_STATE_DIR/run/agent-node-$FERRY_NODES.pid")" == "$agent_pid" ]] || { echo "FAIL: the agent was restarted too"; exit 1; }
  bash "$root/scripts/up" --status || { echo "FAIL: --status after the pod restart"; exit 1; }
  [[ "$(kubectl get pod echo-2 -n demo -o jsonpath='{.status.podIP}')" == "$ip2" ]] ||
    { echo "FAIL: echo-2 came back with another address"; exit 1; }
  answered=0
  for _ in $(seq 1 20); do
    if "$ferry" pod exec -n demo echo-1 -- curl -s -m 2 "http://$vip/" | grep -q "pod=echo-2"; then answered=1; break; fi
  done
  [[ $answered == 1 ]] || { echo "FAIL: echo-2 does not serve after its restart"; exit 1; }
fi

pids=$(cat "$FERRY_STATE_DIR"/run/*.pid)
pod_processes=$(cat /sys/fs/cgroup/unified/"$prefix"/*/*/cgroup.procs 2>/dev/null || true)
bash "$root/scripts/down" --purge
source "$root/scripts/lib.sh"
for pid in $pids $pod_processes; do
  if alive "$pid"; then echo "FAIL: pid $pid still running after scripts/down"; exit 1; fi
done
# Nothing of the nodes is left: namespaces, links, cgroups, pins.
if ip netns list | grep -q "^$prefix-"; then ip netns list; echo "FAIL: namespaces left behind"; exit 1; fi
if ip -o link show | grep -q " $prefix-"; then ip -o link show | grep "$prefix"; echo "FAIL: links left behind"; exit 1; fi
[[ ! -e "/sys/fs/cgroup/unified/$prefix" ]] || { echo "FAIL: cgroup left behind"; exit 1; }
[[ ! -e "/sys/fs/bpf/$prefix" ]] || { echo "FAIL: bpffs pins left behind"; exit 1; }
echo "PASS"

"""kube-proxy's rule sets for N ClusterIP Services with E endpoints each, written the way
kube-proxy writes them (pkg/proxy/iptables/proxier.go and pkg/proxy/nftables/proxier.go, 1.31),
so that programming them with iptables-restore / nft -f is an honest peer of ferry's eBPF
projector. Addressing matches ferry-bench's `program` subcommand: Service i is ClusterIP
10.96.0.0 + i + 1 port 80/TCP, named bench/svc-i:http; its endpoints 10.244.x.y:8080.

Not reproduced (they do not change the cost shape): the filter table's firewall/health chains,
NodePort/LoadBalancer chains, and kube-proxy's partial-sync bookkeeping (its first sync is a
full restore, which is what is timed here).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress

CLUSTER_CIDR = "10.244.0.0/16"


def _ip(base: str, offset: int) -> str:
    return str(ipaddress.IPv4Address(int(ipaddress.IPv4Address(base)) + offset))


def service_ip(i: int) -> str:
    return _ip("10.96.0.0", i + 1)


def endpoint_ip(i: int, e: int, per_service: int) -> str:
    n = i * per_service + e
    return _ip("10.244.0.0", n % (1 << 16))


def _chain_hash(prefix: str, text: str) -> str:
    # kube-proxy: servicePortChainName = "KUBE-SVC-" + base32(sha256(name+proto))[:16]
    digest = hashlib.sha256(text.encode()).digest()
    return prefix + base64.b32encode(digest).decode()[:16]


def iptables_restore_input(services: int, per_service: int) -> str:
    """The nat table as kube-proxy's iptables mode writes it on a full sync."""
    head = ["*nat", ":KUBE-SERVICES - [0:0]", ":KUBE-POSTROUTING - [0:0]", ":KUBE-MARK-MASQ - [0:0]",
            ":KUBE-NODEPORTS - [0:0]"]
    chains, rules = [], []
    rules.append('-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN')
    rules.append('-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000')
    rules.append('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" '
                 '-j MASQUERADE --random-fully')
    rules.append('-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000')
    svc_rules = []
    for i in range(services):
        name = f"bench/svc-{i}:http"
        vip = service_ip(i)
        svc_chain = _chain_hash("KUBE-SVC-", name + "tcp")
        chains.append(f":{svc_chain} - [0:0]")
        svc_rules.append(f'-A KUBE-SERVICES -m comment --comment "{name} cluster IP" -d {vip}/32 -p tcp '
                         f'-m tcp --dport 80 -j {svc_chain}')
        rules.append(f'-A {svc_chain} -m comment --comment "{name} cluster IP" ! -s {CLUSTER_CIDR} -d {vip}/32 '
                     f'-p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ')
        for e in range(per_service):
            ep = endpoint_ip(i, e, per_service)
            sep_chain = _chain_hash("KUBE-SEP-", name + "tcp" + f"{ep}:8080")
            chains.append(f":{sep_chain} - [0:0]")
            left = per_service - e
            prob = f" -m statistic --mode random --probability {1.0 / left:.10f}" if left > 1 else ""
            rules.append(f'-A {svc_chain} -m comment --comment "{name} -> {ep}:8080"{prob} -j {sep_chain}')
            rules.append(f'-A {sep_chain} -m comment --comment "{name}" -s {ep}/32 -j KUBE-MARK-MASQ')
            rules.append(f'-A {sep_chain} -m comment --comment "{name}" -m tcp -p tcp -j DNAT '
                         f'--to-destination {ep}:8080')
    # The catch-all NodePort jump is last in KUBE-SERVICES, as kube-proxy writes it.
    svc_rules.append('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports" '
                     '-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS')
    return "\n".join(head + chains + svc_rules + rules + ["COMMIT", ""])


def nft_input(services: int, per_service: int) -> str:
    """The kube-proxy table as its nftables mode writes it on a full sync."""
    out = ["add table ip kube-proxy",
           "add chain ip kube-proxy mark-for-masquerade",
           "add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000",
           "add chain ip kube-proxy masquerading { type nat hook postrouting priority srcnat ; }",
           "add rule ip kube-proxy masquerading mark and 0x4000 == 0 return",
           "add rule ip kube-proxy masquerading mark set mark xor 0x4000",
           "add rule ip kube-proxy masquerading masquerade fully-random",
           "add chain ip kube-proxy services",
           "add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority dstnat ; }",
           "add rule ip kube-proxy nat-prerouting jump services",
           "add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }",
           "add rule ip kube-proxy nat-output jump services",
           "add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; }",
           "add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips"]
    for i in range(services):
        vip = service_ip(i)
        svc = f"service-{_chain_hash('', f'bench/svc-{i}/tcp/http')[:8]}-bench/svc-{i}/tcp/http"
        out.append(f"add chain ip kube-proxy {svc}")
        out.append(f"add rule ip kube-proxy {svc} ip daddr {vip} tcp dport 80 ip saddr != {CLUSTER_CIDR} "
                   f"jump mark-for-masquerade")
        eps = []
        for e in range(per_service):
            ep = endpoint_ip(i, e, per_service)
            epc = f"endpoint-{_chain_hash('', f'bench/svc-{i}/tcp/http__{ep}/8080')[:8]}-bench/svc-{i}/tcp/http__{ep}/8080"
            out.append(f"add chain ip kube-proxy {epc}")
            out.append(f"add rule ip kube-proxy {epc} ip saddr {ep} jump mark-for-masquerade")
            out.append(f"add rule ip kube-proxy {epc} meta l4proto tcp dnat to {ep}:8080")
            eps.append(f"{e} : goto {epc}")
        out.append(f"add rule ip kube-proxy {svc} numgen random mod {per_service} vmap {{ {' , '.join(eps)} }}")
        out.append(f"add element ip kube-proxy service-ips {{ {vip} . tcp . 80 : goto {svc} }}")
    return "\n".join(out) + "\n"

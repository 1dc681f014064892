/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Socket-level load balancing (cgroup sock_addr hooks), as Cilium's socket-LB: a connect() or
 * sendmsg() to a service frontend is rewritten to a backend before any packet exists, so
 * ClusterIP traffic from pods and from the node itself needs no per-packet NAT at all, and
 * recvmsg()/getpeername() report the frontend back so applications see the address they
 * dialled. Shares the frontend, slot and backend maps with the packet programs (lib/maps.h).
 */
#ifndef FERRY_BPF_LIB_SOCK_LB_H
#define FERRY_BPF_LIB_SOCK_LB_H

#include "lib/common.h"
#include "lib/maps.h"
#include "lib/drop.h"
#include "lib/lb.h"

/* What a socket was translated from, keyed by the socket and the backend it was sent to, so
 * replies (recvmsg) and getpeername() can be translated back. Datagram sockets may talk to
 * several backends, hence the backend in the key. */
struct ferry_sock_rev_key {
	__u64 cookie;
	struct ferry_addr backend;
	__be16 port;
	__u16 pad1;
	__u32 pad2;
};

struct ferry_sock_rev_value {
	struct ferry_addr frontend;
	__be16 port;
	__u16 pad;
};

#ifndef FERRY_SOCK_REV_MAX
#define FERRY_SOCK_REV_MAX 262144
#endif

/* Written by the datapath on translation; entries age out by LRU. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ferry_sock_rev_key);
	__type(value, struct ferry_sock_rev_value);
	__uint(max_entries, FERRY_SOCK_REV_MAX);
} ferry_sock_rev SEC(".maps");

/* svc_id -> connections (and datagram destinations) balanced, per CPU; read by the agent
 * for its per-service metrics. Sized by the loader to the services capacity + 1. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, FERRY_LB_SERVICES_MAX + 1);
} ferry_sock_svc_stats SEC(".maps");

/* The frontend for (addr, port, proto): traffic from a local socket is in-cluster traffic, so
 * the internal scope's entry answers, and frontends that only have an external-scope entry
 * (externalIPs, LoadBalancer IPs) are balanced with that one. */
static __always_inline const struct ferry_lb_svc_value *
sock_lb_lookup(const struct ferry_addr *addr, __be16 port, __u8 proto)
{
	struct ferry_lb_svc_key key;
	const struct ferry_lb_svc_value *svc;

	__builtin_memset(&key, 0, sizeof(key));
	key.addr = *addr;
	key.port = port;
	key.proto = proto;
	key.scope = FERRY_SCOPE_INTERNAL;
	svc = bpf_map_lookup_elem(&ferry_services, &key);
	if (svc)
		return svc;
	key.scope = FERRY_SCOPE_EXTERNAL;
	svc = bpf_map_lookup_elem(&ferry_services, &key);
	/* A NodePort entry (unspecified address) never matches a dialled address here. */
	return svc;
}

enum sock_lb_result {
	SOCK_LB_PASS = 0,     /* not a frontend: leave the address alone */
	SOCK_LB_REWRITTEN = 1, /* addr and port now name a backend */
	SOCK_LB_REJECT = 2,   /* a frontend without a usable backend: fail the call at once */
};

/* Translates (addr, port) in place for a socket with `cookie`. */
static __always_inline enum sock_lb_result
sock_lb_translate(struct ferry_addr *addr, __be16 *port, __u8 proto, __u64 cookie)
{
	const struct ferry_lb_svc_value *svc;
	const struct ferry_lb_backend *be;
	struct ferry_sock_rev_key rk;
	struct ferry_sock_rev_value rv;
	__u32 backend_id = 0;

	svc = sock_lb_lookup(addr, *port, proto);
	if (!svc)
		return SOCK_LB_PASS;
	be = lb_select_backend(svc, NULL, &backend_id);
	if (!be) {
		drop_count(FERRY_DROP_NO_BACKEND);
		return SOCK_LB_REJECT;
	}
	{
		__u32 id = svc->svc_id;
		__u64 *n = bpf_map_lookup_elem(&ferry_sock_svc_stats, &id);

		if (n)
			*n += 1; /* per-CPU slot: no atomic needed */
	}

	__builtin_memset(&rk, 0, sizeof(rk));
	__builtin_memset(&rv, 0, sizeof(rv));
	rk.cookie = cookie;
	rk.backend = be->addr;
	rk.port = be->port;
	rv.frontend = *addr;
	rv.port = *port;
	bpf_map_update_elem(&ferry_sock_rev, &rk, &rv, BPF_ANY);

	*addr = be->addr;
	*port = be->port;
	return SOCK_LB_REWRITTEN;
}

/* Translates a backend (addr, port) seen by a socket back to the frontend it dialled. */
static __always_inline int sock_lb_reverse(struct ferry_addr *addr, __be16 *port, __u64 cookie)
{
	struct ferry_sock_rev_key rk;
	struct ferry_sock_rev_value *rv;

	__builtin_memset(&rk, 0, sizeof(rk));
	rk.cookie = cookie;
	rk.backend = *addr;
	rk.port = *port;
	rv = bpf_map_lookup_elem(&ferry_sock_rev, &rk);
	if (!rv)
		return 0;
	*addr = rv->frontend;
	*port = rv->port;
	return 1;
}

#endif /* FERRY_BPF_LIB_SOCK_LB_H */

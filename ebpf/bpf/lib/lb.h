/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The load balancer's forward path, independent of the attach point: service lookup, backend
 * selection, conntrack, DNAT. An entry file (lb_xdp.bpf.c, later a tc one) parses the packet
 * with ferry_parse(), calls lb_forward() and maps the verdict to its hook's return codes.
 *
 * Map model (ferry/abi/lb.h): services answer (daddr, dport, proto, scope) with a svc_id and a
 * backend_count; slots (svc_id, 1..backend_count) hold backend ids; backends hold addresses.
 * Slot 0 is never used and backend id 0 is never valid (Katran's reserved id).
 */
#ifndef FERRY_BPF_LIB_LB_H
#define FERRY_BPF_LIB_LB_H

#include "lib/common.h"
#include "lib/maps.h"
#include "lib/conntrack.h"
#include "ferry/abi/flow_hash.h"

enum lb_verdict {
	LB_PASS = 0,    /* not for a service we balance: let the stack have it */
	LB_DROP = 1,    /* *reason says why */
	LB_FORWARD = 2, /* rewritten to a backend */
};

static __always_inline const struct ferry_lb_svc_value *
lb_lookup_service(const struct ferry_tuple *t, __u8 scope)
{
	struct ferry_lb_svc_key key;

	__builtin_memset(&key, 0, sizeof(key));
	key.addr = t->daddr;
	key.port = t->dport;
	key.proto = t->proto;
	key.scope = scope;
	return bpf_map_lookup_elem(&ferry_services, &key);
}

/* Uniform slot in 1..n from a 32-bit random number (Lemire's multiply-shift; the model's
 * pickRandom() is the same expression). */
static __always_inline __u32 lb_slot_random(__u32 n)
{
	return 1 + (__u32)(((__u64)bpf_get_prandom_u32() * n) >> 32);
}

/* Slot in 1..n for a new flow of `svc` (n = backend_count > 0). */
static __always_inline __u32 lb_pick_slot(const struct ferry_lb_svc_value *svc, __u32 n)
{
	__u32 svc_id = svc->svc_id;
	__u64 zero = 0;
	__u64 *ctr;

	switch (svc->algorithm) {
	case FERRY_LB_ROUND_ROBIN:
		/* One shared counter per service, as the model's RoundRobin (counter++ % n). The
		 * first flow creates it; if the map is full, random is still a uniform choice. */
		ctr = bpf_map_lookup_elem(&ferry_rr, &svc_id);
		if (!ctr) {
			bpf_map_update_elem(&ferry_rr, &svc_id, &zero, BPF_NOEXIST);
			ctr = bpf_map_lookup_elem(&ferry_rr, &svc_id);
		}
		if (ctr)
			return 1 + (__u32)(__sync_fetch_and_add(ctr, 1) % n);
		return lb_slot_random(n);
	case FERRY_LB_MAGLEV:
		/* Only reached without a flow hash or table (see lb_select_backend). */
	case FERRY_LB_RANDOM:
	default:
		return lb_slot_random(n);
	}
}

/* Maglev: the backend id owning the flow's slot in the service's table, 0 when the service has
 * no table (yet) or the slot is empty. The hash is the model's (ferry_flow_hash, seed 0), so
 * the reference model, DPDK and the L7 tier pick the same backend for the same flow. */
static __always_inline __u32 lb_maglev_backend(__u32 svc_id, const struct ferry_tuple *flow)
{
	__u32 index = ferry_flow_hash(flow, 0) % FERRY_MAGLEV_SIZE;
	void *table = bpf_map_lookup_elem(&ferry_maglev, &svc_id);
	__u32 *id;

	if (!table)
		return 0;
	id = bpf_map_lookup_elem(table, &index);
	return id ? *id : 0;
}

/* A backend for a new flow of `svc`: its id in *backend_id and its value, or NULL when the
 * service has no usable backend or the chosen slot is (transiently) unpopulated. `flow` is the
 * packet's forward tuple, or NULL where there is none yet (a socket's connect(): its source
 * port is not chosen, so every connection of a client would hash alike); Maglev services
 * without one are balanced at random over their slots, as Cilium's socket LB does. */
static __always_inline const struct ferry_lb_backend *
lb_select_backend(const struct ferry_lb_svc_value *svc, const struct ferry_tuple *flow,
		  __u32 *backend_id)
{
	const struct ferry_lb_backend *be;
	struct ferry_lb_slot_key sk;
	__u32 n = svc->backend_count;
	__u32 *id;

	if (n == 0)
		return NULL;
	if (svc->algorithm == FERRY_LB_MAGLEV && flow) {
		__u32 maglev_id = lb_maglev_backend(svc->svc_id, flow);

		if (maglev_id) {
			be = bpf_map_lookup_elem(&ferry_backends, &maglev_id);
			if (be) {
				*backend_id = maglev_id;
				return be;
			}
		}
	}
	sk.svc_id = svc->svc_id;
	sk.slot = lb_pick_slot(svc, n);
	id = bpf_map_lookup_elem(&ferry_slots, &sk);
	if (!id || *id == 0)
		return NULL;
	*backend_id = *id;
	return bpf_map_lookup_elem(&ferry_backends, backend_id);
}

/* The forward path for a parsed packet (client -> frontend). On LB_FORWARD the packet's
 * destination is rewritten to the backend and *p's tuple updated; on LB_DROP *reason is a
 * FERRY_DROP_*. Only the EXTERNAL scope is looked up for now: telling in-cluster sources from
 * outside ones (and FERRY_SVC_F_TWO_SCOPES) needs the node's pod CIDRs, a later issue. */
static __always_inline enum lb_verdict lb_forward(__u8 *data, const __u8 *data_end,
                                                  struct ferry_pkt *p, __u32 *reason)
{
	__u32 bytes = (__u32)(data_end - data);
	const struct ferry_lb_svc_value *svc;
	const struct ferry_lb_backend *be;
	struct ferry_ct_entry *ct;
	struct ferry_ct_key key;
	__u32 backend_id = 0;
	__u64 now;
	int rc;

	/* A later fragment carries no ports, so it cannot match a frontend (tuple ports are 0):
	 * the stack reassembles or drops it. Fragment tracking is a later issue. */
	if (p->frag == FERRY_FRAG_LATER)
		return LB_PASS;
	svc = lb_lookup_service(&p->tuple, FERRY_SCOPE_EXTERNAL);
	if (!svc)
		return LB_PASS;

	now = bpf_ktime_get_ns();
	ct_key_init(&key, &p->tuple, FERRY_CT_ORIGINAL);
	ct = ct_lookup(&key, now);
	if (ct && ct->svc_id == svc->svc_id) {
		/* An established flow keeps its backend, even when the service's slots changed
		 * since (and even when a closed TCP tuple is reopened: ct_touch() returns 1 then,
		 * and we deliberately stay put, as Cilium does). */
		ct_touch(ct, p, FERRY_CT_ORIGINAL, bytes, now);
		backend_id = ct->backend_id;
		be = bpf_map_lookup_elem(&ferry_backends, &backend_id);
		if (!be) {
			/* Its backend is gone: move the flow to a live one. */
			be = lb_select_backend(svc, &p->tuple, &backend_id);
			if (!be) {
				*reason = FERRY_DROP_NO_BACKEND;
				return LB_DROP;
			}
			ct->backend_id = backend_id;
		}
	} else {
		/* New flow, or an entry left by an earlier service on the same frontend. */
		be = lb_select_backend(svc, &p->tuple, &backend_id);
		if (!be) {
			/* TODO(later issue): answer with TCP RST / ICMP unreachable instead. */
			*reason = FERRY_DROP_NO_BACKEND;
			return LB_DROP;
		}
		rc = ct_create(&key, p, bytes, now, svc->svc_id, backend_id, svc->rev_nat_id);
		if (rc) {
			*reason = (__u32)rc;
			return LB_DROP;
		}
	}

	rc = ferry_nat_rewrite(data, data_end, p, FERRY_NAT_DST, &be->addr, be->port);
	if (rc) {
		*reason = (__u32)rc;
		return LB_DROP;
	}
	return LB_FORWARD;
}

#endif /* FERRY_BPF_LIB_LB_H */

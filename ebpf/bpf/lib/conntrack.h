/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Conntrack on the ferry_ct LRU map. The policy (initial state, transitions, lifetimes) is the
 * shared one from ferry/abi/ct.h, so a flow lives exactly as long here as in the reference
 * model (dataplane/model/src/conntrack.cc) and the DPDK engine.
 */
#ifndef FERRY_BPF_LIB_CONNTRACK_H
#define FERRY_BPF_LIB_CONNTRACK_H

#include "lib/common.h"
#include "lib/maps.h"

/* Load-time configuration: conntrack lifetimes. Lives in .rodata; the loader writes the
 * agent's values through the skeleton before load, and the verifier then sees constants. */
const volatile struct ferry_ct_timeouts ferry_ct_timeouts_cfg = FERRY_CT_TIMEOUTS_DEFAULT;

/* A copy the shared policy functions can take a plain pointer to (casting the volatile away
 * would let the compiler fold in the defaults and ignore the loader's values). */
static __always_inline void ct_timeouts_load(struct ferry_ct_timeouts *t)
{
	*t = ferry_ct_timeouts_cfg;
}

/* Fills a key for `tuple` seen in direction `dir`; every padding byte is zeroed because the
 * key is hashed as raw bytes. */
static __always_inline void ct_key_init(struct ferry_ct_key *key, const struct ferry_tuple *tuple,
                                        __u8 dir)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->tuple = *tuple;
	key->tuple.pad = 0;
	key->dir = dir;
}

/* The live entry for `key`, or NULL. An expired entry counts as absent (the LRU map only
 * evicts under pressure; the agent's GC removes the rest). */
static __always_inline struct ferry_ct_entry *ct_lookup(const struct ferry_ct_key *key, __u64 now)
{
	struct ferry_ct_entry *e = bpf_map_lookup_elem(&ferry_ct, key);

	if (e && ferry_ct_expired(e, now))
		return NULL;
	return e;
}

/* Creates (or replaces an expired or stale) entry for a flow's first packet, counting that
 * packet. Returns 0 or FERRY_DROP_CT_FULL. */
static __always_inline int ct_create(const struct ferry_ct_key *key, const struct ferry_pkt *p,
                                     __u32 bytes, __u64 now, __u32 svc_id, __u32 backend_id,
                                     __u16 rev_nat_id)
{
	struct ferry_ct_timeouts t;
	struct ferry_ct_entry e;

	ct_timeouts_load(&t);
	__builtin_memset(&e, 0, sizeof(e));
	e.state = ferry_ct_initial_state(p->tuple.proto, p->tcp_flags);
	e.expires_ns = ferry_ct_deadline(e.state, now, &t);
	e.packets = 1;
	e.bytes = bytes;
	e.svc_id = svc_id;
	e.backend_id = backend_id;
	e.rev_nat_id = rev_nat_id;
	if (bpf_map_update_elem(&ferry_ct, key, &e, BPF_ANY))
		return FERRY_DROP_CT_FULL;
	return 0;
}

/* Advances a live entry for one packet in direction `dir` and refreshes its deadline. Returns
 * ferry_ct_advance()'s result (1: a closed TCP tuple reopened with a new SYN). State updates
 * from two CPUs may race; like the kernel's and Cilium's BPF conntrack we accept that, since
 * the worst case is a lifetime from the other packet's state. Counters are atomic. */
static __always_inline int ct_touch(struct ferry_ct_entry *e, const struct ferry_pkt *p, __u8 dir,
                                    __u32 bytes, __u64 now)
{
	struct ferry_ct_timeouts t;
	__u8 state = e->state;
	__u8 flags = e->flags;
	int reopened;

	ct_timeouts_load(&t);
	reopened = ferry_ct_advance(&state, &flags, p->tuple.proto, p->tcp_flags, dir);
	e->state = state;
	e->flags = flags;
	e->expires_ns = ferry_ct_deadline(state, now, &t);
	__sync_fetch_and_add(&e->packets, 1);
	__sync_fetch_and_add(&e->bytes, bytes);
	return reopened;
}

#endif /* FERRY_BPF_LIB_CONNTRACK_H */

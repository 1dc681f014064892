/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Connection tracking: the entry layout and its policy (state transitions and lifetimes) as
 * pure functions. Each fast path owns its table (an LRU map in eBPF, per-lcore hash tables in
 * DPDK, a std::unordered_map in the reference model) but all of them age and advance entries
 * with the functions below, so a flow lives exactly as long everywhere.
 *
 * The state machine is deliberately coarser than nf_conntrack's: a load balancer needs to know
 * when a flow may be forgotten, not to validate TCP. Lifetimes follow Cilium's defaults
 * (SYN 60 s, established 6 h, closing 10 s) and nf_conntrack's UDP ones (30 s, 120 s once
 * replied).
 */
#ifndef FERRY_ABI_CT_H
#define FERRY_ABI_CT_H

#include "ferry/abi/compiler.h"
#include "ferry/abi/tuple.h"

FERRY_ABI_BEGIN

enum ferry_ct_dir {
	FERRY_CT_ORIGINAL = 0, /* client -> service */
	FERRY_CT_REPLY = 1,    /* backend -> client */
};

enum ferry_ct_state {
	FERRY_CT_NONE = 0,
	FERRY_CT_SYN_SENT = 1,    /* TCP: SYN seen, no reply yet */
	FERRY_CT_ESTABLISHED = 2, /* TCP: reply seen, or picked up mid-stream */
	FERRY_CT_FIN_WAIT = 3,    /* TCP: one side sent FIN, the other may still send */
	FERRY_CT_CLOSING = 4,     /* TCP: both sides sent FIN */
	FERRY_CT_CLOSED = 5,      /* TCP: RST seen */
	FERRY_CT_UNREPLIED = 6,   /* UDP/ICMP/other: only the original direction seen */
	FERRY_CT_REPLIED = 7,     /* UDP/ICMP/other: both directions seen */
	FERRY_CT_STATE_MAX
};

/* ferry_ct_entry.flags */
#define FERRY_CT_F_FIN_ORIG (1U << 0)  /* FIN seen from the client */
#define FERRY_CT_F_FIN_REPLY (1U << 1) /* FIN seen from the backend */
#define FERRY_CT_F_SNAT (1U << 2)      /* source was masqueraded to the node address */
#define FERRY_CT_F_LOCAL (1U << 3)     /* backend is on this node */

/* TCP flag bits as in the TCP header's 13th byte. */
#define FERRY_TCP_FIN 0x01
#define FERRY_TCP_SYN 0x02
#define FERRY_TCP_RST 0x04
#define FERRY_TCP_ACK 0x10

/* Key: the tuple as the packet carries it at the point of lookup, plus the direction. */
struct ferry_ct_key {
	struct ferry_tuple tuple;
	__u8 dir; /* enum ferry_ct_dir */
	__u8 pad[7];
};

struct ferry_ct_entry {
	__u64 expires_ns; /* monotonic deadline (bpf_ktime_get_ns / CLOCK_MONOTONIC) */
	__u64 packets;
	__u64 bytes;
	__u32 svc_id;
	__u32 backend_id;
	__u16 rev_nat_id;
	__u8 state; /* enum ferry_ct_state */
	__u8 flags; /* FERRY_CT_F_* */
	__u32 pad;
};

FERRY_STATIC_ASSERT(sizeof(struct ferry_ct_key) == 48, "ct key layout");
FERRY_STATIC_ASSERT(sizeof(struct ferry_ct_entry) == 40, "ct entry layout");

/* Lifetimes in seconds, per state. Load-time configuration: the agent writes them into the BPF
 * programs' read-only data and the DPDK engine's config from the same struct. */
struct ferry_ct_timeouts {
	__u32 tcp_syn_s;
	__u32 tcp_established_s;
	__u32 tcp_fin_wait_s;
	__u32 tcp_closing_s;
	__u32 unreplied_s;
	__u32 replied_s;
};

#define FERRY_CT_TIMEOUTS_DEFAULT                                                          \
	{                                                                                  \
		.tcp_syn_s = 60, .tcp_established_s = 21600, .tcp_fin_wait_s = 120,        \
		.tcp_closing_s = 10, .unreplied_s = 30, .replied_s = 120,                   \
	}

#define FERRY_NSEC_PER_SEC 1000000000ULL

FERRY_INLINE __u32 ferry_ct_lifetime_s(__u8 state, const struct ferry_ct_timeouts *t)
{
	switch (state) {
	case FERRY_CT_SYN_SENT:
		return t->tcp_syn_s;
	case FERRY_CT_ESTABLISHED:
		return t->tcp_established_s;
	case FERRY_CT_FIN_WAIT:
		return t->tcp_fin_wait_s;
	case FERRY_CT_CLOSING:
	case FERRY_CT_CLOSED:
		return t->tcp_closing_s;
	case FERRY_CT_REPLIED:
		return t->replied_s;
	default:
		return t->unreplied_s;
	}
}

/* The longest any entry can live: how long a freed service/backend id must be held back. */
FERRY_INLINE __u32 ferry_ct_max_lifetime_s(const struct ferry_ct_timeouts *t)
{
	__u32 m = t->tcp_syn_s;
	m = t->tcp_established_s > m ? t->tcp_established_s : m;
	m = t->tcp_fin_wait_s > m ? t->tcp_fin_wait_s : m;
	m = t->tcp_closing_s > m ? t->tcp_closing_s : m;
	m = t->unreplied_s > m ? t->unreplied_s : m;
	m = t->replied_s > m ? t->replied_s : m;
	return m;
}

/* State of a flow's first packet. A TCP flow picked up without a SYN (after a table loss) is
 * taken as established rather than cut: existing connections are never broken. */
FERRY_INLINE __u8 ferry_ct_initial_state(__u8 proto, __u8 tcp_flags)
{
	if (proto != 6 /* IPPROTO_TCP */)
		return FERRY_CT_UNREPLIED;
	if (tcp_flags & FERRY_TCP_RST)
		return FERRY_CT_CLOSED;
	if ((tcp_flags & (FERRY_TCP_SYN | FERRY_TCP_ACK)) == FERRY_TCP_SYN)
		return FERRY_CT_SYN_SENT;
	return FERRY_CT_ESTABLISHED;
}

/* Advance an entry's state and flags for one packet. Pure: reads and writes only *state and
 * *flags. Returns 1 when the TCP flow reopens on a closed tuple (a new SYN), so callers may
 * re-select a backend, else 0. */
FERRY_INLINE int ferry_ct_advance(__u8 *state, __u8 *flags, __u8 proto, __u8 tcp_flags, __u8 dir)
{
	if (proto != 6 /* IPPROTO_TCP */) {
		if (dir == FERRY_CT_REPLY)
			*state = FERRY_CT_REPLIED;
		else if (*state != FERRY_CT_REPLIED)
			*state = FERRY_CT_UNREPLIED;
		return 0;
	}
	if (tcp_flags & FERRY_TCP_RST) {
		*state = FERRY_CT_CLOSED;
		return 0;
	}
	if (dir == FERRY_CT_ORIGINAL && (tcp_flags & (FERRY_TCP_SYN | FERRY_TCP_ACK)) == FERRY_TCP_SYN &&
	    (*state == FERRY_CT_CLOSED || *state == FERRY_CT_CLOSING)) {
		*state = FERRY_CT_SYN_SENT;
		*flags &= (__u8)~(FERRY_CT_F_FIN_ORIG | FERRY_CT_F_FIN_REPLY);
		return 1;
	}
	if (tcp_flags & FERRY_TCP_FIN)
		*flags |= dir == FERRY_CT_REPLY ? FERRY_CT_F_FIN_REPLY : FERRY_CT_F_FIN_ORIG;
	if (*state == FERRY_CT_SYN_SENT && dir == FERRY_CT_REPLY)
		*state = FERRY_CT_ESTABLISHED;
	if ((*flags & (FERRY_CT_F_FIN_ORIG | FERRY_CT_F_FIN_REPLY)) ==
	    (FERRY_CT_F_FIN_ORIG | FERRY_CT_F_FIN_REPLY))
		*state = FERRY_CT_CLOSING;
	else if (*flags & (FERRY_CT_F_FIN_ORIG | FERRY_CT_F_FIN_REPLY))
		*state = *state == FERRY_CT_CLOSED ? FERRY_CT_CLOSED : FERRY_CT_FIN_WAIT;
	return 0;
}

/* Whether an entry is past its deadline at `now_ns`. */
FERRY_INLINE int ferry_ct_expired(const struct ferry_ct_entry *e, __u64 now_ns)
{
	return now_ns >= e->expires_ns;
}

/* Deadline for an entry in `state` touched at `now_ns`. */
FERRY_INLINE __u64 ferry_ct_deadline(__u8 state, __u64 now_ns, const struct ferry_ct_timeouts *t)
{
	return now_ns + (__u64)ferry_ct_lifetime_s(state, t) * FERRY_NSEC_PER_SEC;
}

FERRY_ABI_END

#endif /* FERRY_ABI_CT_H */

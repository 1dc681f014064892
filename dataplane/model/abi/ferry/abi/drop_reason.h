/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The stable table of reasons a fast path ends a packet's life without forwarding it. Values
 * are part of the ABI (they are stored in per-CPU counters and exported as metric labels), so
 * they are append-only: never renumber, never reuse. ferry::model::dropReasonName() gives
 * each its metric label; a test checks every value has one.
 */
#ifndef FERRY_ABI_DROP_REASON_H
#define FERRY_ABI_DROP_REASON_H

enum ferry_drop_reason {
	FERRY_DROP_NONE = 0,           /* not dropped */
	FERRY_DROP_TRUNCATED = 1,      /* headers run past the end of the packet */
	FERRY_DROP_BAD_L3 = 2,         /* IPv4 IHL < 5, wrong version, total length lies */
	FERRY_DROP_BAD_L4 = 3,         /* TCP data offset < 5 and similar */
	FERRY_DROP_FRAGMENT = 4,       /* non-first fragment of a service-bound packet */
	FERRY_DROP_UNSUPPORTED_L4 = 5, /* protocol the service does not serve */
	FERRY_DROP_NO_BACKEND = 6,     /* service has no usable endpoint (answered with RST/ICMP) */
	FERRY_DROP_SOURCE_RANGE = 7,   /* source not in loadBalancerSourceRanges */
	FERRY_DROP_CT_FULL = 8,        /* conntrack map refused a new entry */
	FERRY_DROP_NAT_FAILED = 9,     /* rewrite or checksum update failed */
	FERRY_DROP_BACKEND_GONE = 10,  /* conntrack points at a backend id no longer present */
	FERRY_DROP_TTL_EXCEEDED = 11,  /* hop limit reached zero on a forwarded packet */
	FERRY_DROP_POLICY_LOCAL = 12,  /* traffic policy Local and no local endpoint */
	FERRY_DROP_REASON_MAX          /* count; keep last */
};

#endif /* FERRY_ABI_DROP_REASON_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * XDP entry of the L4 load balancer: parse with the shared parser, balance with lib/lb.h,
 * bounce the rewritten frame back out of the receiving interface.
 *
 * Not done here yet (later issues): Ethernet addresses are left as received, so XDP_TX only
 * works where the peer accepts them (tests, a router that already addressed us); no TTL
 * decrement; reply (reverse NAT) path; RST/ICMP for services without backends.
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/drop.h"
#include "lib/lb.h"

SEC("xdp")
int ferry_lb_xdp(struct xdp_md *ctx)
{
	__u8 *data = (__u8 *)(long)ctx->data;
	const __u8 *data_end = (const __u8 *)(long)ctx->data_end;
	struct ferry_pkt pkt;
	__u32 reason = FERRY_DROP_NONE;
	int rc;

	rc = ferry_parse(data, data_end, &pkt);
	if (rc == FERRY_PARSE_NOT_OURS)
		return XDP_PASS;
	if (rc != FERRY_PARSE_OK) {
		drop_count((__u32)rc);
		return XDP_DROP;
	}

	switch (lb_forward(data, data_end, &pkt, &reason)) {
	case LB_FORWARD:
		return XDP_TX;
	case LB_DROP:
		drop_count(reason);
		return XDP_DROP;
	case LB_PASS:
	default:
		return XDP_PASS;
	}
}

/* Dual-licensed so GPL-only helpers (bpf_fib_lookup, ...) stay available to later programs. */
char _license[] SEC("license") = "Dual BSD/GPL";

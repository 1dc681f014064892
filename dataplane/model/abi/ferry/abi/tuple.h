/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Addresses and flow tuples as every fast path stores them. One family-agnostic layout:
 * IPv4 addresses are kept IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) so one map and one
 * code path serve both families.
 */
#ifndef FERRY_ABI_TUPLE_H
#define FERRY_ABI_TUPLE_H

#include "ferry/abi/compiler.h"

FERRY_ABI_BEGIN

/* A 16-byte IP address in network byte order. */
struct ferry_addr {
	union {
		__u8 b[16];
		__u32 w[4];
	};
};

/* A connection's addresses, ports and protocol as seen on the wire (network order). */
struct ferry_tuple {
	struct ferry_addr saddr;
	struct ferry_addr daddr;
	__be16 sport; /* for ICMP echo: the identifier */
	__be16 dport;
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP, ... */
	__u8 family; /* FERRY_AF_INET or FERRY_AF_INET6: which header the wire carries */
	__u16 pad;
};

#define FERRY_AF_INET 4
#define FERRY_AF_INET6 6

FERRY_STATIC_ASSERT(sizeof(struct ferry_addr) == 16, "ferry_addr is 16 bytes");
FERRY_STATIC_ASSERT(sizeof(struct ferry_tuple) == 40, "ferry_tuple is 40 bytes");

FERRY_INLINE void ferry_addr_set_v4(struct ferry_addr *a, __be32 v4)
{
	a->w[0] = 0;
	a->w[1] = 0;
	a->w[2] = ferry_htonl(0x0000ffffU);
	a->w[3] = v4;
}

FERRY_INLINE int ferry_addr_is_v4(const struct ferry_addr *a)
{
	return a->w[0] == 0 && a->w[1] == 0 && a->w[2] == ferry_htonl(0x0000ffffU);
}

FERRY_INLINE int ferry_addr_eq(const struct ferry_addr *a, const struct ferry_addr *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] && a->w[3] == b->w[3];
}

FERRY_ABI_END

#endif /* FERRY_ABI_TUPLE_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * THE flow hash. Every fast path (reference model, eBPF, DPDK) and the L7 tier's consistent
 * hashing call this one function, so a flow maps to the same Maglev slot everywhere.
 *
 * Bob Jenkins' lookup3 final mix ("jhash"), the hash the Linux kernel, Katran and Cilium use
 * for the same purpose: a handful of ALU ops, no tables, verifier-friendly.
 */
#ifndef FERRY_ABI_FLOW_HASH_H
#define FERRY_ABI_FLOW_HASH_H

#include "ferry/abi/compiler.h"
#include "ferry/abi/tuple.h"

FERRY_ABI_BEGIN

#define FERRY_JHASH_INITVAL 0xdeadbeefU

FERRY_INLINE __u32 ferry_rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

/* lookup3.c final(a,b,c). */
FERRY_INLINE __u32 ferry_jhash_3words(__u32 a, __u32 b, __u32 c, __u32 seed)
{
	a += FERRY_JHASH_INITVAL + seed;
	b += FERRY_JHASH_INITVAL + seed;
	c += FERRY_JHASH_INITVAL + seed;
	c ^= b; c -= ferry_rol32(b, 14);
	a ^= c; a -= ferry_rol32(c, 11);
	b ^= a; b -= ferry_rol32(a, 25);
	c ^= b; c -= ferry_rol32(b, 16);
	a ^= c; a -= ferry_rol32(c, 4);
	b ^= a; b -= ferry_rol32(a, 14);
	c ^= b; c -= ferry_rol32(b, 24);
	return c;
}

/* Fold a 16-byte address into one word; IPv4-mapped addresses fold to a value depending only
 * on the IPv4 address plus the constant mapping prefix. */
FERRY_INLINE __u32 ferry_addr_fold(const struct ferry_addr *a)
{
	return a->w[0] ^ a->w[1] ^ a->w[2] ^ a->w[3];
}

/* Hash of a connection's forward 5-tuple. Ports and protocol enter in network order exactly
 * as they sit in the tuple, so callers never convert. */
FERRY_INLINE __u32 ferry_flow_hash(const struct ferry_tuple *t, __u32 seed)
{
	__u32 ports = ((__u32)t->sport << 16) | (__u32)t->dport;
	return ferry_jhash_3words(ferry_addr_fold(&t->saddr), ferry_addr_fold(&t->daddr),
				  ports ^ (__u32)t->proto, seed);
}

/* Hash of the client address alone: what sessionAffinity=ClientIP keys on. */
FERRY_INLINE __u32 ferry_client_hash(const struct ferry_addr *client, __u32 seed)
{
	return ferry_jhash_3words(ferry_addr_fold(client), 0, 0, seed);
}

FERRY_ABI_END

#endif /* FERRY_ABI_FLOW_HASH_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Incremental Internet checksum update, RFC 1624 eqn. 3:  HC' = ~(~HC + ~m + m').
 * Used by the NAT rewrite of every fast path; the reference model checks it against a full
 * recomputation (RFC 1071) in tests.
 */
#ifndef FERRY_ABI_CSUM_H
#define FERRY_ABI_CSUM_H

#include "ferry/abi/compiler.h"

FERRY_ABI_BEGIN

FERRY_INLINE __u16 ferry_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Replace one 16-bit word m by m' under checksum `check` (all in network order; the one's
 * complement sum is byte-order independent, RFC 1071 §2(B)). */
FERRY_INLINE __sum16 ferry_csum_replace2(__sum16 check, __be16 from, __be16 to)
{
	__u32 sum = (__u16)~check;
	sum += (__u16)~from;
	sum += to;
	return (__sum16)~ferry_csum_fold(sum);
}

FERRY_INLINE __sum16 ferry_csum_replace4(__sum16 check, __be32 from, __be32 to)
{
	__u32 sum = (__u16)~check;
	sum += (__u16)~(from & 0xffff);
	sum += (__u16)~(from >> 16);
	sum += to & 0xffff;
	sum += to >> 16;
	return (__sum16)~ferry_csum_fold(sum);
}

/* Replace a 16-byte (IPv6) address; `from`/`to` as four network-order words. */
FERRY_INLINE __sum16 ferry_csum_replace16(__sum16 check, const __u32 *from, const __u32 *to)
{
	__u32 sum = (__u16)~check;
#if FERRY_BPF
#pragma unroll
#endif
	for (int i = 0; i < 4; i++) {
		sum += (__u16)~(from[i] & 0xffff);
		sum += (__u16)~(from[i] >> 16);
		sum += to[i] & 0xffff;
		sum += to[i] >> 16;
	}
	return (__sum16)~ferry_csum_fold(sum);
}

FERRY_ABI_END

#endif /* FERRY_ABI_CSUM_H */

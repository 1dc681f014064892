/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one packet parser and NAT rewrite, written once as bounds-checked C over a
 * [data, data_end) window so it runs unchanged in BPF programs (where the verifier demands
 * exactly these checks), in the DPDK engine and in the reference model. GLB director shares
 * its parser between DPDK and XDP the same way.
 *
 * Scope: Ethernet II (no VLAN tag), IPv4 with options, IPv6 with up to FERRY_IPV6_MAX_EXT
 * extension headers, TCP, UDP, ICMP/ICMPv6 (echo id as the port). Anything else is "not
 * ours" and left to the kernel.
 */
#ifndef FERRY_ABI_PACKET_H
#define FERRY_ABI_PACKET_H

#include "ferry/abi/compiler.h"
#include "ferry/abi/csum.h"
#include "ferry/abi/drop_reason.h"
#include "ferry/abi/tuple.h"

FERRY_ABI_BEGIN

#define FERRY_ETH_HLEN 14
#define FERRY_ETH_P_IP 0x0800
#define FERRY_ETH_P_IPV6 0x86DD
#define FERRY_IPPROTO_ICMP 1
#define FERRY_IPPROTO_TCP 6
#define FERRY_IPPROTO_UDP 17
#define FERRY_IPPROTO_ICMPV6 58
#define FERRY_IPV6_MAX_EXT 4

/* ferry_pkt.frag */
#define FERRY_FRAG_NONE 0
#define FERRY_FRAG_FIRST 1 /* carries the L4 header */
#define FERRY_FRAG_LATER 2 /* no L4 header: ports unknown */

/* Result of parsing: offsets into the packet and the flow tuple. */
struct ferry_pkt {
	struct ferry_tuple tuple;
	__u16 l3_off;
	__u16 l4_off;
	__u16 l4_csum_off; /* 0 when the L4 protocol has no checksum we maintain */
	__u8 tcp_flags;
	__u8 frag; /* FERRY_FRAG_* */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 ttl; /* IPv4 TTL or IPv6 hop limit */
	__u8 pad;
};

/* Return value of ferry_parse(): FERRY_PARSE_OK, FERRY_PARSE_NOT_OURS, or a drop reason. */
#define FERRY_PARSE_OK 0
#define FERRY_PARSE_NOT_OURS (-1)

FERRY_INLINE __u16 ferry_load_be16(const __u8 *p)
{
	return (__u16)((__u16)p[0] << 8 | p[1]);
}

FERRY_INLINE int ferry_parse_l4(const __u8 *data, const __u8 *data_end, struct ferry_pkt *p)
{
	const __u8 *l4 = data + p->l4_off;

	p->l4_csum_off = 0;
	if (p->frag == FERRY_FRAG_LATER)
		return FERRY_PARSE_OK;
	switch (p->tuple.proto) {
	case FERRY_IPPROTO_TCP:
		if (l4 + 20 > data_end)
			return FERRY_DROP_TRUNCATED;
		if ((l4[12] >> 4) < 5)
			return FERRY_DROP_BAD_L4;
		__builtin_memcpy(&p->tuple.sport, l4, 2);
		__builtin_memcpy(&p->tuple.dport, l4 + 2, 2);
		p->tcp_flags = l4[13];
		p->l4_csum_off = (__u16)(p->l4_off + 16);
		return FERRY_PARSE_OK;
	case FERRY_IPPROTO_UDP:
		if (l4 + 8 > data_end)
			return FERRY_DROP_TRUNCATED;
		__builtin_memcpy(&p->tuple.sport, l4, 2);
		__builtin_memcpy(&p->tuple.dport, l4 + 2, 2);
		p->l4_csum_off = (__u16)(p->l4_off + 6);
		return FERRY_PARSE_OK;
	case FERRY_IPPROTO_ICMP:
	case FERRY_IPPROTO_ICMPV6:
		if (l4 + 8 > data_end)
			return FERRY_DROP_TRUNCATED;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		/* Echo request/reply: the identifier plays the role of both ports. */
		__builtin_memcpy(&p->tuple.sport, l4 + 4, 2);
		p->tuple.dport = p->tuple.sport;
		p->l4_csum_off = (__u16)(p->l4_off + 2);
		return FERRY_PARSE_OK;
	default:
		return FERRY_PARSE_NOT_OURS;
	}
}

FERRY_INLINE int ferry_parse_ipv4(const __u8 *data, const __u8 *data_end, struct ferry_pkt *p)
{
	const __u8 *ip = data + p->l3_off;
	__u16 total_len, frag;
	__u32 ihl;
	__be32 a;

	if (ip + 20 > data_end)
		return FERRY_DROP_TRUNCATED;
	if ((ip[0] >> 4) != 4)
		return FERRY_DROP_BAD_L3;
	ihl = (__u32)(ip[0] & 0x0f) * 4;
	if (ihl < 20)
		return FERRY_DROP_BAD_L3;
	if (ip + ihl > data_end)
		return FERRY_DROP_TRUNCATED;
	total_len = ferry_load_be16(ip + 2);
	if (total_len < ihl || ip + total_len > data_end)
		return FERRY_DROP_BAD_L3;
	frag = ferry_load_be16(ip + 6);
	if (frag & 0x1fff)
		p->frag = FERRY_FRAG_LATER;
	else if (frag & 0x2000)
		p->frag = FERRY_FRAG_FIRST;
	else
		p->frag = FERRY_FRAG_NONE;
	p->ttl = ip[8];
	p->tuple.proto = ip[9];
	p->tuple.family = FERRY_AF_INET;
	__builtin_memcpy(&a, ip + 12, 4);
	ferry_addr_set_v4(&p->tuple.saddr, a);
	__builtin_memcpy(&a, ip + 16, 4);
	ferry_addr_set_v4(&p->tuple.daddr, a);
	p->l4_off = (__u16)(p->l3_off + ihl);
	return ferry_parse_l4(data, data_end, p);
}

FERRY_INLINE int ferry_parse_ipv6(const __u8 *data, const __u8 *data_end, struct ferry_pkt *p)
{
	const __u8 *ip = data + p->l3_off;
	__u32 off = (__u32)p->l3_off + 40;
	__u8 next;

	if (ip + 40 > data_end)
		return FERRY_DROP_TRUNCATED;
	if ((ip[0] >> 4) != 6)
		return FERRY_DROP_BAD_L3;
	if (ip + 40 + ferry_load_be16(ip + 4) > data_end)
		return FERRY_DROP_BAD_L3;
	next = ip[6];
	p->ttl = ip[7];
	p->tuple.family = FERRY_AF_INET6;
	__builtin_memcpy(p->tuple.saddr.b, ip + 8, 16);
	__builtin_memcpy(p->tuple.daddr.b, ip + 24, 16);
	p->frag = FERRY_FRAG_NONE;

	/* Walk a bounded number of extension headers (RFC 8200 §4). */
#if FERRY_BPF
#pragma unroll
#endif
	for (int i = 0; i < FERRY_IPV6_MAX_EXT; i++) {
		const __u8 *ext = data + off;
		if (next != 0 /* hop-by-hop */ && next != 43 /* routing */ && next != 44 /* fragment */ &&
		    next != 60 /* destination options */)
			break;
		if (ext + 8 > data_end)
			return FERRY_DROP_TRUNCATED;
		if (next == 44) {
			__u16 fo = ferry_load_be16(ext + 2);
			if (fo & 0xfff8)
				p->frag = FERRY_FRAG_LATER;
			else if (fo & 1)
				p->frag = FERRY_FRAG_FIRST;
			next = ext[0];
			off += 8;
		} else {
			next = ext[0];
			off += ((__u32)ext[1] + 1) * 8;
		}
	}
	if (next == 0 || next == 43 || next == 44 || next == 60)
		return FERRY_PARSE_NOT_OURS; /* more extension headers than we walk */
	if (off > 0xffff)
		return FERRY_DROP_BAD_L3;
	p->tuple.proto = next;
	p->l4_off = (__u16)off;
	return ferry_parse_l4(data, data_end, p);
}

/* Parse an Ethernet frame. Returns FERRY_PARSE_OK, FERRY_PARSE_NOT_OURS (not IP, or an L4
 * protocol we do not balance), or a drop reason (enum ferry_drop_reason, > 0). */
FERRY_INLINE int ferry_parse(const __u8 *data, const __u8 *data_end, struct ferry_pkt *p)
{
	__u16 proto;

	__builtin_memset(p, 0, sizeof(*p));
	if (data + FERRY_ETH_HLEN > data_end)
		return FERRY_DROP_TRUNCATED;
	proto = ferry_load_be16(data + 12);
	p->l3_off = FERRY_ETH_HLEN;
	if (proto == FERRY_ETH_P_IP)
		return ferry_parse_ipv4(data, data_end, p);
	if (proto == FERRY_ETH_P_IPV6)
		return ferry_parse_ipv6(data, data_end, p);
	return FERRY_PARSE_NOT_OURS;
}

/* Which side of the tuple a NAT rewrite changes. */
#define FERRY_NAT_SRC 0
#define FERRY_NAT_DST 1

/* Rewrite the source or destination address and port of a parsed packet in place, updating
 * the IPv4 header checksum and the L4 checksum incrementally (RFC 1624). The new address
 * must be of the packet's family. ICMP echo: the port is the identifier, and only ICMPv6
 * covers addresses in its checksum (pseudo-header, RFC 4443 §2.3).
 * Returns 0 or FERRY_DROP_NAT_FAILED; *p's tuple is updated to match. */
FERRY_INLINE int ferry_nat_rewrite(__u8 *data, const __u8 *data_end, struct ferry_pkt *p, int side,
				   const struct ferry_addr *addr, __be16 port)
{
	struct ferry_addr *old_addr = side == FERRY_NAT_DST ? &p->tuple.daddr : &p->tuple.saddr;
	__be16 *old_port = side == FERRY_NAT_DST ? &p->tuple.dport : &p->tuple.sport;
	__u8 proto = p->tuple.proto;
	int is_icmp = proto == FERRY_IPPROTO_ICMP || proto == FERRY_IPPROTO_ICMPV6;
	int l4_has_pseudo = proto == FERRY_IPPROTO_TCP || proto == FERRY_IPPROTO_UDP ||
			    proto == FERRY_IPPROTO_ICMPV6;
	__u8 *ip = data + p->l3_off;
	__sum16 l4sum = 0;
	__u8 *csum_ptr = 0;

	if ((p->tuple.family == FERRY_AF_INET) != ferry_addr_is_v4(addr))
		return FERRY_DROP_NAT_FAILED;
	if (p->l4_csum_off) {
		csum_ptr = data + p->l4_csum_off;
		if (csum_ptr + 2 > data_end)
			return FERRY_DROP_NAT_FAILED;
		__builtin_memcpy(&l4sum, csum_ptr, 2);
	}
	/* UDP over IPv4 may carry no checksum (0): leave it so (RFC 768). */
	if (proto == FERRY_IPPROTO_UDP && p->tuple.family == FERRY_AF_INET && l4sum == 0)
		csum_ptr = 0;

	if (p->tuple.family == FERRY_AF_INET) {
		__u8 *field = ip + (side == FERRY_NAT_DST ? 16 : 12);
		__sum16 ipsum;
		if (ip + 20 > data_end)
			return FERRY_DROP_NAT_FAILED;
		__builtin_memcpy(&ipsum, ip + 10, 2);
		ipsum = ferry_csum_replace4(ipsum, old_addr->w[3], addr->w[3]);
		__builtin_memcpy(ip + 10, &ipsum, 2);
		__builtin_memcpy(field, &addr->w[3], 4);
		if (csum_ptr && l4_has_pseudo)
			l4sum = ferry_csum_replace4(l4sum, old_addr->w[3], addr->w[3]);
	} else {
		__u8 *field = ip + (side == FERRY_NAT_DST ? 24 : 8);
		if (ip + 40 > data_end)
			return FERRY_DROP_NAT_FAILED;
		__builtin_memcpy(field, addr->b, 16);
		if (csum_ptr && l4_has_pseudo)
			l4sum = ferry_csum_replace16(l4sum, old_addr->w, addr->w);
	}
	*old_addr = *addr;

	if (p->frag != FERRY_FRAG_LATER && port != *old_port) {
		/* ICMP echo carries one identifier at offset 4; TCP/UDP ports at 0 (src) / 2 (dst). */
		__u8 *port_ptr = data + p->l4_off + (is_icmp ? 4 : (side == FERRY_NAT_DST ? 2 : 0));
		if (port_ptr + 2 > data_end)
			return FERRY_DROP_NAT_FAILED;
		if (csum_ptr)
			l4sum = ferry_csum_replace2(l4sum, *old_port, port);
		__builtin_memcpy(port_ptr, &port, 2);
		if (is_icmp) {
			p->tuple.sport = port;
			p->tuple.dport = port;
		} else {
			*old_port = port;
		}
	}
	if (csum_ptr) {
		/* A computed UDP checksum of 0 is sent as all ones (RFC 768). */
		if (proto == FERRY_IPPROTO_UDP && l4sum == 0)
			l4sum = (__sum16)0xffff;
		__builtin_memcpy(csum_ptr, &l4sum, 2);
	}
	return 0;
}

FERRY_ABI_END

#endif /* FERRY_ABI_PACKET_H */

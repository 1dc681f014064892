/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cgroup sock_addr entries of the socket-level load balancer (lib/sock_lb.h): connect and
 * sendmsg rewrite a frontend to a backend; recvmsg and getpeername rewrite it back. Attached
 * to the cgroup that holds the node's workloads (and the node's own processes).
 *
 * Returning 0 from connect/sendmsg fails the call with EPERM: a frontend with no usable
 * backend is refused at once instead of timing out (kube-proxy answers ICMP/RST for the same).
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/sock_lb.h"

#define AF_INET_ 2
#define AF_INET6_ 10
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

static __always_inline __u8 sock_proto(const struct bpf_sock_addr *ctx)
{
	/* ctx->protocol is 0 for sockets created with protocol 0: infer from the type. */
	if (ctx->protocol)
		return (__u8)ctx->protocol;
	return ctx->type == 2 /* SOCK_DGRAM */ ? IPPROTO_UDP_ : IPPROTO_TCP_;
}

static __always_inline int translate4(struct bpf_sock_addr *ctx)
{
	struct ferry_addr a;
	__be16 port = (__be16)ctx->user_port;
	__u8 proto = sock_proto(ctx);

	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return 1;
	ferry_addr_set_v4(&a, ctx->user_ip4);
	switch (sock_lb_translate(&a, &port, proto, bpf_get_socket_cookie(ctx))) {
	case SOCK_LB_REWRITTEN:
		/* Backends of an IPv4 frontend are IPv4 (the projector never mixes families). */
		ctx->user_ip4 = a.w[3];
		ctx->user_port = (__u32)port;
		return 1;
	case SOCK_LB_REJECT:
		return 0;
	default:
		return 1;
	}
}

static __always_inline int translate6(struct bpf_sock_addr *ctx)
{
	struct ferry_addr a;
	__be16 port = (__be16)ctx->user_port;
	__u8 proto = sock_proto(ctx);

	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return 1;
	a.w[0] = ctx->user_ip6[0];
	a.w[1] = ctx->user_ip6[1];
	a.w[2] = ctx->user_ip6[2];
	a.w[3] = ctx->user_ip6[3];
	switch (sock_lb_translate(&a, &port, proto, bpf_get_socket_cookie(ctx))) {
	case SOCK_LB_REWRITTEN:
		ctx->user_ip6[0] = a.w[0];
		ctx->user_ip6[1] = a.w[1];
		ctx->user_ip6[2] = a.w[2];
		ctx->user_ip6[3] = a.w[3];
		ctx->user_port = (__u32)port;
		return 1;
	case SOCK_LB_REJECT:
		return 0;
	default:
		return 1;
	}
}

static __always_inline void reverse4(struct bpf_sock_addr *ctx)
{
	struct ferry_addr a;
	__be16 port = (__be16)ctx->user_port;

	ferry_addr_set_v4(&a, ctx->user_ip4);
	if (sock_lb_reverse(&a, &port, bpf_get_socket_cookie(ctx))) {
		ctx->user_ip4 = a.w[3];
		ctx->user_port = (__u32)port;
	}
}

static __always_inline void reverse6(struct bpf_sock_addr *ctx)
{
	struct ferry_addr a;
	__be16 port = (__be16)ctx->user_port;

	a.w[0] = ctx->user_ip6[0];
	a.w[1] = ctx->user_ip6[1];
	a.w[2] = ctx->user_ip6[2];
	a.w[3] = ctx->user_ip6[3];
	if (sock_lb_reverse(&a, &port, bpf_get_socket_cookie(ctx))) {
		ctx->user_ip6[0] = a.w[0];
		ctx->user_ip6[1] = a.w[1];
		ctx->user_ip6[2] = a.w[2];
		ctx->user_ip6[3] = a.w[3];
		ctx->user_port = (__u32)port;
	}
}

SEC("cgroup/connect4")
int ferry_sock_connect4(struct bpf_sock_addr *ctx) { return translate4(ctx); }

SEC("cgroup/sendmsg4")
int ferry_sock_sendmsg4(struct bpf_sock_addr *ctx) { return translate4(ctx); }

SEC("cgroup/recvmsg4")
int ferry_sock_recvmsg4(struct bpf_sock_addr *ctx)
{
	reverse4(ctx);
	return 1;
}

SEC("cgroup/getpeername4")
int ferry_sock_getpeername4(struct bpf_sock_addr *ctx)
{
	reverse4(ctx);
	return 1;
}

SEC("cgroup/connect6")
int ferry_sock_connect6(struct bpf_sock_addr *ctx) { return translate6(ctx); }

SEC("cgroup/sendmsg6")
int ferry_sock_sendmsg6(struct bpf_sock_addr *ctx) { return translate6(ctx); }

SEC("cgroup/recvmsg6")
int ferry_sock_recvmsg6(struct bpf_sock_addr *ctx)
{
	reverse6(ctx);
	return 1;
}

SEC("cgroup/getpeername6")
int ferry_sock_getpeername6(struct bpf_sock_addr *ctx)
{
	reverse6(ctx);
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";

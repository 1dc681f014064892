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

/* The socket address of `ctx` as a ferry_addr (IPv4 v4-mapped, as the maps key it). */
static __always_inline void ctx_addr(const struct bpf_sock_addr *ctx, int v6, struct ferry_addr *a)
{
	if (!v6) {
		ferry_addr_set_v4(a, ctx->user_ip4);
		return;
	}
	a->w[0] = ctx->user_ip6[0];
	a->w[1] = ctx->user_ip6[1];
	a->w[2] = ctx->user_ip6[2];
	a->w[3] = ctx->user_ip6[3];
}

/* Backends of an IPv4 frontend are IPv4 (the projector never mixes families), so an IPv4
 * context takes the v4 word of the v4-mapped address. */
static __always_inline void set_ctx_addr(struct bpf_sock_addr *ctx, int v6, const struct ferry_addr *a,
					 __be16 port)
{
	if (!v6) {
		ctx->user_ip4 = a->w[3];
	} else {
		ctx->user_ip6[0] = a->w[0];
		ctx->user_ip6[1] = a->w[1];
		ctx->user_ip6[2] = a->w[2];
		ctx->user_ip6[3] = a->w[3];
	}
	ctx->user_port = (__u32)port;
}

static __always_inline int translate(struct bpf_sock_addr *ctx, int v6)
{
	struct ferry_addr a;
	__be16 port = (__be16)ctx->user_port;
	__u8 proto = sock_proto(ctx);

	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return 1;
	ctx_addr(ctx, v6, &a);
	switch (sock_lb_translate(&a, &port, proto, bpf_get_socket_cookie(ctx))) {
	case SOCK_LB_REWRITTEN:
		set_ctx_addr(ctx, v6, &a, port);
		return 1;
	case SOCK_LB_REJECT:
		return 0;
	default:
		return 1;
	}
}

static __always_inline void reverse(struct bpf_sock_addr *ctx, int v6)
{
	struct ferry_addr a;
	__be16 port = (__be16)ctx->user_port;

	ctx_addr(ctx, v6, &a);
	if (sock_lb_reverse(&a, &port, bpf_get_socket_cookie(ctx)))
		set_ctx_addr(ctx, v6, &a, port);
}

SEC("cgroup/connect4")
int ferry_sock_connect4(struct bpf_sock_addr *ctx) { return translate(ctx, 0); }

SEC("cgroup/sendmsg4")
int ferry_sock_sendmsg4(struct bpf_sock_addr *ctx) { return translate(ctx, 0); }

SEC("cgroup/recvmsg4")
int ferry_sock_recvmsg4(struct bpf_sock_addr *ctx)
{
	reverse(ctx, 0);
	return 1;
}

SEC("cgroup/getpeername4")
int ferry_sock_getpeername4(struct bpf_sock_addr *ctx)
{
	reverse(ctx, 0);
	return 1;
}

SEC("cgroup/connect6")
int ferry_sock_connect6(struct bpf_sock_addr *ctx) { return translate(ctx, 1); }

SEC("cgroup/sendmsg6")
int ferry_sock_sendmsg6(struct bpf_sock_addr *ctx) { return translate(ctx, 1); }

SEC("cgroup/recvmsg6")
int ferry_sock_recvmsg6(struct bpf_sock_addr *ctx)
{
	reverse(ctx, 1);
	return 1;
}

SEC("cgroup/getpeername6")
int ferry_sock_getpeername6(struct bpf_sock_addr *ctx)
{
	reverse(ctx, 1);
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The no-proxy limit for the l4 benchmark suite: an XDP program that passes every packet
 * untouched. Measured the same way as ferry's lb_xdp (BPF_PROG_TEST_RUN, one packet per call),
 * it is the floor every XDP program pays here: the test-run harness, the timer, the call.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";

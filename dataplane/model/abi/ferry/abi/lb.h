/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Load-balancer map layouts shared by the agent's projectors and the fast paths.
 *
 *   services:  ferry_lb_svc_key  -> ferry_lb_svc_value   (what a destination is)
 *   slots:     ferry_lb_slot_key -> __u32 backend id      (slot 1..n = usable backends)
 *   backends:  __u32 backend id  -> ferry_lb_backend      (where traffic goes)
 *   rev_nat:   __u32 rev_nat id  -> ferry_lb_rev_nat      (what replies are rewritten back to)
 *   affinity:  ferry_lb_affinity_key -> ferry_lb_affinity_value (sessionAffinity=ClientIP)
 *   maglev:    __u32 svc_id -> array[FERRY_MAGLEV_SIZE] of __u32 backend id (Maglev services)
 *
 * Ids are stable and never 0 (0 marks an empty slot, as in Katran); the model's IdAllocator
 * hands them out and delays reuse until conntrack entries pointing at a freed id have expired.
 */
#ifndef FERRY_ABI_LB_H
#define FERRY_ABI_LB_H

#include "ferry/abi/compiler.h"
#include "ferry/abi/tuple.h"

FERRY_ABI_BEGIN

/* Which traffic a frontend entry answers: traffic from inside the cluster (pods, the node
 * itself) uses internalTrafficPolicy, traffic from outside externalTrafficPolicy. */
enum ferry_lb_scope {
	FERRY_SCOPE_EXTERNAL = 0,
	FERRY_SCOPE_INTERNAL = 1,
};

enum ferry_lb_algorithm {
	FERRY_LB_ROUND_ROBIN = 0, /* the default, as IPVS */
	FERRY_LB_RANDOM = 1,      /* as kube-proxy iptables/nftables */
	FERRY_LB_MAGLEV = 2,      /* consistent hashing, NSDI'16 */
};

/* Slots of every Maglev table in the fast paths: the model's kMaglevDefaultSize (a prime;
 * under 1 % imbalance up to ~160 backends). One size for all services keeps the BPF lookup a
 * constant modulo; test/ebpf checks it equals the model's default. */
#define FERRY_MAGLEV_SIZE 16381

/* ferry_lb_svc_value.flags */
#define FERRY_SVC_F_AFFINITY (1U << 0)      /* sessionAffinity: ClientIP */
#define FERRY_SVC_F_LOCAL_ONLY (1U << 1)    /* traffic policy Local for this scope */
#define FERRY_SVC_F_SOURCE_RANGES (1U << 2) /* loadBalancerSourceRanges apply */
#define FERRY_SVC_F_NODEPORT (1U << 3)      /* frontend is a node address (NodePort) */
#define FERRY_SVC_F_EXTERNAL_IP (1U << 4)   /* externalIPs or LoadBalancer ingress IP */
#define FERRY_SVC_F_TWO_SCOPES (1U << 5)    /* an internal-scope twin exists: look it up */

struct ferry_lb_svc_key {
	struct ferry_addr addr; /* VIP or node address */
	__be16 port;
	__u8 proto;
	__u8 scope; /* enum ferry_lb_scope */
};

struct ferry_lb_svc_value {
	__u32 svc_id;
	__u16 backend_count; /* usable slots 1..backend_count */
	__u16 rev_nat_id;
	__u8 algorithm; /* enum ferry_lb_algorithm */
	__u8 flags;     /* FERRY_SVC_F_* */
	__u16 maglev_id; /* index of the Maglev table, when algorithm is MAGLEV */
	__u32 affinity_timeout_s;
};

struct ferry_lb_slot_key {
	__u32 svc_id;
	__u32 slot;
};

/* ferry_lb_backend.flags */
#define FERRY_BE_F_LOCAL (1U << 0)       /* endpoint lives on this node */
#define FERRY_BE_F_TERMINATING (1U << 1) /* serving but terminating (KEP-1669 fallback) */

struct ferry_lb_backend {
	struct ferry_addr addr;
	__be16 port;
	__u8 proto;
	__u8 flags; /* FERRY_BE_F_* */
};

struct ferry_lb_rev_nat {
	struct ferry_addr addr; /* the frontend address replies must appear to come from */
	__be16 port;
	__u16 pad;
};

struct ferry_lb_affinity_key {
	struct ferry_addr client;
	__u32 svc_id;
	__u32 pad;
};

struct ferry_lb_affinity_value {
	__u64 last_used_ns;
	__u32 backend_id;
	__u32 pad;
};

FERRY_STATIC_ASSERT(sizeof(struct ferry_lb_svc_key) == 20, "svc key layout");
FERRY_STATIC_ASSERT(sizeof(struct ferry_lb_svc_value) == 16, "svc value layout");
FERRY_STATIC_ASSERT(sizeof(struct ferry_lb_slot_key) == 8, "slot key layout");
FERRY_STATIC_ASSERT(sizeof(struct ferry_lb_backend) == 20, "backend layout");
FERRY_STATIC_ASSERT(sizeof(struct ferry_lb_rev_nat) == 20, "rev nat layout");
FERRY_STATIC_ASSERT(sizeof(struct ferry_lb_affinity_key) == 24, "affinity key layout");
FERRY_STATIC_ASSERT(sizeof(struct ferry_lb_affinity_value) == 16, "affinity value layout");

FERRY_ABI_END

#endif /* FERRY_ABI_LB_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The load balancer's maps, BTF-style. Layouts come from ferry/abi/{lb,ct}.h, the one
 * definition shared with the C++ projector and the DPDK engine; test/ebpf/abi_btf_test.cc
 * checks this object's BTF against the C++ compiler's view of them.
 *
 * Writers: "agent" means the agent's eBPF projector (ferry::ebpf and its users) through
 * bpf_map_update_elem() from user space; "datapath" means the BPF programs themselves.
 * max_entries below are defaults: the loader sets every capacity except ferry_drops with
 * bpf_map__set_max_entries() before load.
 */
#ifndef FERRY_BPF_LIB_MAPS_H
#define FERRY_BPF_LIB_MAPS_H

#include "lib/common.h"

/* Frontends (VIP/node address, port, proto, scope) -> service; written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct ferry_lb_svc_key);
	__type(value, struct ferry_lb_svc_value);
	__uint(max_entries, FERRY_LB_SERVICES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} ferry_services SEC(".maps");

/* (svc_id, slot 1..backend_count) -> backend id; written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct ferry_lb_slot_key);
	__type(value, __u32);
	__uint(max_entries, FERRY_LB_SLOTS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} ferry_slots SEC(".maps");

/* Backend id -> backend address, port and flags; written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct ferry_lb_backend);
	__uint(max_entries, FERRY_LB_BACKENDS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} ferry_backends SEC(".maps");

/* rev_nat id -> frontend that replies are rewritten back to; written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct ferry_lb_rev_nat);
	__uint(max_entries, FERRY_LB_REV_NAT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} ferry_rev_nat SEC(".maps");

/* (client address, svc_id) -> backend last chosen for sessionAffinity=ClientIP; will be
 * written by the datapath (not consulted by lb_xdp yet). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ferry_lb_affinity_key);
	__type(value, struct ferry_lb_affinity_value);
	__uint(max_entries, FERRY_LB_AFFINITY_MAX);
} ferry_affinity SEC(".maps");

/* Flow (tuple, direction) -> conntrack entry; written by the datapath, garbage-collected and
 * flushed of removed backends by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ferry_ct_key);
	__type(value, struct ferry_ct_entry);
	__uint(max_entries, FERRY_CT_MAX);
} ferry_ct SEC(".maps");

/* svc_id -> round-robin counter; created and advanced by the datapath, deleted by the agent
 * when the service goes away. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, FERRY_LB_SERVICES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} ferry_rr SEC(".maps");

/* svc_id -> that service's Maglev table (NSDI'16): FERRY_MAGLEV_SIZE backend ids, 0 = empty
 * slot. Written by the agent for services whose algorithm is FERRY_LB_MAGLEV, from
 * model::buildMaglev over the backends' identities, so every node holds the same table and a
 * flow hashes to the same backend whichever node it enters. One inner array per service. */
struct ferry_maglev_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, FERRY_MAGLEV_SIZE);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, FERRY_LB_SERVICES_MAX);
	__array(values, struct ferry_maglev_table);
} ferry_maglev SEC(".maps");

/* enum ferry_drop_reason -> packets dropped for it, per CPU; written by the datapath, summed
 * by the agent when read. Fixed size: the reasons are part of the ABI. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, FERRY_DROP_REASON_MAX);
} ferry_drops SEC(".maps");

#endif /* FERRY_BPF_LIB_MAPS_H */

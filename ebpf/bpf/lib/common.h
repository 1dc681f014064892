/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What every ferry BPF program includes first: the uapi and libbpf helper headers, then the
 * shared model ABI (ferry/abi/), which compiles here unchanged as BPF C.
 */
#ifndef FERRY_BPF_LIB_COMMON_H
#define FERRY_BPF_LIB_COMMON_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ferry/abi/compiler.h"
#include "ferry/abi/drop_reason.h"
#include "ferry/abi/tuple.h"
#include "ferry/abi/lb.h"
#include "ferry/abi/ct.h"
#include "ferry/abi/packet.h"

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* Default capacities; the loader (ferry::ebpf::LbXdp) overrides them with
 * bpf_map__set_max_entries() before load, so these only matter for tools that load the object
 * as is (bpftool prog load, tests). */
#define FERRY_LB_SERVICES_MAX 65536
#define FERRY_LB_SLOTS_MAX 262144
#define FERRY_LB_BACKENDS_MAX 65536
#define FERRY_LB_REV_NAT_MAX 65536
#define FERRY_LB_AFFINITY_MAX 65536
#define FERRY_CT_MAX 262144

#endif /* FERRY_BPF_LIB_COMMON_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Drop accounting: one per-CPU counter per enum ferry_drop_reason (ferry/abi/drop_reason.h),
 * the same table the model turns into metric labels.
 */
#ifndef FERRY_BPF_LIB_DROP_H
#define FERRY_BPF_LIB_DROP_H

#include "lib/common.h"
#include "lib/maps.h"

static __always_inline void drop_count(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&ferry_drops, &reason);

	/* Per-CPU slot: no other CPU writes it, so no atomic is needed. */
	if (n)
		*n += 1;
}

#endif /* FERRY_BPF_LIB_DROP_H */

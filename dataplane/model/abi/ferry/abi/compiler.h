/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Portability shims so the headers in ferry/abi/ compile unchanged as BPF C (clang -target bpf),
 * as C11 and as C++20. These headers are the single definition of every layout and pure
 * function the fast paths share; see dataplane/model/README.md.
 */
#ifndef FERRY_ABI_COMPILER_H
#define FERRY_ABI_COMPILER_H

#include <linux/types.h>

#if defined(__bpf__) || defined(__BPF__)
#define FERRY_BPF 1
#define FERRY_INLINE static __attribute__((always_inline)) inline
#else
#define FERRY_BPF 0
#define FERRY_INLINE static inline
#endif

#ifdef __cplusplus
#define FERRY_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#define FERRY_ABI_BEGIN extern "C" {
#define FERRY_ABI_END }
#else
#define FERRY_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define FERRY_ABI_BEGIN
#define FERRY_ABI_END
#endif

/* Byte order helpers usable in constant expressions on both sides (x86-64 and BPF are LE). */
#define FERRY_BSWAP16(x) ((__u16)((((__u16)(x)&0x00ffU) << 8) | (((__u16)(x)&0xff00U) >> 8)))
#define FERRY_BSWAP32(x) ((__u32)__builtin_bswap32((__u32)(x)))
#define ferry_htons(x) FERRY_BSWAP16(x)
#define ferry_ntohs(x) FERRY_BSWAP16(x)
#define ferry_htonl(x) FERRY_BSWAP32(x)
#define ferry_ntohl(x) FERRY_BSWAP32(x)

#endif /* FERRY_ABI_COMPILER_H */

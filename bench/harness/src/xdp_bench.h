// Per-packet cost of an XDP program measured with BPF_PROG_TEST_RUN: ferry's load balancer
// (ebpf/bpf/lb_xdp.bpf.c) with N services populated, or a trivial pass-through program (the
// no-proxy limit), over the same packets.
//
// Why one packet per syscall (repeat=1) and not repeat=N: the kernel runs repeats on the same
// buffer without restoring it, and lb_xdp rewrites the destination on the first run, so runs
// 2..N would see a packet addressed to the backend and take the "not a service" exit. Each
// call here hands the kernel a fresh packet and the kernel reports the program's run time
// for that call (ktime around the run); the mean over many calls is the per-packet cost,
// with the same timer overhead in both systems' numbers.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace ferry::bench {

enum class XdpSystem { kFerry, kDirect };
enum class FlowCase {
  kNewFlow,      // every packet is the SYN of a new flow: service lookup, backend pick, CT create
  kEstablished,  // packets of flows already in conntrack: service lookup, CT hit, DNAT
};

struct XdpOptions {
  XdpSystem system = XdpSystem::kFerry;
  FlowCase flow_case = FlowCase::kNewFlow;
  uint32_t services = 10;
  uint32_t backends_per_service = 2;
  uint64_t packets = 100000;  // measured calls
  // Services the packets go to, spaced evenly over the population (0: all of them). A fixed
  // small number isolates the cost of the population; all of them adds the cache and TLB
  // misses of touching a table that large.
  uint32_t active_services = 0;
  uint32_t flows = 4096;    // distinct flows cycled through in kEstablished
  double max_seconds = 60;  // bound on the measured loop
  // Kernel-side repetitions per call. Only for kDirect (which leaves the packet unchanged): it
  // calibrates what the per-call timer adds against a repeat=N run; lb_xdp rewrites the packet
  // on the first run, so runXdp refuses repeat > 1 for kFerry.
  uint32_t repeat = 1;
};

// Throws std::runtime_error when the program cannot be loaded or the maps populated.
nlohmann::json runXdp(const XdpOptions& options);

}  // namespace ferry::bench

// The XDP load balancer program (ebpf/bpf/lb_xdp.bpf.c) as one owned object: opened from the
// object embedded in the libbpf skeleton, its maps sized and its load-time configuration
// written, then loaded into the kernel. Destroying it closes every fd; the kernel frees the
// program and maps once nothing else holds them (attachments and pins are the caller's).
//
// Map layouts are the shared ones in ferry/abi/{lb,ct}.h; ebpf/bpf/lib/maps.h says what each
// map holds and who writes it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ferry/abi/ct.h"
#include "ferry/abi/drop_reason.h"

struct lb_xdp;  // the bpftool-generated skeleton (ferry/bpf/lb_xdp.skel.h), private to the .cc

namespace ferry::ebpf {

// Capacities of the maps the agent sizes. The drop counters are fixed (one per drop reason);
// the round-robin counters get one entry per possible service.
struct LbMapSizes {
  uint32_t services = 65536;
  uint32_t slots = 262144;
  uint32_t backends = 65536;
  uint32_t rev_nat = 65536;
  uint32_t affinity = 65536;
  uint32_t conntrack = 262144;
};

struct LbXdpOptions {
  LbMapSizes sizes;
  // Conntrack lifetimes, written into the program's read-only data before load.
  ferry_ct_timeouts ct_timeouts = FERRY_CT_TIMEOUTS_DEFAULT;
};

// File descriptors of the program's maps, valid while the LbXdp lives.
struct LbMapFds {
  int services = -1;     // ferry_lb_svc_key -> ferry_lb_svc_value
  int slots = -1;        // ferry_lb_slot_key -> __u32 backend id
  int backends = -1;     // __u32 -> ferry_lb_backend
  int rev_nat = -1;      // __u32 -> ferry_lb_rev_nat
  int affinity = -1;     // ferry_lb_affinity_key -> ferry_lb_affinity_value (LRU)
  int conntrack = -1;    // ferry_ct_key -> ferry_ct_entry (LRU)
  int round_robin = -1;  // __u32 svc_id -> __u64 counter
  int drops = -1;        // __u32 drop reason -> __u64, per CPU
  int maglev = -1;       // __u32 svc_id -> inner array of FERRY_MAGLEV_SIZE backend ids
};

using DropCounters = std::array<uint64_t, FERRY_DROP_REASON_MAX>;

// The shared drop counters (ferry_drops, per CPU) summed, indexed by enum ferry_drop_reason.
std::optional<DropCounters> readDropCounters(int drops_fd, std::string& error);

class LbXdp {
 public:
  // Loads the program (needs root or CAP_BPF + CAP_NET_ADMIN). On failure returns nullptr and
  // sets `error` to what failed, with the tail of the verifier log when the verifier refused.
  static std::unique_ptr<LbXdp> load(const LbXdpOptions& options, std::string& error);

  ~LbXdp();
  LbXdp(const LbXdp&) = delete;
  LbXdp& operator=(const LbXdp&) = delete;

  int programFd() const { return program_fd_; }
  const LbMapFds& maps() const { return maps_; }

  // Drop counters summed over CPUs, indexed by enum ferry_drop_reason; nullopt (and `error`)
  // if the map cannot be read.
  std::optional<DropCounters> dropCounters(std::string& error) const;

 private:
  explicit LbXdp(::lb_xdp* skeleton);

  ::lb_xdp* skeleton_;
  int program_fd_ = -1;
  LbMapFds maps_;
};

}  // namespace ferry::ebpf

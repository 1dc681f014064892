// The socket-level load balancer (ebpf/bpf/sock_lb.bpf.c): cgroup connect/sendmsg/recvmsg/
// getpeername hooks for IPv4 and IPv6 that translate service frontends to backends at the
// socket, before any packet exists. It reads the same frontend, slot and backend maps as the
// packet programs; given another program's map fds it shares them instead of creating its own,
// so one projector programs both.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/ebpf/lb_xdp.h"

struct sock_lb;  // the bpftool-generated skeleton, private to the .cc
struct bpf_link;

namespace ferry::ebpf {

struct SockLbOptions {
  LbMapSizes sizes;                   // used when not sharing
  uint32_t reverse_entries = 262144;  // socket -> dialled frontend (LRU)
  const LbMapFds* share = nullptr;    // reuse these maps (another loaded program's)
  // A bpffs directory to pin maps and cgroup links in. A restarted agent finds them there:
  // it reuses the maps (entries intact) and swaps its programs into the attached links, so
  // balancing never stops while the agent is away. Empty: nothing pinned, detached on exit.
  std::string pin_dir;
};

class SockLb {
 public:
  static std::unique_ptr<SockLb> load(const SockLbOptions& options, std::string& error);
  ~SockLb();  // detaches and closes
  SockLb(const SockLb&) = delete;
  SockLb& operator=(const SockLb&) = delete;

  // Attaches every hook to the cgroup v2 directory `cgroup_path`; the processes in it and in
  // its descendants (whatever their network namespace) are balanced. Detached on destruction.
  bool attach(const std::string& cgroup_path, std::string& error);

  const LbMapFds& maps() const { return maps_; }
  // Connections (and datagram destinations) balanced for `svc_id` since the maps were made.
  std::optional<uint64_t> serviceConnections(uint32_t svc_id, std::string& error) const;
  // Whether load() found pinned maps from an earlier run (their entries are still there).
  bool reusedPinnedMaps() const { return reused_; }
  // Removes the pins (maps and links): the hooks detach once this object is gone.
  void unpin();

 private:
  explicit SockLb(::sock_lb* skeleton);

  ::sock_lb* skeleton_;
  LbMapFds maps_;
  std::string pin_dir_;
  bool reused_ = false;
  std::vector<bpf_link*> links_;
};

}  // namespace ferry::ebpf

#include "ferry/ebpf/lb_xdp.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

// The skeleton declares its rodata with the shared struct types: include them first.
#include "ferry/abi/ct.h"
#include "ferry/bpf/lb_xdp.skel.h"

namespace ferry::ebpf {
namespace {

std::string errnoText(int err) {
  if (err < 0) err = -err;
  return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")";
}

// The last `max_chars` of a verifier log: the rejected instruction and its reason are at the
// end, and a full log can run to megabytes.
std::string logTail(const std::vector<char>& log, std::size_t max_chars) {
  std::string text(log.data(), strnlen(log.data(), log.size()));
  if (text.size() > max_chars) text = "..." + text.substr(text.size() - max_chars);
  return text;
}

struct SkeletonDeleter {
  void operator()(::lb_xdp* s) const { lb_xdp__destroy(s); }
};

}  // namespace

std::unique_ptr<LbXdp> LbXdp::load(const LbXdpOptions& options, std::string& error) {
  std::unique_ptr<::lb_xdp, SkeletonDeleter> skel(lb_xdp__open());
  if (!skel) {
    error = "opening the embedded lb_xdp object: " + errnoText(errno);
    return nullptr;
  }

  const LbMapSizes& s = options.sizes;
  const std::pair<bpf_map*, uint32_t> sizes[] = {
      {skel->maps.ferry_services, s.services}, {skel->maps.ferry_slots, s.slots},
      {skel->maps.ferry_backends, s.backends}, {skel->maps.ferry_rev_nat, s.rev_nat},
      {skel->maps.ferry_affinity, s.affinity}, {skel->maps.ferry_ct, s.conntrack},
      {skel->maps.ferry_rr, s.services},
  };
  for (const auto& [map, entries] : sizes) {
    if (entries == 0) {
      error = std::string("map ") + bpf_map__name(map) + ": max_entries must be positive";
      return nullptr;
    }
    if (int err = bpf_map__set_max_entries(map, entries); err != 0) {
      error = std::string("sizing map ") + bpf_map__name(map) + ": " + errnoText(err);
      return nullptr;
    }
  }
  skel->rodata->ferry_ct_timeouts_cfg = options.ct_timeouts;

  // libbpf fills this only when the load fails (it then retries with log level 1).
  std::vector<char> log(256 * 1024, '\0');
  bpf_program__set_log_buf(skel->progs.ferry_lb_xdp, log.data(), log.size());
  if (int err = lb_xdp__load(skel.get()); err != 0) {
    error = "loading lb_xdp: " + errnoText(err);
    if (log[0] != '\0') error += "\nverifier log (tail):\n" + logTail(log, 4096);
    return nullptr;
  }
  bpf_program__set_log_buf(skel->progs.ferry_lb_xdp, nullptr, 0);
  return std::unique_ptr<LbXdp>(new LbXdp(skel.release()));
}

LbXdp::LbXdp(::lb_xdp* skeleton) : skeleton_(skeleton) {
  program_fd_ = bpf_program__fd(skeleton_->progs.ferry_lb_xdp);
  maps_.services = bpf_map__fd(skeleton_->maps.ferry_services);
  maps_.slots = bpf_map__fd(skeleton_->maps.ferry_slots);
  maps_.backends = bpf_map__fd(skeleton_->maps.ferry_backends);
  maps_.rev_nat = bpf_map__fd(skeleton_->maps.ferry_rev_nat);
  maps_.affinity = bpf_map__fd(skeleton_->maps.ferry_affinity);
  maps_.conntrack = bpf_map__fd(skeleton_->maps.ferry_ct);
  maps_.round_robin = bpf_map__fd(skeleton_->maps.ferry_rr);
  maps_.drops = bpf_map__fd(skeleton_->maps.ferry_drops);
}

LbXdp::~LbXdp() {
  lb_xdp__destroy(skeleton_);
}

std::optional<DropCounters> LbXdp::dropCounters(std::string& error) const {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) {
    error = "counting possible CPUs: " + errnoText(cpus);
    return std::nullopt;
  }
  DropCounters totals{};
  std::vector<uint64_t> per_cpu(static_cast<std::size_t>(cpus));
  for (uint32_t reason = 0; reason < totals.size(); ++reason) {
    if (bpf_map_lookup_elem(maps_.drops, &reason, per_cpu.data()) != 0) {
      error = "reading drop counter " + std::to_string(reason) + ": " + errnoText(errno);
      return std::nullopt;
    }
    for (uint64_t n : per_cpu) totals[reason] += n;
  }
  return totals;
}

}  // namespace ferry::ebpf

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
#include "lb_maps_setup.h"

namespace ferry::ebpf {
namespace {

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
    error = "opening the embedded lb_xdp object: " + detail::errnoText(errno);
    return nullptr;
  }

  if (!detail::sizeLbMaps(skel->maps, options.sizes, error)) return nullptr;
  skel->rodata->ferry_ct_timeouts_cfg = options.ct_timeouts;

  // libbpf fills this only when the load fails (it then retries with log level 1).
  std::vector<char> log(256 * 1024, '\0');
  bpf_program__set_log_buf(skel->progs.ferry_lb_xdp, log.data(), log.size());
  if (int err = lb_xdp__load(skel.get()); err != 0) {
    error = "loading lb_xdp: " + detail::errnoText(err);
    if (log[0] != '\0') error += "\nverifier log (tail):\n" + logTail(log, 4096);
    return nullptr;
  }
  bpf_program__set_log_buf(skel->progs.ferry_lb_xdp, nullptr, 0);
  return std::unique_ptr<LbXdp>(new LbXdp(skel.release()));
}

LbXdp::LbXdp(::lb_xdp* skeleton) : skeleton_(skeleton) {
  program_fd_ = bpf_program__fd(skeleton_->progs.ferry_lb_xdp);
  maps_ = detail::lbMapFds(skeleton_->maps);
}

LbXdp::~LbXdp() {
  lb_xdp__destroy(skeleton_);
}

std::optional<DropCounters> LbXdp::dropCounters(std::string& error) const {
  return readDropCounters(maps_.drops, error);
}

std::optional<DropCounters> readDropCounters(int drops_fd, std::string& error) {
  DropCounters totals{};
  for (uint32_t reason = 0; reason < totals.size(); ++reason) {
    auto n = detail::sumPerCpu(drops_fd, reason, error);
    if (!n) return std::nullopt;
    totals[reason] = *n;
  }
  return totals;
}

}  // namespace ferry::ebpf

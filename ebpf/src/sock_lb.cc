#include "ferry/ebpf/sock_lb.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "ferry/abi/ct.h"
#include "ferry/bpf/sock_lb.skel.h"

namespace ferry::ebpf {
namespace {

std::string errnoText(int err) {
  if (err < 0) err = -err;
  return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")";
}

struct SkeletonDeleter {
  void operator()(::sock_lb* s) const { sock_lb__destroy(s); }
};

}  // namespace

std::unique_ptr<SockLb> SockLb::load(const SockLbOptions& options, std::string& error) {
  std::unique_ptr<::sock_lb, SkeletonDeleter> skel(sock_lb__open());
  if (!skel) {
    error = "opening the embedded sock_lb object: " + errnoText(errno);
    return nullptr;
  }
  if (options.share) {
    const LbMapFds& s = *options.share;
    const std::pair<bpf_map*, int> shared[] = {
        {skel->maps.ferry_services, s.services}, {skel->maps.ferry_slots, s.slots},
        {skel->maps.ferry_backends, s.backends}, {skel->maps.ferry_rev_nat, s.rev_nat},
        {skel->maps.ferry_affinity, s.affinity}, {skel->maps.ferry_ct, s.conntrack},
        {skel->maps.ferry_rr, s.round_robin},    {skel->maps.ferry_drops, s.drops},
    };
    for (const auto& [map, fd] : shared) {
      if (fd < 0) continue;
      if (int err = bpf_map__reuse_fd(map, fd); err != 0) {
        error = std::string("sharing map ") + bpf_map__name(map) + ": " + errnoText(err);
        return nullptr;
      }
    }
  } else {
    const LbMapSizes& s = options.sizes;
    const std::pair<bpf_map*, uint32_t> sizes[] = {
        {skel->maps.ferry_services, s.services}, {skel->maps.ferry_slots, s.slots},
        {skel->maps.ferry_backends, s.backends}, {skel->maps.ferry_rev_nat, s.rev_nat},
        {skel->maps.ferry_affinity, s.affinity}, {skel->maps.ferry_ct, s.conntrack},
        {skel->maps.ferry_rr, s.services},
    };
    for (const auto& [map, entries] : sizes) {
      if (entries == 0 || bpf_map__set_max_entries(map, entries) != 0) {
        error = std::string("sizing map ") + bpf_map__name(map) + " to " + std::to_string(entries);
        return nullptr;
      }
    }
  }
  if (options.reverse_entries == 0 ||
      bpf_map__set_max_entries(skel->maps.ferry_sock_rev, options.reverse_entries) != 0) {
    error = "sizing map ferry_sock_rev to " + std::to_string(options.reverse_entries);
    return nullptr;
  }
  if (int err = sock_lb__load(skel.get()); err != 0) {
    error = "loading sock_lb: " + errnoText(err);
    return nullptr;
  }
  return std::unique_ptr<SockLb>(new SockLb(skel.release()));
}

SockLb::SockLb(::sock_lb* skeleton) : skeleton_(skeleton) {
  maps_.services = bpf_map__fd(skeleton_->maps.ferry_services);
  maps_.slots = bpf_map__fd(skeleton_->maps.ferry_slots);
  maps_.backends = bpf_map__fd(skeleton_->maps.ferry_backends);
  maps_.rev_nat = bpf_map__fd(skeleton_->maps.ferry_rev_nat);
  maps_.affinity = bpf_map__fd(skeleton_->maps.ferry_affinity);
  maps_.conntrack = bpf_map__fd(skeleton_->maps.ferry_ct);
  maps_.round_robin = bpf_map__fd(skeleton_->maps.ferry_rr);
  maps_.drops = bpf_map__fd(skeleton_->maps.ferry_drops);
}

SockLb::~SockLb() {
  for (bpf_link* l : links_) bpf_link__destroy(l);
  sock_lb__destroy(skeleton_);
}

bool SockLb::attach(const std::string& cgroup_path, std::string& error) {
  int fd = ::open(cgroup_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    error = "open cgroup " + cgroup_path + ": " + errnoText(errno);
    return false;
  }
  bpf_program* progs[] = {
      skeleton_->progs.ferry_sock_connect4, skeleton_->progs.ferry_sock_sendmsg4,
      skeleton_->progs.ferry_sock_recvmsg4, skeleton_->progs.ferry_sock_getpeername4,
      skeleton_->progs.ferry_sock_connect6, skeleton_->progs.ferry_sock_sendmsg6,
      skeleton_->progs.ferry_sock_recvmsg6, skeleton_->progs.ferry_sock_getpeername6};
  bool ok = true;
  for (bpf_program* p : progs) {
    bpf_link* link = bpf_program__attach_cgroup(p, fd);
    if (!link) {
      error = std::string("attach ") + bpf_program__name(p) + " to " + cgroup_path + ": " +
              errnoText(errno);
      ok = false;
      break;
    }
    links_.push_back(link);
  }
  ::close(fd);
  return ok;
}

}  // namespace ferry::ebpf

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
#include "lb_maps_setup.h"

namespace ferry::ebpf {
namespace {

struct SkeletonDeleter {
  void operator()(::sock_lb* s) const { sock_lb__destroy(s); }
};

}  // namespace

std::unique_ptr<SockLb> SockLb::load(const SockLbOptions& options, std::string& error) {
  std::unique_ptr<::sock_lb, SkeletonDeleter> skel(sock_lb__open());
  if (!skel) {
    error = "opening the embedded sock_lb object: " + detail::errnoText(errno);
    return nullptr;
  }
  // Another program's maps, or maps of our own sized as asked.
  if (options.share ? !detail::shareLbMaps(skel->maps, *options.share, error)
                    : !detail::sizeLbMaps(skel->maps, options.sizes, error))
    return nullptr;
  if (options.reverse_entries == 0 ||
      bpf_map__set_max_entries(skel->maps.ferry_sock_rev, options.reverse_entries) != 0) {
    error = "sizing map ferry_sock_rev to " + std::to_string(options.reverse_entries);
    return nullptr;
  }
  if (int err = sock_lb__load(skel.get()); err != 0) {
    error = "loading sock_lb: " + detail::errnoText(err);
    return nullptr;
  }
  return std::unique_ptr<SockLb>(new SockLb(skel.release()));
}

SockLb::SockLb(::sock_lb* skeleton) : skeleton_(skeleton) {
  maps_ = detail::lbMapFds(skeleton_->maps);
}

SockLb::~SockLb() {
  for (bpf_link* l : links_) bpf_link__destroy(l);
  sock_lb__destroy(skeleton_);
}

bool SockLb::attach(const std::string& cgroup_path, std::string& error) {
  int fd = ::open(cgroup_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    error = "open cgroup " + cgroup_path + ": " + detail::errnoText(errno);
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
              detail::errnoText(errno);
      ok = false;
      break;
    }
    links_.push_back(link);
  }
  ::close(fd);
  return ok;
}

}  // namespace ferry::ebpf

#include "ferry/ebpf/sock_lb.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
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
  const uint32_t services =
      options.share ? bpf_map__max_entries(skel->maps.ferry_services) : options.sizes.services;
  if (bpf_map__set_max_entries(skel->maps.ferry_sock_svc_stats, services + 1) != 0) {
    error = "sizing map ferry_sock_svc_stats";
    return nullptr;
  }
  if (options.reverse_entries == 0 ||
      bpf_map__set_max_entries(skel->maps.ferry_sock_rev, options.reverse_entries) != 0) {
    error = "sizing map ferry_sock_rev to " + std::to_string(options.reverse_entries);
    return nullptr;
  }
  bool reused = false;
  if (!options.pin_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.pin_dir, ec);
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, skel->obj) {
      if (bpf_map__is_internal(map)) continue;
      const std::string path = options.pin_dir + "/" + bpf_map__name(map);
      reused = reused || std::filesystem::exists(path);
      // libbpf reuses a compatible pinned map at this path, or creates and pins one.
      if (int err = bpf_map__set_pin_path(map, path.c_str()); err != 0) {
        error = "pin path " + path + ": " + detail::errnoText(err);
        return nullptr;
      }
    }
  }
  if (int err = sock_lb__load(skel.get()); err != 0) {
    error = "loading sock_lb: " + detail::errnoText(err);
    return nullptr;
  }
  auto lb = std::unique_ptr<SockLb>(new SockLb(skel.release()));
  lb->pin_dir_ = options.pin_dir;
  lb->reused_ = reused;
  return lb;
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
    const std::string pin = pin_dir_.empty() ? "" : pin_dir_ + "/link_" + bpf_program__name(p);
    bpf_link* link = nullptr;
    if (!pin.empty() && std::filesystem::exists(pin)) {
      // An earlier run's link is still attached: swap this program in, atomically, so there
      // is no moment without a hook.
      link = bpf_link__open(pin.c_str());
      if (link && bpf_link__update_program(link, p) != 0) {
        error = std::string("update pinned link ") + pin + ": " + detail::errnoText(errno);
        bpf_link__destroy(link);
        ok = false;
        break;
      }
    } else {
      link = bpf_program__attach_cgroup(p, fd);
      if (link && !pin.empty() && bpf_link__pin(link, pin.c_str()) != 0) {
        error = "pin link " + pin + ": " + detail::errnoText(errno);
        bpf_link__destroy(link);
        ok = false;
        break;
      }
    }
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

std::optional<uint64_t> SockLb::serviceConnections(uint32_t svc_id, std::string& error) const {
  return detail::sumPerCpu(bpf_map__fd(skeleton_->maps.ferry_sock_svc_stats), svc_id, error);
}

void SockLb::unpin() {
  if (pin_dir_.empty()) return;
  for (bpf_link* l : links_) bpf_link__unpin(l);
  std::error_code ec;
  std::filesystem::remove_all(pin_dir_, ec);
}

}  // namespace ferry::ebpf

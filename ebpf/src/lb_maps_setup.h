// What every loader of a program built on lib/maps.h does alike, once: size the shared LB maps
// before load, and collect their fds after. Templates over the bpftool skeleton's `maps`
// struct: each skeleton is its own type, but all of them name the shared maps the same.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "ferry/ebpf/lb_xdp.h"

namespace ferry::ebpf::detail {

// "No such file or directory (errno 2)", for negative libbpf returns and errno alike.
std::string errnoText(int err);

// The sum over CPUs of a per-CPU u64 array's slot `key`; nullopt (and `error`) when unreadable.
std::optional<uint64_t> sumPerCpu(int fd, uint32_t key, std::string& error);

template <class SkeletonMaps>
bool sizeLbMaps(SkeletonMaps& m, const LbMapSizes& s, std::string& error) {
  const std::pair<bpf_map*, uint32_t> sizes[] = {
      {m.ferry_services, s.services}, {m.ferry_slots, s.slots},
      {m.ferry_backends, s.backends}, {m.ferry_rev_nat, s.rev_nat},
      {m.ferry_affinity, s.affinity}, {m.ferry_ct, s.conntrack},
      {m.ferry_rr, s.services},       {m.ferry_maglev, s.services},
  };
  for (const auto& [map, entries] : sizes) {
    if (entries == 0) {
      error = std::string("map ") + bpf_map__name(map) + ": max_entries must be positive";
      return false;
    }
    if (int err = bpf_map__set_max_entries(map, entries); err != 0) {
      error = std::string("sizing map ") + bpf_map__name(map) + ": " + errnoText(err);
      return false;
    }
  }
  return true;
}

// Makes the skeleton use another program's maps (fds < 0 are left to be created).
template <class SkeletonMaps>
bool shareLbMaps(SkeletonMaps& m, const LbMapFds& s, std::string& error) {
  const std::pair<bpf_map*, int> shared[] = {
      {m.ferry_services, s.services}, {m.ferry_slots, s.slots},
      {m.ferry_backends, s.backends}, {m.ferry_rev_nat, s.rev_nat},
      {m.ferry_affinity, s.affinity}, {m.ferry_ct, s.conntrack},
      {m.ferry_rr, s.round_robin},    {m.ferry_drops, s.drops},
      {m.ferry_maglev, s.maglev},
  };
  for (const auto& [map, fd] : shared) {
    if (fd < 0) continue;
    if (int err = bpf_map__reuse_fd(map, fd); err != 0) {
      error = std::string("sharing map ") + bpf_map__name(map) + ": " + errnoText(err);
      return false;
    }
  }
  return true;
}

template <class SkeletonMaps>
LbMapFds lbMapFds(const SkeletonMaps& m) {
  LbMapFds fds;
  fds.services = bpf_map__fd(m.ferry_services);
  fds.slots = bpf_map__fd(m.ferry_slots);
  fds.backends = bpf_map__fd(m.ferry_backends);
  fds.rev_nat = bpf_map__fd(m.ferry_rev_nat);
  fds.affinity = bpf_map__fd(m.ferry_affinity);
  fds.conntrack = bpf_map__fd(m.ferry_ct);
  fds.round_robin = bpf_map__fd(m.ferry_rr);
  fds.drops = bpf_map__fd(m.ferry_drops);
  fds.maglev = bpf_map__fd(m.ferry_maglev);
  return fds;
}

}  // namespace ferry::ebpf::detail

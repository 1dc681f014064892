#include "lb_maps_setup.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ferry::ebpf::detail {

std::string errnoText(int err) {
  if (err < 0) err = -err;
  return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")";
}

std::optional<uint64_t> sumPerCpu(int fd, uint32_t key, std::string& error) {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) {
    error = "counting possible CPUs: " + errnoText(cpus);
    return std::nullopt;
  }
  std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
  if (bpf_map_lookup_elem(fd, &key, per_cpu.data()) != 0) {
    error = "reading per-CPU slot " + std::to_string(key) + ": " + errnoText(errno);
    return std::nullopt;
  }
  uint64_t total = 0;
  for (uint64_t n : per_cpu) total += n;
  return total;
}

}  // namespace ferry::ebpf::detail

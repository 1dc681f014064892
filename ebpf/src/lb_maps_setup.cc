#include "lb_maps_setup.h"

#include <cstring>

namespace ferry::ebpf::detail {

std::string errnoText(int err) {
  if (err < 0) err = -err;
  return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")";
}

}  // namespace ferry::ebpf::detail

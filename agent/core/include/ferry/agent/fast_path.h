// What the agent programs: a fast path takes whole snapshots of the shared model and makes its
// tables say the same (eBPF maps now, DPDK tables later). Implementations diff internally, so
// programming an unchanged snapshot is cheap.
#pragma once

#include <string>

#include "ferry/model/snapshot.h"

namespace ferry::agent {

class FastPath {
 public:
  virtual ~FastPath() = default;
  virtual const char* name() const = 0;
  // Makes the fast path forward as `snapshot` says. False (with `error`) when it could not;
  // the fast path then keeps forwarding with a consistent mix, and the next call repairs it.
  virtual bool program(const model::ServiceSnapshot& snapshot, std::string& error) = 0;
};

}  // namespace ferry::agent

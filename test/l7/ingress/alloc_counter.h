// Counts heap allocations (global operator new) made by this thread between start and stop.
// The replaced operators live in alloc_counter.cc, alone, so no other translation unit sees
// (and inlines) them.
#pragma once

#include <cstddef>

namespace ferry::ingress::testing {

void startCountingAllocations();
size_t stopCountingAllocations();  // allocations since start

}  // namespace ferry::ingress::testing

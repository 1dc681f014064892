#include "alloc_counter.h"

#include <cstdlib>
#include <new>

namespace {
thread_local bool counting = false;
thread_local size_t allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t /*size*/) noexcept {
  std::free(p);
}

namespace ferry::ingress::testing {

void startCountingAllocations() {
  allocations = 0;
  counting = true;
}

size_t stopCountingAllocations() {
  counting = false;
  return allocations;
}

}  // namespace ferry::ingress::testing

#include "ferry/feed/grpc_runtime.h"

#include <absl/synchronization/mutex.h>

namespace ferry::feed {

void tuneGrpcRuntime() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace ferry::feed

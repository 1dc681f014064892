// Process-wide settings of the gRPC runtime every ferry daemon with a feed sets once in main().
#pragma once

namespace ferry::feed {

// Debian's Abseil is built with its Mutex lock-order (deadlock) detector on: every lock gRPC
// takes walks a global graph (absl GraphCycles), ≈ 5 % of the control plane's CPU when the
// feed fans out to 1,000 agents. gRPC's own tests run without it; so do we. Call before any
// gRPC object exists.
void tuneGrpcRuntime();

}  // namespace ferry::feed

// One reconcile of one Service key: snapshot the cache, run the pure reconcilers, write the
// result through ObjectStorage (with the REST API's admission), and write what succeeded back
// into the cache so the next reconcile builds on it.
#pragma once

#include <string>
#include <vector>

#include "controller_cache.h"
#include "ferry/controlplane/admission.h"
#include "ferry/controlplane/object_storage.h"

namespace ferry::controlplane::detail {

struct SyncOutcome {
  enum class Result {
    kDone,
    kRetry,   // incomplete by design (a pod on an unknown node) or a lost race (409, 404)
    kFailed,  // the store or admission refused a write
  };
  Result result = Result::kDone;
  int writes = 0;
  std::string error;                  // for kRetry / kFailed: the first problem
  std::vector<std::string> warnings;  // from the reconcilers
};

struct SyncOptions {
  int max_endpoints_per_slice = 100;
};

class ServiceSync {
 public:
  ServiceSync(ObjectStorage& storage, const Admission& admission, ControllerCache& cache,
              SyncOptions options);

  SyncOutcome sync(const std::string& service_key);

 private:
  struct Writer;

  ObjectStorage& storage_;
  const Admission& admission_;
  ControllerCache& cache_;
  SyncOptions options_;
  ResourceInfo slices_;
  ResourceInfo endpoints_;
};

}  // namespace ferry::controlplane::detail

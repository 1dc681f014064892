#include "ferry/model/endpoint_selection.h"

namespace ferry::model {

UsableBackends usableBackends(const Service& service, Scope scope, std::string_view local_node) {
  const bool local_only = service.policyFor(scope) == TrafficPolicy::kLocal;
  UsableBackends out;
  std::vector<const Backend*> serving_terminating;
  for (const Backend& b : service.backends) {
    if (local_only && b.node != local_node) continue;
    if (b.weight == 0) continue;
    if (b.state == BackendState::kReady) {
      out.backends.push_back(&b);
    } else if (b.state == BackendState::kServingTerminating) {
      serving_terminating.push_back(&b);
    }
  }
  if (out.backends.empty() && !serving_terminating.empty()) {
    out.backends = std::move(serving_terminating);
    out.terminating_fallback = true;
  }
  return out;
}

}  // namespace ferry::model

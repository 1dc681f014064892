// Which backends a *new* connection may use: the Kubernetes rules every fast path honours.
//
//  - Traffic policy Local (internal or external, per the frontend's scope) keeps only
//    endpoints on the receiving node.
//  - Among those, ready endpoints win; when none is ready, endpoints that are serving and
//    terminating are used instead (KEP-1669). Not-serving endpoints never get new flows.
//  - Existing flows are not this function's business: conntrack keeps them on their backend.
#pragma once

#include <string_view>
#include <vector>

#include "ferry/model/service.h"

namespace ferry::model {

struct UsableBackends {
  std::vector<const Backend*> backends;  // in the service's backend order
  bool terminating_fallback = false;     // true when these are serving-terminating endpoints
};

UsableBackends usableBackends(const Service& service, Scope scope, std::string_view local_node);

}  // namespace ferry::model

// The non-resource GET endpoints kubectl reads before anything else: /version, discovery
// (/api, /apis, /api/v1, /apis/<group>[/<version>], legacy and aggregated forms) and the
// OpenAPI v3 index and documents.
#pragma once

#include <chrono>
#include <string>

#include "ferry/controlplane/http_server.h"

namespace ferry::controlplane {

// True when `req` addressed one of these endpoints; then code/content_type/body hold the answer.
bool serveEndpoint(const HttpRequest& req, std::chrono::system_clock::time_point started, int& code,
                   std::string& content_type, std::string& body);

}  // namespace ferry::controlplane

#include "ferry/controlplane/api_endpoints.h"

#include <nlohmann/json.hpp>

#include "ferry/api/discovery.h"
#include "ferry/api/media_type.h"
#include "ferry/api/openapi.h"
#include "ferry/controlplane/api_status.h"

namespace ferry::controlplane {
namespace {

using nlohmann::json;

void notFound(int& code, std::string& ct, std::string& body) {
  code = 404;
  ct = "application/json";
  body = ApiStatus{404, "NotFound", "the server could not find the requested resource", {}, {}}.toJson().dump();
}

}  // namespace

bool serveEndpoint(const HttpRequest& req, std::chrono::system_clock::time_point, int& code, std::string& ct,
                   std::string& body) {
  const std::string& p = req.path;
  ct = "application/json";
  code = 200;
  if (p == "/version" || p == "/version/") {
    body = api::versionDocument(api::defaultVersionInfo()).dump();
    return true;
  }
  if (p == "/api" || p == "/apis" || p == "/api/" || p == "/apis/") {
    const bool legacy = p.rfind("/api/", 0) == 0 || p == "/api";
    auto neg = api::negotiateDiscovery(req.header(http::field::accept));
    if (!neg) {
      code = 406;
      body = ApiStatus{406, "NotAcceptable", "only application/json is supported", {}, {}}.toJson().dump();
      return true;
    }
    ct = neg->content_type;
    if (neg->format == api::DiscoveryFormat::kLegacy)
      body = (legacy ? api::apiVersions() : api::apiGroupList()).dump();
    else
      body = api::aggregatedDiscovery(legacy, neg->format == api::DiscoveryFormat::kAggregatedV2
                                                  ? api::AggregatedVersion::kV2
                                                  : api::AggregatedVersion::kV2Beta1)
                 .dump();
    return true;
  }
  if (p.rfind("/openapi/v3", 0) == 0) {
    if (p == "/openapi/v3" || p == "/openapi/v3/") {
      body = api::openApiV3Index().dump();
      return true;
    }
    const api::OpenApiDocument* doc = api::findOpenApiV3Document(p);
    if (!doc) {
      notFound(code, ct, body);
      return true;
    }
    body = doc->body;
    return true;
  }
  // /api/v1, /apis/<group>, /apis/<group>/<version>: exactly those shapes.
  std::vector<std::string> parts;
  for (size_t pos = 1; pos <= p.size();) {
    size_t next = p.find('/', pos);
    if (next == std::string::npos) next = p.size();
    if (next > pos) parts.push_back(p.substr(pos, next - pos));
    pos = next + 1;
  }
  if (parts.size() == 2 && parts[0] == "api") {
    auto doc = api::apiResourceList("", parts[1]);
    if (!doc.ok()) notFound(code, ct, body);
    else body = doc->dump();
    return true;
  }
  if (parts.size() == 2 && parts[0] == "apis") {
    auto doc = api::apiGroup(parts[1]);
    if (!doc.ok()) notFound(code, ct, body);
    else body = doc->dump();
    return true;
  }
  if (parts.size() == 3 && parts[0] == "apis") {
    auto doc = api::apiResourceList(parts[1], parts[2]);
    if (!doc.ok()) notFound(code, ct, body);
    else body = doc->dump();
    return true;
  }
  return false;
}

}  // namespace ferry::controlplane

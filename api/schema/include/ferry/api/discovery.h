// Discovery documents, built from the registry in resources.h:
//
//   GET /version                 version.Info                        versionDocument()
//   GET /api                     APIVersions                         apiVersions()
//   GET /apis                    APIGroupList                        apiGroupList()
//   GET /api/v1, /apis/<g>/<v>   APIResourceList                     apiResourceList()
//   GET /api, /apis with the aggregated profile in Accept (media_type.h, negotiateDiscovery):
//                                apidiscovery.k8s.io/v2[beta1] APIGroupDiscoveryList
//                                                                    aggregatedDiscovery()
//
// client-go (kubectl 1.32) asks for the aggregated form first and falls back to /api/v1 and
// each /apis/<g>/<v> when the response's Content-Type is plain application/json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ferry/api/result.h"

namespace ferry::api {

// k8s.io/apimachinery/pkg/version.Info. kubectl prints gitVersion (`kubectl version`) and warns
// when major.minor is more than one minor away from its own.
struct VersionInfo {
  std::string major = "1";
  std::string minor = "32";
  std::string git_version = "v1.32.0-ferry";  // must stay semver: clients parse it
  std::string git_commit;
  std::string git_tree_state;
  std::string build_date;  // RFC 3339
  std::string go_version;  // ferry is not Go; left empty unless a build fills it
  std::string compiler;
  std::string platform;  // "linux/amd64"
};

// Fills compiler and platform from the build; the rest keeps the defaults above.
VersionInfo defaultVersionInfo();

nlohmann::json versionDocument(const VersionInfo& info);

// /api. `server_address` ("host:port") fills serverAddressByClientCIDRs when given.
nlohmann::json apiVersions(std::string_view server_address = {});

// /apis: every non-core group, each with its single (preferred) version.
nlohmann::json apiGroupList();

// /apis/<group>: one APIGroup; an error for unknown groups (the core group has none).
Result<nlohmann::json> apiGroup(std::string_view group);

// /api/v1 or /apis/<group>/<version>: resources and their subresources ("services/status").
// An error for an unknown group-version (serve 404).
Result<nlohmann::json> apiResourceList(std::string_view group, std::string_view version);

enum class AggregatedVersion { kV2, kV2Beta1 };

// The aggregated document for /api (legacy = true: the core group only, under an empty name)
// or /apis (every other group).
nlohmann::json aggregatedDiscovery(bool legacy, AggregatedVersion version);

}  // namespace ferry::api

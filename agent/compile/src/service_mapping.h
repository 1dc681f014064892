// One Service object (core/v1) plus its parsed slices into model::Services, one per port.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "backend_mapping.h"
#include "ferry/agent/service_compiler.h"
#include "ferry/model/service.h"
#include "json_read.h"

namespace ferry::agent::detail {

// Empty for Services that produce nothing: ExternalName, headless, no cluster IP yet, or
// unreadable (warned). Ports that cannot be read are skipped with a warning each.
std::vector<model::Service> compileService(const ObjectName& name, const Json& service,
                                           std::span<const ParsedSlice> slices,
                                           const CompilerOptions& options, const Diagnostics& diag);

}  // namespace ferry::agent::detail

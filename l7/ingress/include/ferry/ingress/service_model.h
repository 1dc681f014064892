// Where Services and EndpointSlices become the shared model (model::ServiceSnapshot): the
// builder hands them over and reads the compiled snapshot, so ingress resolves backends from
// exactly what the L4 fast paths use and never parses an EndpointSlice itself.
//
// The implementation is agent::ServiceCompiler (ferry/agent/service_compiler.h), adapted by
// ServiceCompilerModel below. It is an interface rather than a direct use so that this library
// links only api and model (pure, cheap to fuzz and test); whoever instantiates the adapter (the
// ferry-ingress daemon, the tests) links ferry_agent_compile.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "ferry/model/snapshot.h"

namespace ferry::ingress {

class ServiceModel {
 public:
  virtual ~ServiceModel() = default;
  // kind "Service" or "EndpointSlice"; `object` null = deleted.
  virtual void apply(std::string_view kind, std::string_view ns, std::string_view name,
                     const nlohmann::json* object) = 0;
  // The snapshot of everything applied so far (the previous one when nothing changed).
  virtual model::ServiceSnapshot::Ptr snapshot() = 0;
};

// ServiceModel over anything with ServiceCompiler's interface:
// applyService/applyEndpointSlice(ns, name, const json*) and build() -> ServiceSnapshot::Ptr.
template <class Compiler>
class ServiceCompilerModel final : public ServiceModel {
 public:
  explicit ServiceCompilerModel(Compiler& compiler) : compiler_(compiler) {}

  void apply(std::string_view kind, std::string_view ns, std::string_view name,
             const nlohmann::json* object) override {
    if (kind == "Service") {
      compiler_.applyService(ns, name, object);
    } else if (kind == "EndpointSlice") {
      compiler_.applyEndpointSlice(ns, name, object);
    }
  }
  model::ServiceSnapshot::Ptr snapshot() override { return compiler_.build(); }

 private:
  Compiler& compiler_;
};

}  // namespace ferry::ingress

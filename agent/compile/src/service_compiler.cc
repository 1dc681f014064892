#include "ferry/agent/service_compiler.h"

#include <algorithm>
#include <utility>

#include "backend_mapping.h"
#include "json_read.h"
#include "service_mapping.h"

namespace ferry::agent {
namespace {

std::string describe(std::string_view kind, std::string_view ns, std::string_view name) {
  std::string out(kind);
  out += ' ';
  if (!ns.empty()) {
    out += ns;
    out += '/';
  }
  out += name;
  return out;
}

// The Service a slice belongs to; empty when it has no (readable) kubernetes.io/service-name.
std::string owningService(const nlohmann::json& slice) {
  return detail::label(slice, kServiceNameLabel).value_or("");
}

}  // namespace

ServiceCompiler::ServiceCompiler(CompilerOptions options) : options_(std::move(options)) {}

void ServiceCompiler::warn(const std::string& message) {
  ++malformed_;
  if (options_.on_warning) options_.on_warning(message);
}

void ServiceCompiler::markDirty(const ObjectName& service) {
  dirty_.insert(service);
}

void ServiceCompiler::applyService(std::string_view ns, std::string_view name,
                                   const nlohmann::json* obj) {
  ObjectName key{std::string(ns), std::string(name)};
  if (resyncing_) seen_services_.insert(key);
  auto it = services_.find(key);
  if (obj == nullptr) {
    if (it == services_.end()) return;
    services_.erase(it);
  } else if (it == services_.end()) {
    services_.emplace(key, *obj);
  } else if (it->second == *obj) {
    return;
  } else {
    it->second = *obj;
  }
  markDirty(key);
}

void ServiceCompiler::applyEndpointSlice(std::string_view ns, std::string_view name,
                                         const nlohmann::json* obj) {
  ObjectName key{std::string(ns), std::string(name)};
  if (resyncing_) seen_slices_.insert(key);
  auto it = slices_.find(key);
  if (obj != nullptr && it != slices_.end() && it->second.obj == *obj) return;

  // Detach from the Service it belonged to, then attach to the one its label names now: a
  // relabelled slice moves its backends, and both Services recompile.
  if (it != slices_.end()) {
    if (!it->second.service.empty()) {
      ObjectName old{key.ns, it->second.service};
      auto idx = slices_by_service_.find(old);
      if (idx != slices_by_service_.end()) {
        idx->second.erase(key.name);
        if (idx->second.empty()) slices_by_service_.erase(idx);
      }
      markDirty(old);
    }
    slices_.erase(it);
  }
  if (obj == nullptr) return;
  SliceEntry entry{*obj, owningService(*obj)};
  if (!entry.service.empty()) {
    ObjectName svc{key.ns, entry.service};
    slices_by_service_[svc].insert(key.name);
    markDirty(svc);
  }
  slices_.emplace(std::move(key), std::move(entry));
}

void ServiceCompiler::applyNode(std::string_view name, const nlohmann::json* obj) {
  if (resyncing_) seen_nodes_.emplace(name);
  std::string zone;
  if (obj != nullptr) zone = detail::label(*obj, kZoneLabel).value_or("");
  auto it = node_zones_.find(name);
  const std::string old = it == node_zones_.end() ? std::string() : it->second;
  if (zone.empty()) {
    if (it != node_zones_.end()) node_zones_.erase(it);
  } else {
    node_zones_[std::string(name)] = zone;
  }
  if (old == zone) return;
  // A node's zone only fills in endpoints whose slice has none, and zones change rarely:
  // recompiling every Service with slices is simpler than indexing endpoints by node.
  for (const auto& [svc, names] : slices_by_service_) markDirty(svc);
}

void ServiceCompiler::beginResync() {
  resyncing_ = true;
  seen_services_.clear();
  seen_slices_.clear();
  seen_nodes_.clear();
}

void ServiceCompiler::endResync() {
  resyncing_ = false;
  std::vector<ObjectName> gone_services;
  for (const auto& [key, obj] : services_) {
    if (!seen_services_.contains(key)) gone_services.push_back(key);
  }
  for (const auto& key : gone_services) applyService(key.ns, key.name, nullptr);
  std::vector<ObjectName> gone_slices;
  for (const auto& [key, entry] : slices_) {
    if (!seen_slices_.contains(key)) gone_slices.push_back(key);
  }
  for (const auto& key : gone_slices) applyEndpointSlice(key.ns, key.name, nullptr);
  std::vector<std::string> gone_nodes;
  for (const auto& [name, zone] : node_zones_) {
    if (!seen_nodes_.contains(name)) gone_nodes.push_back(name);
  }
  for (const auto& name : gone_nodes) applyNode(name, nullptr);
  seen_services_.clear();
  seen_slices_.clear();
  seen_nodes_.clear();
}

void ServiceCompiler::applyObject(std::string_view kind, std::string_view ns, std::string_view name,
                                  const std::string* json_text) {
  if (kind != "Service" && kind != "EndpointSlice" && kind != "Node") return;
  nlohmann::json obj;
  const nlohmann::json* ptr = nullptr;
  if (json_text != nullptr) {
    obj = nlohmann::json::parse(*json_text, nullptr, /*allow_exceptions=*/false);
    if (obj.is_discarded()) {
      warn(describe(kind, ns, name) + ": not JSON");
    } else {
      ptr = &obj;
    }
  }
  // Absent or unreadable: deleted (and, in a resync, still marked seen).
  if (kind == "Service") {
    applyService(ns, name, ptr);
  } else if (kind == "EndpointSlice") {
    applyEndpointSlice(ns, name, ptr);
  } else {
    applyNode(name, ptr);
  }
}

void ServiceCompiler::compileOne(const ObjectName& key, model::SnapshotBuilder& builder) {
  ++compiled_;
  std::vector<model::Service> compiled;
  auto svc = services_.find(key);
  if (svc != services_.end()) {
    auto sink = [this](const std::string& msg) { warn(msg); };
    std::vector<detail::ParsedSlice> parsed;
    auto names = slices_by_service_.find(key);
    if (names != slices_by_service_.end()) {
      detail::NodeZoneFn zone_of = [this](std::string_view node) {
        auto it = node_zones_.find(node);
        return it == node_zones_.end() ? std::string() : it->second;
      };
      // In slice-name order, so that which of two equally good duplicates wins is stable.
      for (const std::string& slice_name : names->second) {
        const SliceEntry& entry = slices_.at(ObjectName{key.ns, slice_name});
        detail::Diagnostics diag(describe("EndpointSlice", key.ns, slice_name), sink);
        if (auto slice = detail::readSlice(entry.obj, zone_of, diag)) {
          parsed.push_back(std::move(*slice));
        }
      }
    }
    detail::Diagnostics diag(describe("Service", key.ns, key.name), sink);
    compiled = detail::compileService(key, svc->second, parsed, options_, diag);
  }

  std::vector<model::ServiceName> names;
  names.reserve(compiled.size());
  for (const model::Service& s : compiled) names.push_back(s.name);
  auto prev = published_.find(key);
  if (prev != published_.end()) {
    for (const model::ServiceName& old : prev->second) {
      if (std::find(names.begin(), names.end(), old) == names.end()) builder.remove(old);
    }
  }
  // upsert keeps the previous object when the compiled Service is equal to it.
  for (model::Service& s : compiled) builder.upsert(std::move(s));
  if (names.empty()) {
    if (prev != published_.end()) published_.erase(prev);
  } else {
    published_[key] = std::move(names);
  }
}

model::ServiceSnapshot::Ptr ServiceCompiler::build() {
  if (previous_ && dirty_.empty()) return previous_;
  model::SnapshotBuilder builder =
      previous_ ? model::SnapshotBuilder(*previous_) : model::SnapshotBuilder();
  for (const ObjectName& key : dirty_) compileOne(key, builder);
  dirty_.clear();
  previous_ = builder.build(++version_);
  return previous_;
}

}  // namespace ferry::agent

// Kubernetes REST storage semantics over the revisioned Store, for any resource type:
// object metadata (uid, creationTimestamp, generation, resourceVersion = the store's
// mod_revision), optimistic concurrency, generateName, finalizers and deletionTimestamp,
// consistent paginated lists and watches. What is particular to a kind (defaulting,
// validation, allocations) comes in through an Admit hook, so one implementation serves all.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/controlplane/api_status.h"
#include "ferry/store/store.h"

namespace ferry::controlplane {

using nlohmann::json;

struct ResourceInfo {
  std::string group;  // "" for core
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced = true;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "/registry/<group|core>/<plural>/"
  std::string prefix() const;
  std::string key(const std::string& ns, const std::string& name) const;
  StatusDetails details(const std::string& name) const { return {name, group, plural}; }
};

// Extra store operations a write needs atomically with the object itself (allocation records
// for ClusterIPs and NodePorts), and compares guarding them.
struct WritePlan {
  std::vector<store::Compare> compares;
  std::vector<store::TxnOp> ops;
};

// Defaults, validates and plans a write. `old` is null on create. May change `obj`.
using AdmitFn = std::function<ApiResult<WritePlan>(json& obj, const json* old)>;
// Plans the store operations that release what a deleted object held.
using ReleaseFn = std::function<WritePlan(const json& obj)>;

struct ListOptions {
  std::function<bool(const json&)> filter;  // label and field selectors; null = all
  size_t limit = 0;
  std::string continue_token;
  std::string resource_version;  // "" or "0": most recent
};

struct ListResult {
  std::vector<json> items;
  std::string resource_version;
  std::string continue_token;
  std::optional<int64_t> remaining;
};

class ObjectStorage {
 public:
  explicit ObjectStorage(store::Store& store) : store_(store) {}

  ApiResult<json> get(const ResourceInfo& r, const std::string& ns, const std::string& name);
  ApiResult<ListResult> list(const ResourceInfo& r, const std::string& ns, const ListOptions& opts);
  ApiResult<json> create(const ResourceInfo& r, const std::string& ns, json obj, const AdmitFn& admit);
  // Replaces the object. A non-empty metadata.resourceVersion must match (409 otherwise).
  // `mutate`, when given, derives the new object from the current one inside the
  // optimistic-concurrency retry loop (patches); then `obj` is ignored.
  ApiResult<json> update(const ResourceInfo& r, const std::string& ns, const std::string& name, json obj,
                         const AdmitFn& admit,
                         const std::function<ApiResult<json>(const json& current)>& mutate = nullptr);
  // Deletes, or marks deleting when finalizers remain. Returns the object as last seen.
  ApiResult<json> remove(const ResourceInfo& r, const std::string& ns, const std::string& name,
                         const std::string& precondition_uid, const std::string& precondition_rv,
                         const ReleaseFn& release);

  store::Store& store() { return store_; }

  // The object as stored (no resourceVersion) plus metadata.resourceVersion from `kv`.
  static json fromKv(const store::KeyValue& kv);
  // The same object as JSON text with metadata.resourceVersion = `rv`, spliced into the stored
  // text without decoding it (watch events and the agents' feed send thousands of objects).
  static std::string wireJson(const store::KeyValue& kv, store::Revision rv);

 private:
  ApiResult<json> commitUpdate(const ResourceInfo& r, const std::string& key, const store::KeyValue& current,
                               json obj, const AdmitFn& admit);
  store::Store& store_;
};

std::string newUid();
std::string rfc3339(std::chrono::system_clock::time_point t);

}  // namespace ferry::controlplane

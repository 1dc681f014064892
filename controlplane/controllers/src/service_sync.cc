#include "service_sync.h"

#include <chrono>

#include "ferry/api/timestamp.h"
#include "ferry/controllers/endpoints_reconciler.h"
#include "ferry/controllers/endpointslice_mirroring.h"
#include "ferry/controllers/endpointslice_reconciler.h"
#include "ferry/controllers/selector.h"
#include "ferry/controllers/well_known.h"

namespace ferry::controlplane::detail {
namespace {

using nlohmann::json;

std::string metaString(const json& obj, const char* field) {
  if (!obj.is_object()) return {};
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return {};
  auto f = meta->find(field);
  return f != meta->end() && f->is_string() ? f->get<std::string>() : std::string();
}

const json& labelsOf(const json& obj) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return kNull;
  auto labels = meta->find("labels");
  return labels == meta->end() ? kNull : *labels;
}

std::string label(const json& obj, std::string_view name) {
  const json& labels = labelsOf(obj);
  if (!labels.is_object()) return {};
  auto it = labels.find(std::string(name));
  return it != labels.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t revisionOf(const json& obj) {
  const std::string rv = metaString(obj, "resourceVersion");
  char* end = nullptr;
  const long long v = std::strtoll(rv.c_str(), &end, 10);
  return end != nullptr && *end == '\0' && !rv.empty() ? v : 0;
}

// What one reconcile reads, copied out of the cache so the lock is not held while writing.
// The exception clang-tidy sees is in nlohmann::json's destructor, not one this code can raise.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct Snapshot {
  json service;    // null when there is none
  json endpoints;  // null when there is none
  bool service_deleted = false;
  std::vector<json> controller_slices;  // managed by the EndpointSlice controller
  std::vector<json> mirrored_slices;    // managed by the mirroring controller
  std::vector<json> pods;               // the ones the Service's selector matches
  NodeZones zones;
};

Snapshot takeSnapshot(ControllerCache& cache, const std::string& key, const std::string& ns,
                      const std::string& name) {
  Snapshot s;
  std::lock_guard lock(cache.mu);
  if (const json* svc = cache.of(Kind::kService).find(key)) s.service = *svc;
  if (const json* ep = cache.of(Kind::kEndpoints).find(key)) s.endpoints = *ep;
  s.service_deleted = cache.deleted_services.count(key) != 0;
  cache.of(Kind::kEndpointSlice)
      .forEachLabelled(ns, name, [&](const std::string&, const json& slice) {
        const std::string manager = label(slice, kLabelManagedBy);
        if (manager == kEndpointSliceControllerName) s.controller_slices.push_back(slice);
        if (manager == kMirroringControllerName) s.mirrored_slices.push_back(slice);
      });
  if (serviceHasSelector(s.service)) {
    const json& selector = s.service["spec"]["selector"];
    cache.of(Kind::kPod).forEach(ns + "/", [&](const std::string&, const json& pod) {
      if (selectorMatches(selector, labelsOf(pod))) s.pods.push_back(pod);
    });
    cache.of(Kind::kNode).forEach("", [&](const std::string& node, const json& obj) {
      s.zones[node] = label(obj, kLabelTopologyZone);
    });
  }
  return s;
}

}  // namespace

// Applies writes of one sync, records their results in the cache, and keeps the worst outcome.
struct ServiceSync::Writer {
  ServiceSync& sync;
  const std::string& ns;
  SyncOutcome& out;

  void problem(SyncOutcome::Result result, const ApiStatus& status, const std::string& what) {
    if (out.result == SyncOutcome::Result::kDone) out.error = what + ": " + status.message;
    if (result > out.result) out.result = result;
  }

  // 409 (a concurrent writer, or our cache behind) and 404 (the object went away under us)
  // resolve by reconciling again from fresh state; anything else is a failure.
  static SyncOutcome::Result classify(const ApiStatus& status) {
    return status.code == 409 || status.code == 404 ? SyncOutcome::Result::kRetry
                                                    : SyncOutcome::Result::kFailed;
  }

  void cachePut(Kind kind, const json& obj) {
    std::lock_guard lock(sync.cache_.mu);
    sync.cache_.of(kind).put(ns + "/" + metaString(obj, "name"), obj, revisionOf(obj));
  }

  void create(const ResourceInfo& info, Kind kind, json obj) {
    auto res = sync.storage_.create(info, ns, std::move(obj), sync.admission_.admitFor(info, ""));
    if (!res.ok()) return problem(classify(res.status()), res.status(), "create " + info.plural);
    ++out.writes;
    cachePut(kind, *res);
  }

  void update(const ResourceInfo& info, Kind kind, json obj) {
    const std::string name = metaString(obj, "name");
    auto res =
        sync.storage_.update(info, ns, name, std::move(obj), sync.admission_.admitFor(info, ""));
    if (!res.ok())
      return problem(classify(res.status()), res.status(), "update " + info.plural + " " + name);
    ++out.writes;
    cachePut(kind, *res);
  }

  void remove(const ResourceInfo& info, Kind kind, const json& obj) {
    const std::string name = metaString(obj, "name");
    auto res = sync.storage_.remove(info, ns, name, metaString(obj, "uid"), "", nullptr);
    if (!res.ok()) {
      if (res.status().code == 404) return;  // already gone: what we wanted
      return problem(classify(res.status()), res.status(), "delete " + info.plural + " " + name);
    }
    ++out.writes;
    if (!metaString(*res, "deletionTimestamp").empty())
      return cachePut(kind, *res);  // finalizers hold it
    std::lock_guard lock(sync.cache_.mu);
    sync.cache_.of(kind).tombstone(ns + "/" + name, revisionOf(*res));
  }

  // kube's reconciler order: creates and updates before deletes, so an endpoint moving from a
  // deleted slice to another is never absent from all of them.
  void apply(SliceChanges& changes) {
    for (auto& obj : changes.to_create) create(sync.slices_, Kind::kEndpointSlice, std::move(obj));
    for (auto& obj : changes.to_update) update(sync.slices_, Kind::kEndpointSlice, std::move(obj));
    for (const auto& obj : changes.to_delete) remove(sync.slices_, Kind::kEndpointSlice, obj);
    for (auto& w : changes.warnings) out.warnings.push_back(std::move(w));
  }
};

ServiceSync::ServiceSync(ObjectStorage& storage, const Admission& admission, ControllerCache& cache,
                         SyncOptions options)
    : storage_(storage),
      admission_(admission),
      cache_(cache),
      options_(options),
      slices_(resourceFor(Kind::kEndpointSlice)),
      endpoints_(resourceFor(Kind::kEndpoints)) {}

SyncOutcome ServiceSync::sync(const std::string& service_key) {
  SyncOutcome out;
  const auto slash = service_key.find('/');
  if (slash == std::string::npos) return out;  // cluster-scoped names are never Services
  const std::string ns = service_key.substr(0, slash);
  const std::string name = service_key.substr(slash + 1);
  Snapshot snap = takeSnapshot(cache_, service_key, ns, name);
  Writer writer{*this, ns, out};

  if (snap.service.is_null()) {
    // No garbage collector follows ownerReferences here, so the slices of a Service that is
    // gone are deleted by the controller that wrote them.
    SliceChanges gone;
    gone.to_delete = std::move(snap.controller_slices);
    for (auto& s : snap.mirrored_slices) gone.to_delete.push_back(std::move(s));
    writer.apply(gone);
    // kube's endpoints controller deletes the Endpoints when it sees the Service deleted, and
    // leaves alone an Endpoints written before its Service exists (one to be mirrored).
    if (snap.service_deleted && !snap.endpoints.is_null()) {
      writer.remove(endpoints_, Kind::kEndpoints, snap.endpoints);
    }
    if (out.result == SyncOutcome::Result::kDone) {
      std::lock_guard lock(cache_.mu);
      cache_.deleted_services.erase(service_key);
    }
    return out;
  }

  // Microseconds, like kube's RFC 3339 nano trigger times: consumers (ferry-dns, agents)
  // measure programming latency from it, which whole seconds would make meaningless.
  const std::string now = api::formatMicroTimestamp(std::chrono::system_clock::now());
  EndpointSliceOptions slice_options;
  slice_options.max_endpoints_per_slice = options_.max_endpoints_per_slice;
  slice_options.trigger_time = now;
  SliceChanges slices = reconcileEndpointSlices(snap.service, snap.pods, snap.zones,
                                                snap.controller_slices, slice_options);
  SliceChanges mirrored = mirrorEndpointSlices(snap.service, snap.endpoints, snap.mirrored_slices);
  EndpointsOptions endpoints_options;
  endpoints_options.trigger_time = now;
  EndpointsResult endpoints =
      reconcileEndpoints(snap.service, snap.pods, snap.endpoints, endpoints_options);

  writer.apply(slices);
  writer.apply(mirrored);
  if (endpoints.action == EndpointsResult::Action::kCreate) {
    writer.create(endpoints_, Kind::kEndpoints, std::move(endpoints.endpoints));
  } else if (endpoints.action == EndpointsResult::Action::kUpdate) {
    writer.update(endpoints_, Kind::kEndpoints, std::move(endpoints.endpoints));
  }
  for (auto& w : endpoints.warnings) out.warnings.push_back(std::move(w));
  if (slices.retry_later && out.result == SyncOutcome::Result::kDone) {
    out.result = SyncOutcome::Result::kRetry;
    out.error = "pods on nodes not known yet";
  }
  return out;
}

}  // namespace ferry::controlplane::detail

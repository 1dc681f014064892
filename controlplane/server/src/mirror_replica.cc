#include "ferry/controlplane/mirror_replica.h"

#include <map>
#include <stdexcept>

#include "ferry/api/resources.h"
#include "ferry/controlplane/api_server.h"

namespace ferry::controlplane {
namespace {

using nlohmann::json;

// Ops per transaction: a relist of 10k objects is written as a few WAL records of bounded
// size rather than one huge one.
constexpr size_t kOpsPerTxn = 500;

std::string metaString(const json& obj, const char* field) {
  if (!obj.is_object()) return {};
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return {};
  auto f = m->find(field);
  return f != m->end() && f->is_string() ? f->get<std::string>() : std::string();
}

bool validSegment(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos;
}

// The store key of `obj`, or "" when its name (or namespace) cannot be one.
std::string keyOf(const ResourceInfo& info, const json& obj) {
  const std::string name = metaString(obj, "name");
  const std::string ns = metaString(obj, "namespace");
  if (!validSegment(name) || (info.namespaced && !validSegment(ns))) return {};
  return info.key(ns, name);
}

// The stored form: what ObjectStorage stores, the object without its resourceVersion.
std::string storedValue(json obj) {
  if (obj.contains("metadata") && obj["metadata"].is_object())
    obj["metadata"].erase("resourceVersion");
  return obj.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool kept(const MirroredKind& kind, const json& obj) {
  return !kind.keep || kind.keep(obj);
}

ResourceInfo infoOf(std::string_view group, std::string_view plural) {
  const api::ResourceType* t = api::findResource(group, "v1", plural);
  if (t == nullptr) throw std::logic_error("mirror: unknown resource " + std::string(plural));
  return resourceInfo(*t);
}

}  // namespace

std::vector<MirroredKind> feedMirroredKinds() {
  std::vector<MirroredKind> kinds;
  kinds.push_back({infoOf("", "services"), "/api/v1/services", "", nullptr});
  kinds.push_back({infoOf("discovery.k8s.io", "endpointslices"),
                   "/apis/discovery.k8s.io/v1/endpointslices", "", nullptr});
  kinds.push_back({infoOf("", "nodes"), "/api/v1/nodes", "", nullptr});
  kinds.push_back({infoOf("networking.k8s.io", "ingresses"), "/apis/networking.k8s.io/v1/ingresses",
                   "", nullptr});
  kinds.push_back({infoOf("networking.k8s.io", "ingressclasses"),
                   "/apis/networking.k8s.io/v1/ingressclasses", "", nullptr});
  // Only TLS Secrets: the feed sends nothing else, and a mirror has no business holding the
  // cluster's other credentials.
  kinds.push_back(
      {infoOf("", "secrets"), "/api/v1/secrets", "type=kubernetes.io/tls", [](const json& obj) {
         return obj.is_object() && obj.value("type", "") == "kubernetes.io/tls";
       }});
  return kinds;
}

store::Status Replica::commit(std::vector<store::TxnOp>& ops) {
  for (size_t at = 0; at < ops.size(); at += kOpsPerTxn) {
    store::TxnRequest txn;
    const size_t end = std::min(ops.size(), at + kOpsPerTxn);
    txn.ops.assign(std::make_move_iterator(ops.begin() + static_cast<std::ptrdiff_t>(at)),
                   std::make_move_iterator(ops.begin() + static_cast<std::ptrdiff_t>(end)));
    auto res = store_.txn(txn);
    if (!res.ok()) return res.status();
  }
  ops.clear();
  return {};
}

store::Result<ReplicaWrites> Replica::replaceAll(const MirroredKind& kind,
                                                 const std::vector<json>& items) {
  auto local = store_.range({.prefix = kind.info.prefix()});
  if (!local.ok()) return local.status();
  std::map<std::string, const std::string*> held;
  for (const auto& kv : local->items) held.emplace(kv->key, &kv->value);

  ReplicaWrites w;
  std::vector<store::TxnOp> ops;
  std::map<std::string, bool> upstream;
  for (const json& obj : items) {
    const std::string key = keyOf(kind.info, obj);
    if (key.empty()) {
      ++w.invalid;
      continue;
    }
    if (!kept(kind, obj) || !upstream.emplace(key, true).second) continue;
    std::string value = storedValue(obj);
    auto it = held.find(key);
    if (it != held.end() && *it->second == value) {
      ++w.unchanged;
      continue;
    }
    ops.push_back(store::TxnOp::put(key, std::move(value)));
    ++w.puts;
  }
  for (const auto& [key, value] : held) {
    if (upstream.count(key) != 0) continue;
    ops.push_back(store::TxnOp::del(key));
    ++w.deletes;
  }
  if (auto st = commit(ops); !st.ok()) return st;
  return w;
}

store::Result<ReplicaWrites> Replica::apply(const MirroredKind& kind,
                                            const std::vector<MirrorEvent>& events) {
  // The last event of each key: a txn holds a key once, and only the end state matters.
  std::map<std::string, const MirrorEvent*> last;
  ReplicaWrites w;
  for (const MirrorEvent& e : events) {
    const std::string key = keyOf(kind.info, e.object);
    if (key.empty()) {
      ++w.invalid;
      continue;
    }
    last[key] = &e;
  }
  std::vector<store::TxnOp> ops;
  for (const auto& [key, e] : last) {
    auto current = store_.get(key);
    if (!current.ok() && current.code() != store::StatusCode::kNotFound) return current.status();
    if (e->deleted || !kept(kind, e->object)) {
      if (!current.ok()) {
        ++w.unchanged;
        continue;
      }
      ops.push_back(store::TxnOp::del(key));
      ++w.deletes;
      continue;
    }
    std::string value = storedValue(e->object);
    if (current.ok() && current->value == value) {
      ++w.unchanged;
      continue;
    }
    ops.push_back(store::TxnOp::put(key, std::move(value)));
    ++w.puts;
  }
  if (auto st = commit(ops); !st.ok()) return st;
  return w;
}

}  // namespace ferry::controlplane

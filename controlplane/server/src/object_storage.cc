#include "ferry/controlplane/object_storage.h"

#include "ferry/api/base64.h"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace ferry::controlplane {
namespace {

using store::StatusCode;

ApiStatus storeError(const store::Status& s, const ResourceInfo& r, const std::string& name) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return ApiStatus::notFound(r.details(name));
    case StatusCode::kAlreadyExists:
      return ApiStatus::alreadyExists(r.details(name));
    case StatusCode::kConflict:
      return ApiStatus::conflict(r.details(name),
                                 "the object has been modified; please apply your changes to the latest "
                                 "version and try again");
    case StatusCode::kCompacted:
      return ApiStatus::gone("too old resource version: " + s.message());
    case StatusCode::kInvalidArgument:
      return ApiStatus::badRequest(s.message());
    case StatusCode::kUnavailable:
      return ApiStatus::unavailable("storage unavailable: " + s.message());
    default:
      return ApiStatus::internal(s.toString());
  }
}

std::string randomSuffix(size_t n) {
  // kube's generateName alphabet: no vowels, no confusable characters.
  static const char* alphabet = "bcdfghjklmnpqrstvwxz2456789";
  unsigned char raw[16];
  RAND_bytes(raw, sizeof raw);
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(alphabet[raw[i] % 27]);
  return s;
}

const json* metaField(const json& obj, const char* field) {
  if (!obj.is_object()) return nullptr;
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return nullptr;
  auto f = m->find(field);
  return f == m->end() ? nullptr : &*f;
}

std::string metaString(const json& obj, const char* field) {
  const json* f = metaField(obj, field);
  return f && f->is_string() ? f->get<std::string>() : std::string();
}

bool hasFinalizers(const json& obj) {
  const json* f = metaField(obj, "finalizers");
  return f && f->is_array() && !f->empty();
}

// What goes into the store: the object without resourceVersion (it is the key's mod_revision).
std::string serialize(json obj) {
  if (obj.contains("metadata") && obj["metadata"].is_object()) obj["metadata"].erase("resourceVersion");
  return obj.dump();
}

}  // namespace

std::string ResourceInfo::prefix() const {
  return "/registry/" + (group.empty() ? std::string("core") : group) + "/" + plural + "/";
}

std::string ResourceInfo::key(const std::string& ns, const std::string& name) const {
  return namespaced ? prefix() + ns + "/" + name : prefix() + name;
}

std::string newUid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json ObjectStorage::fromKv(const store::KeyValue& kv) {
  json obj = json::parse(kv.value, nullptr, false);
  if (obj.is_discarded() || !obj.is_object()) return json::object();
  obj["metadata"]["resourceVersion"] = std::to_string(kv.mod_revision);
  return obj;
}

namespace {

// Where the top-level "metadata" object's contents start in compact JSON text (just after its
// '{'), or npos. Walks the text once, tracking nesting and strings, so a "metadata" key deeper
// down or inside a string value is never mistaken for it.
size_t topLevelMetadataBody(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  size_t string_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        constexpr std::string_view kKey = "\"metadata\":{";
        if (depth == 1 && text.compare(string_start, kKey.size(), kKey) == 0) return string_start + kKey.size();
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      string_start = i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return std::string::npos;
}

}  // namespace

std::string ObjectStorage::wireJson(const store::KeyValue& kv, store::Revision rv) {
  const size_t at = topLevelMetadataBody(kv.value);
  if (at == std::string::npos) {
    json obj = fromKv(kv);
    obj["metadata"]["resourceVersion"] = std::to_string(rv);
    return obj.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  std::string field = "\"resourceVersion\":\"" + std::to_string(rv) + "\"";
  if (at < kv.value.size() && kv.value[at] != '}') field += ',';
  std::string out;
  out.reserve(kv.value.size() + field.size());
  out.append(kv.value, 0, at).append(field).append(kv.value, at, std::string::npos);
  return out;
}

ApiResult<json> ObjectStorage::get(const ResourceInfo& r, const std::string& ns, const std::string& name) {
  auto kv = store_.get(r.key(ns, name));
  if (!kv.ok()) return storeError(kv.status(), r, name);
  return fromKv(*kv);
}

ApiResult<ListResult> ObjectStorage::list(const ResourceInfo& r, const std::string& ns, const ListOptions& opts) {
  store::RangeRequest req;
  req.prefix = r.namespaced && !ns.empty() ? r.prefix() + ns + "/" : r.prefix();
  if (!opts.continue_token.empty()) {
    // The token carries the revision of the first page and the key to resume at, so every
    // page is read at one consistent revision (410 once that revision is compacted).
    auto raw = api::base64UrlDecode(opts.continue_token);
    json tok = raw ? json::parse(*raw, nullptr, false) : json();
    if (!tok.is_object() || !tok.contains("rv") || !tok.contains("start") || !tok["rv"].is_number_integer() ||
        !tok["start"].is_string())
      return ApiStatus::badRequest("invalid continue token");
    req.revision = tok["rv"].get<int64_t>();
    req.from_key = tok["start"].get<std::string>();
    if (req.from_key.rfind(req.prefix, 0) != 0) return ApiStatus::badRequest("continue token does not match the request");
  }
  ListResult out;
  // With a filter, pages are cut after filtering: read in chunks until `limit` matches.
  const size_t chunk = opts.limit ? std::max<size_t>(opts.limit, 500) : 0;
  for (;;) {
    req.limit = chunk;
    auto res = store_.range(req);
    if (!res.ok()) return storeError(res.status(), r, "");
    if (req.revision == 0) req.revision = res->revision;
    out.resource_version = std::to_string(res->revision);
    for (size_t i = 0; i < res->items.size(); ++i) {
      const auto& kv = res->items[i];
      json obj = fromKv(*kv);
      if (opts.filter && !opts.filter(obj)) continue;
      out.items.push_back(std::move(obj));
      if (opts.limit && out.items.size() == opts.limit) {
        bool more = i + 1 < res->items.size() || res->more;
        if (more) {
          std::string next = i + 1 < res->items.size() ? res->items[i + 1]->key : res->next_key;
          out.continue_token = api::base64UrlEncode(json{{"rv", res->revision}, {"start", next}}.dump());
        }
        return out;
      }
    }
    if (!res->more) return out;
    req.from_key = res->next_key;
  }
}

ApiResult<json> ObjectStorage::create(const ResourceInfo& r, const std::string& ns, json obj, const AdmitFn& admit) {
  if (!obj.is_object()) return ApiStatus::badRequest("the request body must be a JSON object");
  json& meta = obj["metadata"];
  if (!meta.is_object()) return ApiStatus::badRequest("metadata must be an object");
  if (r.namespaced) {
    std::string body_ns = metaString(obj, "namespace");
    if (!body_ns.empty() && body_ns != ns)
      return ApiStatus::badRequest("the namespace of the provided object does not match the namespace sent on the request");
    meta["namespace"] = ns;
  } else {
    meta.erase("namespace");
  }
  obj["kind"] = r.kind;
  obj["apiVersion"] = r.apiVersion();
  meta["uid"] = newUid();
  meta["creationTimestamp"] = rfc3339(std::chrono::system_clock::now());
  meta["generation"] = 1;
  meta.erase("resourceVersion");
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  meta.erase("selfLink");

  const bool generate = metaString(obj, "name").empty() && !metaString(obj, "generateName").empty();
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (generate) meta["name"] = metaString(obj, "generateName") + randomSuffix(5);
    json candidate = obj;
    auto plan = admit ? admit(candidate, nullptr) : ApiResult<WritePlan>(WritePlan{});
    if (!plan.ok()) return plan.status();
    std::string name = metaString(candidate, "name");
    if (name.empty()) return ApiStatus::invalid(r.details(""), r.kind, {{"FieldValueRequired", "metadata.name", "Required value: name or generateName is required"}});
    std::string key = r.key(ns, name);
    store::TxnRequest txn;
    txn.compares.push_back({key, 0});
    for (auto& c : plan->compares) txn.compares.push_back(std::move(c));
    txn.ops.push_back(store::TxnOp::put(key, serialize(candidate)));
    for (auto& op : plan->ops) txn.ops.push_back(std::move(op));
    auto res = store_.txn(txn);
    if (res.ok()) {
      candidate["metadata"]["resourceVersion"] = std::to_string(res->revision);
      return candidate;
    }
    if (res.code() != StatusCode::kConflict) return storeError(res.status(), r, name);
    // The object exists (409) or an allocation raced with another writer (retry).
    auto existing = store_.get(key);
    if (existing.ok() && !generate) return ApiStatus::alreadyExists(r.details(name));
  }
  return ApiStatus::conflict(r.details(metaString(obj, "name")), "too many concurrent changes, retry");
}

ApiResult<json> ObjectStorage::commitUpdate(const ResourceInfo& r, const std::string& key,
                                            const store::KeyValue& current, json obj, const AdmitFn& admit) {
  json old = fromKv(current);
  json& meta = obj["metadata"];
  // Fields the server owns survive any update.
  for (const char* f : {"uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
    if (old["metadata"].contains(f))
      meta[f] = old["metadata"][f];
    else
      meta.erase(f);
  }
  meta["name"] = old["metadata"]["name"];
  if (r.namespaced) meta["namespace"] = old["metadata"]["namespace"];
  obj["kind"] = r.kind;
  obj["apiVersion"] = r.apiVersion();

  auto plan = admit ? admit(obj, &old) : ApiResult<WritePlan>(WritePlan{});
  if (!plan.ok()) return plan.status();

  // The last finalizer removed from a deleting object completes its deletion.
  if (old["metadata"].contains("deletionTimestamp") && !hasFinalizers(obj)) {
    store::TxnRequest txn;
    txn.compares.push_back({key, current.mod_revision});
    txn.ops.push_back(store::TxnOp::del(key));
    auto res = store_.txn(txn);
    if (!res.ok()) return storeError(res.status(), r, metaString(old, "name"));
    obj["metadata"]["resourceVersion"] = std::to_string(res->revision);
    return obj;
  }

  store::TxnRequest txn;
  txn.compares.push_back({key, current.mod_revision});
  for (auto& c : plan->compares) txn.compares.push_back(std::move(c));
  txn.ops.push_back(store::TxnOp::put(key, serialize(obj)));
  for (auto& op : plan->ops) txn.ops.push_back(std::move(op));
  auto res = store_.txn(txn);
  if (!res.ok()) return storeError(res.status(), r, metaString(old, "name"));
  obj["metadata"]["resourceVersion"] = std::to_string(res->revision);
  return obj;
}

ApiResult<json> ObjectStorage::update(const ResourceInfo& r, const std::string& ns, const std::string& name, json obj,
                                      const AdmitFn& admit,
                                      const std::function<ApiResult<json>(const json& current)>& mutate) {
  const std::string key = r.key(ns, name);
  if (!mutate) {
    if (!obj.is_object() || !obj["metadata"].is_object()) return ApiStatus::badRequest("the request body must be an object with metadata");
    std::string body_name = metaString(obj, "name");
    if (!body_name.empty() && body_name != name)
      return ApiStatus::badRequest("the name of the object (" + body_name + ") does not match the name on the URL (" + name + ")");
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto cur = store_.get(key);
    if (!cur.ok()) return storeError(cur.status(), r, name);
    json next;
    if (mutate) {
      auto m = mutate(fromKv(*cur));
      if (!m.ok()) return m.status();
      next = std::move(*m);
      if (!next.is_object()) return ApiStatus::badRequest("the patched object is not a JSON object");
      if (!next["metadata"].is_object()) next["metadata"] = json::object();
    } else {
      next = obj;
      std::string rv = metaString(obj, "resourceVersion");
      if (!rv.empty() && rv != std::to_string(cur->mod_revision))
        return ApiStatus::conflict(r.details(name),
                                   "the object has been modified; please apply your changes to the latest version "
                                   "and try again");
    }
    auto res = commitUpdate(r, key, *cur, std::move(next), admit);
    // A conflict on our own compare means a concurrent writer won between get and txn: patches
    // retry on the fresh object; a plain update without resourceVersion also retries.
    if (!res.ok() && res.status().code == 409 && res.status().reason == "Conflict" &&
        (mutate || metaString(obj, "resourceVersion").empty()))
      continue;
    return res;
  }
  return ApiStatus::conflict(r.details(name), "too many concurrent changes, retry");
}

ApiResult<json> ObjectStorage::remove(const ResourceInfo& r, const std::string& ns, const std::string& name,
                                      const std::string& precondition_uid, const std::string& precondition_rv,
                                      const ReleaseFn& release) {
  const std::string key = r.key(ns, name);
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto cur = store_.get(key);
    if (!cur.ok()) return storeError(cur.status(), r, name);
    json obj = fromKv(*cur);
    if (!precondition_uid.empty() && metaString(obj, "uid") != precondition_uid)
      return ApiStatus::conflict(r.details(name), "Precondition failed: UID in precondition: " + precondition_uid +
                                                      ", UID in object meta: " + metaString(obj, "uid"));
    if (!precondition_rv.empty() && std::to_string(cur->mod_revision) != precondition_rv)
      return ApiStatus::conflict(r.details(name), "Precondition failed: ResourceVersion in precondition: " +
                                                      precondition_rv + ", ResourceVersion in object meta: " +
                                                      std::to_string(cur->mod_revision));
    store::TxnRequest txn;
    txn.compares.push_back({key, cur->mod_revision});
    if (hasFinalizers(obj)) {
      // Finalizers hold the object: mark it deleting; the last finalizer removal deletes it.
      if (obj["metadata"].contains("deletionTimestamp")) return obj;
      obj["metadata"]["deletionTimestamp"] = rfc3339(std::chrono::system_clock::now());
      obj["metadata"]["deletionGracePeriodSeconds"] = 0;
      txn.ops.push_back(store::TxnOp::put(key, serialize(obj)));
    } else {
      txn.ops.push_back(store::TxnOp::del(key));
      if (release) {
        WritePlan plan = release(obj);
        for (auto& c : plan.compares) txn.compares.push_back(std::move(c));
        for (auto& op : plan.ops) txn.ops.push_back(std::move(op));
      }
    }
    auto res = store_.txn(txn);
    if (res.ok()) {
      obj["metadata"]["resourceVersion"] = std::to_string(res->revision);
      return obj;
    }
    if (res.code() != StatusCode::kConflict) return storeError(res.status(), r, name);
  }
  return ApiStatus::conflict(r.details(name), "too many concurrent changes, retry");
}

}  // namespace ferry::controlplane

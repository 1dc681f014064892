#include "ferry/controlplane/selectors.h"

#include "ferry/api/field_selector.h"
#include "ferry/api/json_patch.h"
#include "ferry/api/k8s_protobuf.h"
#include "ferry/api/label_selector.h"
#include "ferry/api/merge_patch.h"
#include "ferry/api/resources.h"
#include "ferry/api/strategic_merge_patch.h"
#include "ferry/runtime/yaml_json.h"

namespace ferry::controlplane {

ApiResult<ObjectFilter> buildFilter(const std::string& label_selector,
                                    const std::string& field_selector,
                                    const api::ResourceType& type) {
  if (label_selector.empty() && field_selector.empty()) return ObjectFilter{};
  auto labels = api::LabelSelector::parse(label_selector);
  if (!labels.ok()) return ApiStatus::badRequest("unable to parse requirement: " + labels.error());
  auto fields = api::FieldSelector::parseForKind(field_selector, type.kind);
  if (!fields.ok()) return ApiStatus::badRequest(fields.error());
  return ObjectFilter([l = *labels, f = *fields](const json& obj) {
    return l.matchesObject(obj) && f.matches(obj);
  });
}

namespace {

// Depth of JSON nesting, scanning brackets outside strings. Parsing is iterative, but copying,
// patching and serialising JSON recurse: a body nested millions deep must be refused before it
// can exhaust the stack (kube caps JSON nesting at 10000 the same way).
constexpr int kMaxJsonDepth = 10000;

bool tooDeep(const std::string& body) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

}  // namespace

ApiResult<json> decodeBody(const std::string& content_type, const std::string& body) {
  std::string ct = content_type.substr(0, content_type.find(';'));
  if (tooDeep(body))
    return ApiStatus::badRequest("the request body nests deeper than 10000 levels");
  json obj;
  if (ct.empty() || ct == "application/json" || ct == "*/*") {
    obj = json::parse(body, nullptr, false);
    if (obj.is_discarded()) return ApiStatus::badRequest("the request body is not valid JSON");
  } else if (api::isKubernetesProtobuf(ct)) {
    // kubectl create/expose send built-in kinds as Kubernetes protobuf.
    auto decoded = api::decodeKubernetesProtobuf(body);
    if (!decoded.ok()) {
      if (decoded.error().find("unsupported kind") != std::string::npos)
        return ApiStatus::unsupportedMediaType(decoded.error());
      return ApiStatus::badRequest("error decoding protobuf body: " + decoded.error());
    }
    obj = std::move(*decoded);
  } else if (ct == "application/yaml" || ct == "application/x-yaml" || ct == "text/yaml") {
    auto docs = runtime::yamlDocuments(body);
    if (!docs.ok()) return ApiStatus::badRequest("error decoding YAML: " + docs.error());
    obj = docs->empty() ? json() : docs->front();
  } else {
    return ApiStatus::unsupportedMediaType(
        "the body of the request was in an unknown format - accepted media types "
        "include: application/json, application/yaml, "
        "application/vnd.kubernetes.protobuf");
  }
  if (!obj.is_object()) return ApiStatus::badRequest("the request body must be an object");
  return obj;
}

ApiResult<PatchFn> patchFunction(const std::string& content_type, const std::string& body,
                                 const api::ResourceType& type, const std::string& subresource) {
  if (tooDeep(body)) return ApiStatus::badRequest("the patch nests deeper than 10000 levels");
  json patch = json::parse(body, nullptr, false);
  if (content_type == "application/apply-patch+yaml" && patch.is_discarded()) {
    auto docs = runtime::yamlDocuments(body);
    if (!docs.ok()) return ApiStatus::badRequest("error decoding YAML: " + docs.error());
    patch = docs->empty() ? json() : docs->front();
  }
  if (patch.is_discarded()) return ApiStatus::badRequest("the patch is not valid JSON");
  // The status subresource takes only status from a patch; the main resource ignores status.
  auto scope = [subresource](const json& current, json next) {
    if (subresource == "status") {
      json out = current;
      if (next.contains("status"))
        out["status"] = next["status"];
      else
        out.erase("status");
      return out;
    }
    if (current.contains("status"))
      next["status"] = current["status"];
    else
      next.erase("status");
    return next;
  };
  if (content_type == "application/merge-patch+json") {
    if (!patch.is_object()) return ApiStatus::badRequest("a merge patch must be a JSON object");
    return PatchFn([patch, scope](const json& cur) -> ApiResult<json> {
      return scope(cur, api::applyMergePatch(cur, patch));
    });
  }
  if (content_type == "application/json-patch+json") {
    auto parsed = api::parseJsonPatch(patch);
    if (!parsed.ok()) return ApiStatus::badRequest(parsed.error());
    return PatchFn([ops = *parsed, scope](const json& cur) -> ApiResult<json> {
      auto res = api::applyJsonPatch(cur, ops);
      if (!res.ok()) return ApiStatus{422, "Invalid", res.error(), {}, {}};
      return scope(cur, std::move(*res));
    });
  }
  if (content_type == "application/strategic-merge-patch+json" ||
      content_type == "application/apply-patch+yaml") {
    if (!patch.is_object())
      return ApiStatus::badRequest("a strategic merge patch must be a JSON object");
    std::string kind(type.kind);
    return PatchFn([patch, kind, scope](const json& cur) -> ApiResult<json> {
      auto res = api::applyStrategicMergePatch(cur, patch, kind);
      if (!res.ok()) return ApiStatus{422, "Invalid", res.error(), {}, {}};
      return scope(cur, std::move(*res));
    });
  }
  return ApiStatus::unsupportedMediaType(
      "the body of the request was in an unknown format - accepted media types "
      "include: application/json-patch+json, application/merge-patch+json, "
      "application/apply-patch+yaml, application/strategic-merge-patch+json");
}

}  // namespace ferry::controlplane

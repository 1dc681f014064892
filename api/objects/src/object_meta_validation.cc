#include "ferry/api/object_meta_validation.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "ferry/api/field_error_builders.h"
#include "json_fields.h"

namespace ferry::api {
namespace {

using detail::Fields;
using nlohmann::json;

void invalidEach(FieldErrors& errs, const std::string& path, const json& value,
                 const NameMessages& msgs) {
  for (const auto& m : msgs) errs.push_back(field::invalid(path, value, m));
}

bool isStandardFinalizer(std::string_view f) {
  return f == "kubernetes" || f == "orphan" || f == "foregroundDeletion";
}

// On create apimachinery's ValidateFinalizers checks qualified names at "metadata.finalizers";
// on create and update core's validateKubeFinalizerName checks, per index, that a name without
// a "/" is one of the standard ones.
void validateFinalizers(FieldErrors& errs, const std::vector<std::string>& finalizers,
                        const std::string& path, bool create) {
  if (create) {
    for (const auto& f : finalizers) invalidEach(errs, path, f, isQualifiedName(f));
    bool orphan = std::find(finalizers.begin(), finalizers.end(), "orphan") != finalizers.end();
    bool foreground =
        std::find(finalizers.begin(), finalizers.end(), "foregroundDeletion") != finalizers.end();
    if (orphan && foreground) {
      errs.push_back(field::invalid(path, finalizers,
                                    "finalizer orphan and foregroundDeletion cannot be both set"));
    }
  }
  for (size_t i = 0; i < finalizers.size(); ++i) {
    const std::string& f = finalizers[i];
    std::string p = field::index(path, i);
    if (f.find('/') == std::string::npos && !isStandardFinalizer(f)) {
      errs.push_back(field::invalid(
          p, f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
}

// ValidateOwnerReferences: note kube reports per-reference errors without an index.
void validateOwnerReferences(FieldErrors& errs, const Fields& meta) {
  std::string path = meta.at("ownerReferences");
  std::string first_controller;
  for (const Fields& ref : meta.objects("ownerReferences")) {
    std::string api_version = ref.str("apiVersion");
    std::string kind = ref.str("kind");
    std::string version;
    std::string group;
    size_t slashes = std::count(api_version.begin(), api_version.end(), '/');
    if (slashes == 0) {
      version = api_version;
    } else if (slashes == 1) {
      group = api_version.substr(0, api_version.find('/'));
      version = api_version.substr(api_version.find('/') + 1);
    }
    if (version.empty()) {
      errs.push_back(field::invalid(field::child(path, "apiVersion"), api_version,
                                    "version must not be empty"));
    }
    if (kind.empty()) {
      errs.push_back(field::invalid(field::child(path, "kind"), kind, "must not be empty"));
    }
    std::string name = ref.str("name");
    if (name.empty()) {
      errs.push_back(field::invalid(field::child(path, "name"), name, "must not be empty"));
    }
    std::string uid = ref.str("uid");
    if (uid.empty()) {
      errs.push_back(field::invalid(field::child(path, "uid"), uid, "must not be empty"));
    }
    if (group.empty() && version == "v1" && kind == "Event") {
      errs.push_back(
          field::invalid(path, *ref.obj(), "/v1, Kind=Event is disallowed from being an owner"));
    }
    if (ref.boolean("controller").value_or(false)) {
      std::string current = kind;
      current += '/';
      current += name;
      if (!first_controller.empty()) {
        std::string why =
            "Only one reference can have Controller set to true. Found \"true\" in references for ";
        why += first_controller;
        why += " and ";
        why += current;
        errs.push_back(field::invalid(path, *meta.raw("ownerReferences"), why));
      } else {
        first_controller = current;
      }
    }
  }
}

void immutable(FieldErrors& errs, const Fields& meta, const Fields& old_meta,
               std::string_view key) {
  const json* now = meta.raw(key);
  const json* before = old_meta.raw(key);
  bool same = (now == nullptr && before == nullptr) ||
              (now != nullptr && before != nullptr && *now == *before);
  // An empty string and an absent field are the same Go zero value.
  auto empty = [](const json* v) {
    return v == nullptr || (v->is_string() && v->get_ref<const std::string&>().empty());
  };
  if (!same && !(empty(now) && empty(before))) {
    errs.push_back(
        field::invalid(meta.at(key), now != nullptr ? *now : json(""), field::kImmutable));
  }
}

}  // namespace

FieldErrors validateLabels(const json* labels, std::string_view path) {
  FieldErrors errs;
  if (labels == nullptr || labels->is_null()) return errs;
  if (!labels->is_object()) {
    errs.push_back(field::typeInvalid(std::string(path), *labels, "must be an object"));
    return errs;
  }
  for (const auto& [k, v] : labels->items()) {
    invalidEach(errs, std::string(path), k, isQualifiedName(k));
    if (!v.is_string()) {
      errs.push_back(field::typeInvalid(field::key(path, k), v, "must be a string"));
      continue;
    }
    invalidEach(errs, std::string(path), v, isValidLabelValue(v.get<std::string>()));
  }
  return errs;
}

FieldErrors validateAnnotations(const json* annotations, std::string_view path) {
  FieldErrors errs;
  if (annotations == nullptr || annotations->is_null()) return errs;
  if (!annotations->is_object()) {
    errs.push_back(field::typeInvalid(std::string(path), *annotations, "must be an object"));
    return errs;
  }
  size_t total = 0;
  for (const auto& [k, v] : annotations->items()) {
    // The rule is QualifiedName except that case does not matter.
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    invalidEach(errs, std::string(path), k, isQualifiedName(lower));
    if (!v.is_string()) {
      errs.push_back(field::typeInvalid(field::key(path, k), v, "must be a string"));
      continue;
    }
    total += k.size() + v.get_ref<const std::string&>().size();
  }
  if (total > kTotalAnnotationSizeLimit) {
    errs.push_back(field::tooLong(std::string(path), kTotalAnnotationSizeLimit));
  }
  return errs;
}

FieldErrors validateObjectMeta(const json& obj, const ObjectMetaRules& rules) {
  FieldErrors errs;
  Fields root(&obj, "", errs);
  Fields meta = root.sub("metadata");

  std::string generate_name = meta.str("generateName");
  if (!generate_name.empty()) {
    invalidEach(errs, meta.at("generateName"), generate_name, rules.name(generate_name, true));
  }
  std::string name = meta.str("name");
  if (name.empty()) {
    if (generate_name.empty()) {
      errs.push_back(field::required(meta.at("name"), "name or generateName is required"));
    }
  } else {
    invalidEach(errs, meta.at("name"), name, rules.name(name, false));
  }

  std::string ns = meta.str("namespace");
  if (rules.scope == Scope::kNamespaced) {
    if (ns.empty()) {
      errs.push_back(field::required(meta.at("namespace")));
    } else {
      invalidEach(errs, meta.at("namespace"), ns, nameIsDnsLabel(ns, false));
    }
  } else if (rules.scope == Scope::kCluster && !ns.empty()) {
    errs.push_back(field::forbidden(meta.at("namespace"), "not allowed on this type"));
  }

  if (auto gen = meta.int64("generation"); gen && *gen < 0) {
    errs.push_back(
        field::invalid(meta.at("generation"), *gen, "must be greater than or equal to 0"));
  }
  detail::append(errs, validateLabels(meta.raw("labels"), meta.at("labels")));
  detail::append(errs, validateAnnotations(meta.raw("annotations"), meta.at("annotations")));
  validateOwnerReferences(errs, meta);
  validateFinalizers(errs, meta.strings("finalizers"), meta.at("finalizers"), /*create=*/true);
  return errs;
}

FieldErrors validateObjectMetaUpdate(const json& obj, const json& old) {
  FieldErrors errs;
  FieldErrors ignored;  // the old object was validated when it was stored
  Fields meta = Fields(&obj, "", errs).sub("metadata");
  Fields old_meta = Fields(&old, "", ignored).sub("metadata");

  if (old_meta.has("deletionTimestamp")) {
    std::vector<std::string> now = meta.strings("finalizers");
    std::vector<std::string> before = old_meta.strings("finalizers");
    std::set<std::string> extra(now.begin(), now.end());
    for (const auto& f : before) extra.erase(f);
    if (!extra.empty()) {
      errs.push_back(field::forbidden(
          meta.at("finalizers"),
          "no new finalizers can be added if the object is being deleted, found new finalizers " +
              field::goStringSlice({extra.begin(), extra.end()})));
    }
  }
  std::string rv = meta.str("resourceVersion");
  if (rv.empty()) {
    errs.push_back(
        field::invalid(meta.at("resourceVersion"), rv, "must be specified for an update"));
  }
  auto gen = meta.int64("generation").value_or(0);
  auto old_gen = old_meta.int64("generation").value_or(0);
  if (gen < old_gen) {
    errs.push_back(field::invalid(meta.at("generation"), gen, "must not be decremented"));
  }
  for (const char* key : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                          "deletionGracePeriodSeconds"}) {
    immutable(errs, meta, old_meta, key);
  }
  detail::append(errs, validateLabels(meta.raw("labels"), meta.at("labels")));
  detail::append(errs, validateAnnotations(meta.raw("annotations"), meta.at("annotations")));
  validateOwnerReferences(errs, meta);
  validateFinalizers(errs, meta.strings("finalizers"), meta.at("finalizers"), /*create=*/false);
  return errs;
}

bool resourceVersionSetOnCreate(const json& obj) {
  std::string rv = detail::stringAt(detail::member(&obj, "metadata"), "resourceVersion");
  // strconv.ParseUint(rv, 10, 64): anything that fails to parse is let through.
  if (rv.empty() || rv.size() > 20 || rv.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  if (rv.size() == 20 && rv > "18446744073709551615") return false;
  return rv.find_first_not_of('0') != std::string::npos;
}

}  // namespace ferry::api

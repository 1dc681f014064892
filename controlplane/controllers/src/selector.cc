#include "ferry/controllers/selector.h"

#include "json_access.h"

namespace ferry::controlplane {

using detail::Json;

bool selectorMatches(const Json& selector, const Json& labels) {
  if (!selector.is_object() || selector.empty()) {
    return false;
  }
  for (auto it = selector.begin(); it != selector.end(); ++it) {
    auto value = detail::stringAt(labels, it.key());
    if (!it->is_string() || !value || *value != it->get_ref<const std::string&>()) {
      return false;
    }
  }
  return true;
}

bool serviceHasSelector(const Json& service) {
  return !detail::objectAt(detail::objectAt(service, "spec"), "selector").empty();
}

std::vector<Json> podsSelectedBy(const Json& service, const std::vector<Json>& pods) {
  std::vector<Json> out;
  const Json& selector = detail::objectAt(detail::objectAt(service, "spec"), "selector");
  std::string ns = detail::namespaceOf(service);
  for (const Json& pod : pods) {
    if (detail::namespaceOf(pod) == ns &&
        selectorMatches(selector, detail::objectAt(detail::metadataOf(pod), "labels"))) {
      out.push_back(pod);
    }
  }
  return out;
}

}  // namespace ferry::controlplane

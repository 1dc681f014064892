#include "ferry/controlplane/admission.h"

#include "ferry/api/defaulting.h"
#include "ferry/api/prepare.h"
#include "ferry/api/validation.h"

namespace ferry::controlplane {

AdmitFn Admission::admitFor(const ResourceInfo& r, const std::string& subresource) const {
  ServiceAllocation* services = r.kind == "Service" && r.group.empty() ? &services_ : nullptr;
  const std::string kind = r.kind;
  const StatusDetails base{"", r.group, r.plural};
  return [services, kind, base, subresource](json& obj, const json* old) -> ApiResult<WritePlan> {
    // kube-apiserver's order: defaults, the REST strategy's prepare, validation, allocation.
    if (subresource == "status") {
      if (old) api::prepareForStatusUpdate(kind, obj, *old);
    } else {
      api::applyDefaults(kind, obj);
      if (old)
        api::prepareForUpdate(kind, obj, *old);
      else
        api::prepareForCreate(kind, obj);
    }
    api::FieldErrors errors = api::validate(kind, obj, old);
    if (!errors.empty()) {
      StatusDetails d = base;
      if (obj.contains("metadata") && obj["metadata"].is_object()) d.name = obj["metadata"].value("name", "");
      return ApiStatus::invalid(d, kind, std::move(errors));
    }
    // Allocation follows validation, as in kube-apiserver's Service REST storage; a status
    // update never changes what a Service holds.
    if (services && subresource != "status") return services->allocate(obj, old);
    return WritePlan{};
  };
}

ReleaseFn Admission::releaseFor(const ResourceInfo& r) const {
  if (r.kind != "Service" || !r.group.empty()) return nullptr;
  ServiceAllocation* services = &services_;
  return [services](const json& obj) { return services->release(obj); };
}

}  // namespace ferry::controlplane

#include "ferry/model/snapshot.h"

#include <algorithm>

namespace ferry::model {

const Service* ServiceSnapshot::find(const ServiceName& name) const {
  auto it = std::lower_bound(services_.begin(), services_.end(), name,
                             [](const auto& svc, const ServiceName& n) { return svc->name < n; });
  if (it == services_.end() || (*it)->name != name) return nullptr;
  return it->get();
}

SnapshotBuilder::SnapshotBuilder(const ServiceSnapshot& base) {
  for (const auto& svc : base.services()) services_.emplace_hint(services_.end(), svc->name, svc);
}

void SnapshotBuilder::upsert(Service service) {
  auto it = services_.find(service.name);
  if (it != services_.end()) {
    if (*it->second == service) return;
    it->second = std::make_shared<const Service>(std::move(service));
    return;
  }
  ServiceName key = service.name;
  services_.emplace(std::move(key), std::make_shared<const Service>(std::move(service)));
}

bool SnapshotBuilder::remove(const ServiceName& name) {
  return services_.erase(name) > 0;
}

ServiceSnapshot::Ptr SnapshotBuilder::build(uint64_t version) const {
  auto snap = std::make_shared<ServiceSnapshot>();
  snap->version_ = version;
  snap->services_.reserve(services_.size());
  for (const auto& [name, svc] : services_) snap->services_.push_back(svc);
  return snap;
}

}  // namespace ferry::model

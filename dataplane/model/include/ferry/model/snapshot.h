// An immutable, versioned set of services: what the agent compiles from the feed and every
// projector reads. Snapshots are shared as shared_ptr<const ServiceSnapshot> and never change
// once built; unchanged services are shared by pointer between consecutive snapshots, which
// makes diffs cheap.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "ferry/model/service.h"

namespace ferry::model {

class ServiceSnapshot {
 public:
  using Ptr = std::shared_ptr<const ServiceSnapshot>;

  uint64_t version() const { return version_; }
  size_t size() const { return services_.size(); }
  // Sorted by ServiceName.
  std::span<const std::shared_ptr<const Service>> services() const { return services_; }
  const Service* find(const ServiceName& name) const;

 private:
  friend class SnapshotBuilder;
  uint64_t version_ = 0;
  std::vector<std::shared_ptr<const Service>> services_;
};

// Builds the next snapshot, starting from a previous one (or empty).
class SnapshotBuilder {
 public:
  SnapshotBuilder() = default;
  explicit SnapshotBuilder(const ServiceSnapshot& base);

  // Adds or replaces a service by name. A service equal to the one already present keeps the
  // old (shared) object, so diff() sees it as unchanged without comparing fields.
  void upsert(Service service);
  bool remove(const ServiceName& name);
  void clear() { services_.clear(); }
  size_t size() const { return services_.size(); }

  ServiceSnapshot::Ptr build(uint64_t version) const;

 private:
  std::map<ServiceName, std::shared_ptr<const Service>> services_;
};

}  // namespace ferry::model

// Where object sources deliver the cluster state (shared by ferry-dns's zone and ferry-ingress's
// config builder). The file loader and the control-plane feed feed it the same way: list everything
// with apply(), call markSynced() once the initial list is complete, then stream apply()/remove()
// events.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "ferry/api/result.h"

namespace ferry::l7 {

class ObjectSink {
 public:
  virtual ~ObjectSink() = default;
  // kind is what the object says ("Service", "Ingress", ...); kinds the sink does not use are
  // ignored (not an error), so a source may pass everything it sees. Error: the object is malformed
  // and was not applied.
  virtual api::Result<bool> apply(std::string_view kind, const nlohmann::json& object) = 0;
  // False if the object was not known.
  virtual bool remove(std::string_view kind, const std::string& ns, const std::string& name) = 0;
  virtual void markSynced() = 0;
  // Brackets a batch of apply()/remove() calls (a feed delta, a full resync) that should take
  // effect together: answers change once, at endBatch(). Batches do not nest.
  virtual void beginBatch() {}
  virtual void endBatch() {}
};

// Something that feeds an ObjectSink: a file read at startup now, the control plane's watch
// stream later. start() returns once the initial state has been delivered (or failed);
// sources that keep streaming do so on their own thread until stop().
class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  virtual api::Result<bool> start(ObjectSink& sink) = 0;
  virtual void stop() {}
};

}  // namespace ferry::l7

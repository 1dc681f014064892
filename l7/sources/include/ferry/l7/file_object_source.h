// Cluster objects from a file, for tests and for running without a control plane: JSON (one
// object, an array, or a List as `kubectl get -o json` prints) or YAML (multi-document, Lists
// allowed). Loaded once at start, then the sink is marked synced.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/l7/object_sink.h"

namespace ferry::l7 {

// Every object in the file, Lists flattened; items of a typed list (ServiceList) get the kind.
api::Result<std::vector<nlohmann::json>> loadObjectsFile(const std::string& path);

class FileObjectSource : public ObjectSource {
 public:
  explicit FileObjectSource(std::string path) : path_(std::move(path)) {}
  // Applies every object (failing on the first malformed one, naming it) and marks synced.
  api::Result<bool> start(ObjectSink& sink) override;

 private:
  std::string path_;
};

}  // namespace ferry::l7

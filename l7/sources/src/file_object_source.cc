#include "ferry/l7/file_object_source.h"

#include <fstream>
#include <sstream>

#include "ferry/runtime/yaml_json.h"

namespace ferry::l7 {

using nlohmann::json;

namespace {

void flatten(const json& doc, std::vector<json>& out) {
  if (doc.is_array()) {
    for (const json& item : doc) flatten(item, out);
    return;
  }
  if (!doc.is_object()) return;
  const auto items = doc.find("items");
  if (items == doc.end() || !items->is_array()) {
    out.push_back(doc);
    return;
  }
  // "ServiceList" items carry no kind of their own; "List" items do.
  std::string list_kind = doc.value("kind", "");
  const std::string item_kind = list_kind.size() > 4 && list_kind.ends_with("List")
                                    ? list_kind.substr(0, list_kind.size() - 4)
                                    : "";
  for (json item : *items) {
    if (item.is_object() && !item.contains("kind") && !item_kind.empty()) item["kind"] = item_kind;
    flatten(item, out);
  }
}

}  // namespace

api::Result<std::vector<json>> loadObjectsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return api::Error{"cannot read objects file " + path};
  std::stringstream text;
  text << in.rdbuf();
  std::vector<json> out;
  json doc = json::parse(text.str(), nullptr, false);
  if (!doc.is_discarded()) {
    flatten(doc, out);
    return out;
  }
  auto docs = runtime::yamlDocuments(text.str());
  if (!docs.ok())
    return api::Error{"objects file " + path + ": neither JSON nor YAML: " + docs.error()};
  for (const json& d : *docs) flatten(d, out);
  return out;
}

api::Result<bool> FileObjectSource::start(ObjectSink& sink) {
  auto objects = loadObjectsFile(path_);
  if (!objects.ok()) return api::Error{objects.error()};
  for (const json& object : *objects) {
    auto applied = sink.apply(object.value("kind", ""), object);
    if (!applied.ok()) return api::Error{path_ + ": " + applied.error()};
  }
  sink.markSynced();
  return true;
}

}  // namespace ferry::l7

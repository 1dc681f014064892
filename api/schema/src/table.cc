#include "ferry/api/table.h"

#include "json_access.h"
#include "printers.h"

namespace ferry::api {

using nlohmann::json;

Result<IncludeObject> parseIncludeObject(std::string_view value) {
  if (value.empty() || value == "Metadata") return IncludeObject::kMetadata;
  if (value == "Object") return IncludeObject::kObject;
  if (value == "None") return IncludeObject::kNone;
  return Error{"unrecognized includeObject value: \"" + std::string(value) + "\""};
}

std::span<const TableColumn> tableColumns(const ResourceType& type) {
  return detail::printerFor(type.group, type.plural).columns;
}

json tableCells(const ResourceType& type, const json& object, TimePoint now) {
  return detail::printerFor(type.group, type.plural).print(object, now).cells;
}

json toTable(const ResourceType& type, const std::vector<json>& objects, TimePoint now,
             const TableOptions& options) {
  const auto& printer = detail::printerFor(type.group, type.plural);

  json columns = json::array();
  for (const auto& c : printer.columns) {
    columns.push_back({{"name", c.name},
                       {"type", c.type},
                       {"format", c.format},
                       {"description", c.description},
                       {"priority", c.priority}});
  }

  json rows = json::array();
  for (const auto& object : objects) {
    auto printed = printer.print(object, now);
    json row = {{"cells", std::move(printed.cells)}};
    if (!printed.conditions.is_null()) row["conditions"] = std::move(printed.conditions);
    switch (options.include_object) {
      case IncludeObject::kNone:
        row["object"] = nullptr;
        break;
      case IncludeObject::kMetadata: {
        // meta.AsPartialObjectMetadata: the whole ObjectMeta (managedFields included) under the
        // Table's own group-version.
        const json* metadata = detail::field(object, "metadata");
        row["object"] = {{"kind", "PartialObjectMetadata"},
                         {"apiVersion", options.api_version},
                         {"metadata", metadata ? *metadata : json::object()}};
        break;
      }
      case IncludeObject::kObject: {
        json full = object;
        if (full.is_object()) {
          if (!full.contains("kind")) full["kind"] = type.kind;
          if (!full.contains("apiVersion")) full["apiVersion"] = type.apiVersion();
        }
        row["object"] = std::move(full);
        break;
      }
    }
    rows.push_back(std::move(row));
  }

  json metadata = json::object();
  if (!options.resource_version.empty()) metadata["resourceVersion"] = options.resource_version;
  if (!options.continue_token.empty()) metadata["continue"] = options.continue_token;
  if (options.remaining_item_count) metadata["remainingItemCount"] = *options.remaining_item_count;

  return {{"kind", "Table"},
          {"apiVersion", options.api_version},
          {"metadata", std::move(metadata)},
          {"columnDefinitions", std::move(columns)},
          {"rows", std::move(rows)}};
}

}  // namespace ferry::api

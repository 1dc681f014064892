// Server-side printing: meta.k8s.io/v1 Table, what `kubectl get` asks for
// (Accept: application/json;as=Table;v=v1;g=meta.k8s.io) and prints column by column.
//
// Columns and cells reproduce kube-apiserver's printers (pkg/printers/internalversion,
// Kubernetes 1.32) for every resource in resources.h. As in kube-apiserver, the server always
// prints the wide form: columns with priority > 0 carry cells too and kubectl shows them only
// with `-o wide`.
//
// Objects are printed as stored. kube prints defaulted internal objects; where ferry's stored
// objects may lack a default the printer applies it (Service type ClusterIP, port protocol
// TCP, Secret type Opaque, Namespace phase Active) and falls back from the plural field kube
// fills by conversion to the singular one (spec.clusterIPs -> spec.clusterIP, status.podIPs ->
// status.podIP).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/resources.h"
#include "ferry/api/result.h"
#include "ferry/api/timestamp.h"

namespace ferry::api {

// ?includeObject= on a Table request: what each row's `object` holds. kube's default is
// Metadata (a meta.k8s.io/v1 PartialObjectMetadata); `kubectl get --sort-by` asks for Object.
enum class IncludeObject { kNone, kMetadata, kObject };

// Parses the query value: "" and "Metadata" -> kMetadata, "Object", "None". Anything else is an
// error the server reports as 400 BadRequest, like kube-apiserver.
Result<IncludeObject> parseIncludeObject(std::string_view value);

struct TableOptions {
  IncludeObject include_object = IncludeObject::kMetadata;
  std::string_view api_version = "meta.k8s.io/v1";  // or "meta.k8s.io/v1beta1"
  // ListMeta of the list the rows come from (for a single object: its resourceVersion).
  std::string resource_version;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
};

struct TableColumn {
  std::string_view name;    // as kube spells it: "Cluster-IP"; kubectl upper-cases it
  std::string_view type;    // "string", "integer", "date", ...
  std::string_view format;  // "name" for the column that identifies the row
  std::string_view description;
  int priority;  // 0: always shown, 1: `-o wide` only
};

// The columns kube-apiserver prints for `type`; resources without a printer get kube's default
// (Name, Created At).
std::span<const TableColumn> tableColumns(const ResourceType& type);

// The cells of one object's row, one per column.
nlohmann::json tableCells(const ResourceType& type, const nlohmann::json& object, TimePoint now);

// A complete Table: columnDefinitions, rows{cells, conditions?, object}, metadata.
nlohmann::json toTable(const ResourceType& type, const std::vector<nlohmann::json>& objects,
                       TimePoint now, const TableOptions& options = {});

}  // namespace ferry::api

// Per-resource printers behind table.h: column lists and row builders mirroring
// kube-apiserver's pkg/printers/internalversion (Kubernetes 1.32).
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "ferry/api/table.h"

namespace ferry::api::detail {

struct PrintedRow {
  nlohmann::json cells = nlohmann::json::array();
  nlohmann::json conditions;  // null, or TableRowCondition[] (pods that have completed)
};

using PrintFn = PrintedRow (*)(const nlohmann::json& object, TimePoint now);

struct Printer {
  std::span<const TableColumn> columns;
  PrintFn print;
};

// The printer for a group and resource (plural); the default printer when kube has none.
const Printer& printerFor(std::string_view group, std::string_view plural);

}  // namespace ferry::api::detail

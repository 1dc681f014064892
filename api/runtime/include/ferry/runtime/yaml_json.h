// YAML text as JSON values, the one conversion for every place that accepts YAML where the
// API speaks JSON (apply patches and YAML request bodies, objects files). JSON is YAML too.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::runtime {

// One JSON value per YAML document, in order (none for empty text). Scalars become booleans,
// null and numbers as YAML 1.1 plain scalars read them; quoted scalars stay strings. Error
// with the parser's message when the text is not YAML.
api::Result<std::vector<nlohmann::json>> yamlDocuments(std::string_view text);

}  // namespace ferry::runtime

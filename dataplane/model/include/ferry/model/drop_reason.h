// Names for the stable drop-reason table (ferry/abi/drop_reason.h). The names are metric
// label values (ferry_drops_total{reason="no_backend"}) and so, like the numbers, never change.
#pragma once

#include <string_view>

#include "ferry/abi/drop_reason.h"

namespace ferry::model {

using DropReason = ferry_drop_reason;

// "none", "truncated", ...; "unknown" for a value outside the table.
std::string_view dropReasonName(int reason);

}  // namespace ferry::model

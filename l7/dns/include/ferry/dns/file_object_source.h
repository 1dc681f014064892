// The objects-file source moved to ferry_l7_sources (ferry/l7/file_object_source.h), shared with
// ferry-ingress; these names keep ferry::dns code reading as before.
#pragma once

#include "ferry/l7/file_object_source.h"

namespace ferry::dns {

using l7::FileObjectSource;
using l7::loadObjectsFile;

}  // namespace ferry::dns

#include "ferry/model/service.h"

namespace ferry::model {

std::string ServiceName::toString() const {
  std::string out = ns + "/" + name;
  if (!port.empty()) out += ":" + port;
  return out;
}

}  // namespace ferry::model

#include "ferry/model/packet_view.h"

namespace ferry::model {

ParsedPacket parsePacket(std::span<const uint8_t> frame) {
  ParsedPacket out;
  int rc = ferry_parse(frame.data(), frame.data() + frame.size(), &out.pkt);
  if (rc == FERRY_PARSE_OK) {
    out.status = ParseStatus::kOk;
  } else if (rc == FERRY_PARSE_NOT_OURS) {
    out.status = ParseStatus::kNotOurs;
  } else {
    out.status = ParseStatus::kDrop;
    out.drop_reason = rc;
  }
  return out;
}

}  // namespace ferry::model

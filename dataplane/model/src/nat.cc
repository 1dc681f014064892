#include "ferry/model/nat.h"

namespace ferry::model {

int natRewrite(std::span<uint8_t> frame, ParsedPacket& parsed, NatSide side,
               const IpAddress& address, uint16_t port) {
  if (parsed.status != ParseStatus::kOk) return FERRY_DROP_NAT_FAILED;
  ferry_addr raw = address.raw();
  return ferry_nat_rewrite(frame.data(), frame.data() + frame.size(), &parsed.pkt,
                           static_cast<int>(side), &raw, ferry_htons(port));
}

}  // namespace ferry::model

#include "ferry/bench/wire.h"

#include <array>
#include <charconv>
#include <limits>

namespace ferry::bench {
namespace {

// The JSON string value that follows `key` ("key":"VALUE"), starting the search at `from`.
// Returns the value (without quotes) and moves `from` past it; nullopt when the key is absent.
// Values the benchmark scans for (names, base64) contain no escapes, so the first '"' ends them.
std::optional<std::string_view> stringField(std::string_view s, std::string_view key,
                                            std::size_t& from) {
  std::size_t at = s.find(key, from);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t begin = at + key.size();
  std::size_t end = s.find('"', begin);
  if (end == std::string_view::npos) return std::nullopt;
  from = end + 1;
  return s.substr(begin, end - begin);
}

}  // namespace

std::string configMapJson(std::string_view name, std::size_t total_bytes) {
  std::string head = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")";
  head.append(name);
  head += R"("},"data":{"v":")";
  constexpr std::string_view kTail = R"("}})";
  std::size_t skeleton = head.size() + kTail.size();
  std::size_t filler = total_bytes > skeleton ? total_bytes - skeleton : 0;
  head.append(filler, 'x');
  head.append(kTail);
  return head;
}

std::string etcdPutJson(std::string_view key, std::string_view value) {
  return R"({"key":")" + base64Encode(key) + R"(","value":")" + base64Encode(value) + R"("})";
}

std::string etcdWatchPrefixJson(std::string_view prefix) {
  std::string end(prefix);
  // clientv3.GetPrefixRangeEnd: increment the last byte that is not 0xff, dropping the rest.
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (end.empty()) {
    end = std::string(1, '\0');  // every key
  } else {
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  }
  return R"({"create_request":{"key":")" + base64Encode(prefix) + R"(","range_end":")" +
         base64Encode(end) + R"("}})";
}

std::optional<uint64_t> parseSequencedName(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view digits = name.substr(prefix.size());
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

void appendKubernetesWatchSeqs(std::string_view line, std::string_view prefix,
                               std::vector<uint64_t>& out) {
  // The event's own "type": first when the server writes it first (kube-apiserver), else the
  // last one in the line (ferry sorts keys, so "object" comes first and may hold a "type" of
  // its own for other kinds; ConfigMaps have none).
  constexpr std::string_view kType = R"("type":")";
  std::size_t from = line.starts_with(R"({"type":")") ? 0 : line.rfind(kType);
  if (from == std::string_view::npos) return;
  auto type = stringField(line, kType, from);
  if (!type || *type != "ADDED") return;
  // The object's own metadata.name: the first "name" after "metadata". ConfigMaps written by
  // the benchmark have no ownerReferences or managedFields that could carry another name first.
  std::size_t meta = line.find(R"("metadata":{)");
  if (meta == std::string_view::npos) return;
  from = meta;
  auto name = stringField(line, R"("name":")", from);
  if (!name) return;
  if (auto seq = parseSequencedName(*name, prefix)) out.push_back(*seq);
}

void appendEtcdWatchSeqs(std::string_view line, std::string_view key_prefix,
                         std::vector<uint64_t>& out) {
  std::size_t events = line.find(R"("events":[)");
  if (events == std::string_view::npos) return;
  std::size_t from = events;
  // Events are objects {"type":"DELETE"?,"kv":{"key":…}}; PUT is the default and is omitted
  // by the gateway's JSON marshaller, so look for a DELETE type between events.
  while (true) {
    std::size_t event_start = from;
    auto key = stringField(line, R"("key":")", from);
    if (!key) return;
    std::string_view between = line.substr(event_start, from - event_start);
    if (between.find(R"("type":"DELETE")") != std::string_view::npos) continue;
    auto decoded = base64Decode(*key);
    if (!decoded) continue;
    if (auto seq = parseSequencedName(*decoded, key_prefix)) out.push_back(*seq);
  }
}

}  // namespace ferry::bench

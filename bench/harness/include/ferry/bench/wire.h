// What ferry-bench puts on the wire and reads back from it: request bodies for the write
// benchmark (a Kubernetes ConfigMap, and the same document as an etcd key's value), base64 for
// etcd's JSON gateway, and the extraction of benchmark sequence numbers from watch streams.
//
// Watch lines are scanned, not parsed: a client that fans in 1000 TLS streams on one core must
// not add a JSON parse per delivery to the latency it measures. The scanners are exact for the
// compact JSON both servers emit and are tested against captured lines (test/bench).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/base64.h"

namespace ferry::bench {

// etcd's JSON gateway carries keys and values as RFC 4648 §4 base64.
using api::base64Decode;
using api::base64Encode;

// {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":NAME},"data":{"v":"xxx…"}} with the
// filler sized so the whole document is exactly `total_bytes` long (or as short as it can be
// when total_bytes is smaller than the skeleton).
std::string configMapJson(std::string_view name, std::size_t total_bytes);

// etcd v3 gateway PutRequest: {"key":base64(key),"value":base64(value)}.
std::string etcdPutJson(std::string_view key, std::string_view value);

// etcd v3 gateway WatchRequest for every key under `prefix` (range_end = prefix + 1 in its
// last byte, as clientv3.WithPrefix does).
std::string etcdWatchPrefixJson(std::string_view prefix);

// "<prefix><decimal>" -> the number; nullopt for anything else (other names, no digits,
// trailing junk, overflow).
std::optional<uint64_t> parseSequencedName(std::string_view name, std::string_view prefix);

// A Kubernetes watch event line ({"type":"ADDED","object":{…"metadata":{…"name":"…"}}}):
// appends the sequence number of the object's name when the event is ADDED and the name is
// "<prefix><n>". Other events (MODIFIED, BOOKMARK, ERROR, other names) append nothing.
void appendKubernetesWatchSeqs(std::string_view line, std::string_view prefix,
                               std::vector<uint64_t>& out);

// An etcd gateway watch response line ({"result":{…"events":[{"kv":{"key":"<b64>",…}},…]}}):
// appends the sequence number of every event key that decodes to "<key_prefix><n>". PUT events
// only (a DELETE event has "type":"DELETE" and is skipped).
void appendEtcdWatchSeqs(std::string_view line, std::string_view key_prefix,
                         std::vector<uint64_t>& out);

// Splits a byte stream into '\n'-terminated lines (the terminator is not passed on). A line
// longer than max_line is dropped whole and counted, so a misbehaving server cannot grow the
// client without bound.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line = 1 << 20) : max_line_(max_line) {}

  template <typename OnLine>
  void feed(std::string_view data, OnLine&& on_line) {
    while (!data.empty()) {
      std::size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        append(data);
        return;
      }
      std::string_view piece = data.substr(0, nl);
      data.remove_prefix(nl + 1);
      if (partial_.empty() && !overflowed_) {
        on_line(piece);
        continue;
      }
      append(piece);
      if (!overflowed_) on_line(std::string_view(partial_));
      partial_.clear();
      overflowed_ = false;
    }
  }

  std::size_t droppedLines() const { return dropped_; }

 private:
  void append(std::string_view piece) {
    if (overflowed_) return;
    if (partial_.size() + piece.size() > max_line_) {
      overflowed_ = true;
      ++dropped_;
      partial_.clear();
      return;
    }
    partial_.append(piece);
  }

  std::size_t max_line_;
  std::string partial_;
  bool overflowed_ = false;
  std::size_t dropped_ = 0;
};

}  // namespace ferry::bench

// The L7 daemons' choice of object source, from their flags: --objects FILE, or --kubeconfig
// (the control plane's feed, at --feed-address or the kubeconfig's host and --feed-port), one
// of them at most. Written once for ferry-dns and ferry-ingress.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/api/result.h"
#include "ferry/l7/object_sink.h"

namespace ferry::l7 {

struct ObjectSourceFlags {
  std::string objects;
  std::string kubeconfig;
  std::string feed_address;
  unsigned feed_port = 6444;
};

// The source the flags name (null when neither flag is set); an error for both, or for a
// kubeconfig that cannot be read. `client_name` identifies the daemon to the feed; `kinds` are
// the kinds it subscribes to.
api::Result<std::unique_ptr<ObjectSource>> makeObjectSource(const ObjectSourceFlags& flags,
                                                            const std::string& client_name,
                                                            std::vector<std::string> kinds);

}  // namespace ferry::l7

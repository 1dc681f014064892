#include "ferry/l7/object_source_flags.h"

#include "ferry/feed/kubeconfig.h"
#include "ferry/l7/feed_object_source.h"
#include "ferry/l7/file_object_source.h"

namespace ferry::l7 {

api::Result<std::unique_ptr<ObjectSource>> makeObjectSource(const ObjectSourceFlags& flags,
                                                            const std::string& client_name,
                                                            std::vector<std::string> kinds) {
  if (!flags.objects.empty() && !flags.kubeconfig.empty())
    return api::Error{"--objects and --kubeconfig are exclusive"};
  std::unique_ptr<ObjectSource> source;
  if (!flags.objects.empty()) source = std::make_unique<FileObjectSource>(flags.objects);
  if (!flags.kubeconfig.empty()) {
    auto creds = feed::readKubeconfig(flags.kubeconfig);
    if (!creds.ok()) return api::Error{creds.error()};
    auto options =
        feed::feedOptionsFrom(*creds, static_cast<uint16_t>(flags.feed_port), flags.feed_address);
    options.node_name = client_name;
    source = std::make_unique<FeedObjectSource>(options, std::move(kinds));
  }
  return source;
}

}  // namespace ferry::l7

#include "ferry/feed/node_heartbeat.h"

#include <grpcpp/grpcpp.h>

#include "ferry/feed/v1/feed.grpc.pb.h"
#include "ferry/runtime/log.h"

namespace ferry::feed {

NodeHeartbeat::NodeHeartbeat(NodeHeartbeatOptions options) : options_(std::move(options)) {}

NodeHeartbeat::~NodeHeartbeat() {
  stop();
}

void NodeHeartbeat::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void NodeHeartbeat::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NodeHeartbeat::run() {
  auto stub = v1::Feed::NewStub(makeFeedChannel(options_.connection));
  v1::NodeHeartbeat req;
  req.set_node_name(options_.connection.node_name);
  for (const auto& [type, address] : options_.addresses) {
    auto* a = req.add_addresses();
    a->set_type(type);
    a->set_address(address);
  }
  for (const auto& c : options_.pod_cidrs) req.add_pod_cidrs(c);
  req.set_agent_version(options_.agent_version);
  bool logged_failure = false;
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::HeartbeatReply reply;
    grpc::Status st = stub->Heartbeat(&ctx, req, &reply);
    if (st.ok()) {
      ++successes_;
      if (logged_failure) FERRY_LOG(kInfo, "node heartbeat recovered", {{"node", req.node_name()}});
      logged_failure = false;
    } else {
      ++failures_;
      if (!logged_failure)
        FERRY_LOG(kWarn, "node heartbeat failed",
                  {{"node", req.node_name()}, {"error", st.error_message()}});
      logged_failure = true;
    }
    std::unique_lock lock(mu_);
    // Retry sooner after a failure, so a restarted control plane sees the node quickly.
    const auto wait =
        st.ok() ? options_.interval : std::min(options_.interval, std::chrono::milliseconds(1000));
    if (cv_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

}  // namespace ferry::feed

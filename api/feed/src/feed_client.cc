#include "ferry/feed/feed_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <condition_variable>

#include "ferry/feed/v1/feed.grpc.pb.h"
#include "ferry/runtime/log.h"

namespace ferry::feed {

FeedClient::FeedClient(FeedClientOptions options, Listener listener)
    : options_(std::move(options)), listener_(std::move(listener)) {}

FeedClient::~FeedClient() {
  stop();
}

void FeedClient::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void FeedClient::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (context_) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

ObjectMap FeedClient::copyObjects() const {
  std::lock_guard lock(mu_);
  return state_.objects();
}

std::shared_ptr<grpc::Channel> makeFeedChannel(const FeedClientOptions& options) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options.ca_pem;
  auto creds = grpc::CompositeChannelCredentials(grpc::SslCredentials(ssl),
                                                 grpc::AccessTokenCredentials(options.token));
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(options.keepalive.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              static_cast<int>(std::max<int64_t>(1000, options.keepalive.count() / 2)));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 64 << 20);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(options.reconnect_max.count()));
  return grpc::CreateCustomChannel(options.target, creds, args);
}

void FeedClient::run() {
  auto channel = makeFeedChannel(options_);
  auto stub = v1::Feed::NewStub(channel);

  std::chrono::milliseconds backoff = options_.reconnect_min;
  std::mutex sleep_mu;
  std::condition_variable sleep_cv;
  for (;;) {
    grpc::ClientContext ctx;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      context_ = &ctx;
    }
    v1::SubscribeRequest req;
    req.set_node_name(options_.node_name);
    req.set_resume_revision(state_.synced() ? state_.revision() : 0);
    for (const auto& k : options_.kinds) req.add_kinds(k);
    auto reader = stub->Subscribe(&ctx, req);
    v1::FeedEvent event;
    bool got_any = false;
    while (reader->Read(&event)) {
      if (!got_any) {
        got_any = true;
        connected_ = true;
        ++connects_;
        backoff = options_.reconnect_min;
      }
      std::optional<FeedUpdate> update;
      {
        std::lock_guard lock(mu_);
        update = state_.apply(event);
      }
      if (!update) continue;
      if (update->full) ++snapshots_;
      revision_ = state_.revision();
      synced_ = state_.synced();
      if (listener_) listener_(state_, *update);
    }
    grpc::Status st = reader->Finish();
    connected_ = false;
    {
      std::lock_guard lock(mu_);
      context_ = nullptr;
      if (stopping_) return;
    }
    FERRY_LOG(kWarn, "feed stream ended",
              {{"target", options_.target},
               {"code", static_cast<int>(st.error_code())},
               {"error", st.error_message()}});
    // The last good state stays; wait, then resume from it.
    std::unique_lock lock(sleep_mu);
    sleep_cv.wait_for(lock, backoff);
    backoff = std::min(options_.reconnect_max, backoff * 2);
  }
}

}  // namespace ferry::feed

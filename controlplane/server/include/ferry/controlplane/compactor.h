// Keeps the store's history bounded, as kube-apiserver does with etcd: every `interval`, compact
// to the revision that was current one interval ago. Watchers that fall further behind than
// that get 410 Gone and re-list; everyone else never notices.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "ferry/store/store.h"

namespace ferry::controlplane {

class Compactor {
 public:
  Compactor(boost::asio::io_context& io, store::Store& store, std::chrono::seconds interval);
  void start();
  void stop();

 private:
  void arm();
  boost::asio::steady_timer timer_;
  store::Store& store_;
  std::chrono::seconds interval_;
  store::Revision previous_ = 0;
};

}  // namespace ferry::controlplane

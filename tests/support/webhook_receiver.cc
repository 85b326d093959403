#include "tests/support/webhook_receiver.h"

#include <httplib.h>

#include <chrono>

namespace ferry::testing {

WebhookReceiver::WebhookReceiver() : server_(std::make_unique<httplib::Server>()) {
  server_->Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    bodies_.push_back(nlohmann::json::parse(req.body, nullptr, false));
    res.status = answers_.empty() ? 200 : answers_.front();
    if (!answers_.empty()) answers_.erase(answers_.begin());
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // The socket already listens; wait for the loop so that stop() in the destructor reaches it.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

WebhookReceiver::~WebhookReceiver() {
  server_->stop();
  thread_.join();
}

std::string WebhookReceiver::url(const std::string& query) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/hook" + query;
}

void WebhookReceiver::Answer(std::vector<int> codes) {
  std::lock_guard lock(mu_);
  answers_ = std::move(codes);
}

std::vector<nlohmann::json> WebhookReceiver::bodies() {
  std::lock_guard lock(mu_);
  return bodies_;
}

}  // namespace ferry::testing

// A webhook receiver for alert tests: an HTTP server on a free loopback port that keeps the JSON
// body of every POST to /hook and answers each with the next status of Answer() (then 200).
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace ferry::testing {

class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  // http://127.0.0.1:PORT/hook followed by `query` (e.g. "?token=s3cret").
  std::string url(const std::string& query = "") const;
  // The statuses to answer the next POSTs with, in order.
  void Answer(std::vector<int> codes);
  std::vector<nlohmann::json> bodies();

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<nlohmann::json> bodies_;
  std::vector<int> answers_;
};

}  // namespace ferry::testing

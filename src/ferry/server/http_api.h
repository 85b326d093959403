// The HTTP API and web page of `ferry server`: instances, nodes, logs, figures and operations as
// JSON under /api/, and the operations page from assets compiled into the binary.
// Bad input gets a 4xx with {"error": message}, never a 500. With a token every /api/ call needs
// "Authorization: Bearer TOKEN"; state-changing calls (POST) need the header
// "X-Ferry-Request: 1" and, when the browser sends an Origin, one matching the Host, so another
// site cannot make a user's browser call them.
#pragma once

#include <memory>
#include <string>

#include "ferry/common/status.h"
#include "ferry/schedule/operations.h"
#include "ferry/schedule/store.h"
#include "ferry/server/studio_api.h"

namespace ferry {

struct ApiOptions {
  std::string token;  // empty: no token asked (loopback only)
  StudioOptions studio;
};

class HttpServer {
 public:
  // *store and *ops must outlive the server.
  HttpServer(Store* store, Operations* ops, ApiOptions options);
  ~HttpServer();

  // Binds host:port (port 0: any free port; see port()).
  Status Bind(const std::string& host, int port);
  int port() const { return port_; }
  // Serves until Stop(); call after Bind.
  void Serve();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// "127.0.0.1:8321" -> host, port. InvalidArgument names the text.
Result<std::pair<std::string, int>> ParseListen(const std::string& listen);
bool IsLoopback(const std::string& host);

}  // namespace ferry

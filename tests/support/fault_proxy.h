// FaultProxy: a loopback TCP proxy in front of a database server, for tests of a COMMIT whose
// reply is lost. It relays bytes both ways; while armed, a connection that sends the bytes
// "COMMIT" (a PostgreSQL simple query, a MySQL COM_QUERY) gets them forwarded, and then the
// client's side is closed at once and the server's reply thrown away: the server commits, the
// client never hears it.
//
// Contract: the target must be listening before the first client connects. One thread runs every
// connection (poll(2)); at most kMaxConnections at once, others are refused. The destructor stops
// the thread and closes everything.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace ferry::testing {

class FaultProxy {
 public:
  static constexpr int kMaxConnections = 64;

  // Listens on 127.0.0.1 at a port of the kernel's choice; forwards to host:port.
  FaultProxy(std::string target_host, int target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  // Lets `skip` COMMITs through, then loses the reply of the next `count` (each on its own
  // connection: that connection ends with it).
  void LoseCommitReplies(int count, int skip = 0);
  // COMMIT replies lost so far.
  int lost() const { return lost_.load(); }

 private:
  struct Loop;

  void Run(std::stop_token stop);
  void Accept();
  // Whether the COMMIT just seen loses its reply (counting down skip_, then to_lose_).
  bool TakeCommit();

  std::string target_host_;
  int target_port_ = 0;
  int port_ = 0;
  std::atomic<int> skip_{0};
  std::atomic<int> to_lose_{0};
  std::atomic<int> lost_{0};
  std::unique_ptr<Loop> loop_;
  std::jthread thread_;
};

}  // namespace ferry::testing

#include "tests/support/fault_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <vector>

namespace ferry::testing {
namespace {

constexpr std::string_view kCommit = "COMMIT";

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

int ConnectTo(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) CloseFd(&fd);
  }
  freeaddrinfo(found);
  return fd;
}

// Sends as much of `*pending` as the socket takes; false when the peer is gone.
bool SendSome(int fd, std::string* pending) {
  ssize_t n = send(fd, pending->data(), pending->size(), MSG_NOSIGNAL);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  pending->erase(0, static_cast<size_t>(n));
  return true;
}

// Reads what is there; empty with `*open` false at the end of the stream or on an error.
std::string RecvSome(int fd, bool* open) {
  char buf[64 << 10];
  ssize_t n = recv(fd, buf, sizeof(buf), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return {};
  *open = n > 0;
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace

struct FaultProxy::Loop {
  struct Conn {
    int client = -1;
    int server = -1;
    std::string to_server;
    std::string to_client;
    std::string tail;      // the client's last bytes, so a COMMIT split across reads is seen
    bool cutting = false;  // COMMIT seen: forward it, then close the client and drop replies
  };

  int listen_fd = -1;
  int wake[2] = {-1, -1};  // written once to stop the loop
  std::vector<Conn> conns;

  ~Loop() {
    for (Conn& c : conns) {
      CloseFd(&c.client);
      CloseFd(&c.server);
    }
    CloseFd(&listen_fd);
    CloseFd(&wake[0]);
    CloseFd(&wake[1]);
  }
};

FaultProxy::FaultProxy(std::string target_host, int target_port)
    : target_host_(std::move(target_host)), target_port_(target_port), loop_(new Loop) {
  if (pipe(loop_->wake) != 0) return;
  loop_->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (loop_->listen_fd < 0 ||
      bind(loop_->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(loop_->listen_fd, 64) != 0 ||
      getsockname(loop_->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return;
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

FaultProxy::~FaultProxy() {
  thread_.request_stop();
  if (loop_->wake[1] >= 0) (void)!write(loop_->wake[1], "x", 1);
  if (thread_.joinable()) thread_.join();
}

void FaultProxy::LoseCommitReplies(int count, int skip) {
  skip_ = skip;
  to_lose_ = count;
}

bool FaultProxy::TakeCommit() {
  for (int s = skip_.load(); s > 0;) {
    if (skip_.compare_exchange_weak(s, s - 1)) return false;
  }
  for (int t = to_lose_.load(); t > 0;) {
    if (to_lose_.compare_exchange_weak(t, t - 1)) {
      ++lost_;
      return true;
    }
  }
  return false;
}

void FaultProxy::Accept() {
  int client = accept(loop_->listen_fd, nullptr, nullptr);
  if (client < 0) return;
  if (static_cast<int>(loop_->conns.size()) >= kMaxConnections) {
    close(client);
    return;
  }
  int server = ConnectTo(target_host_, target_port_);
  if (server < 0) {
    close(client);
    return;
  }
  SetNonBlocking(client);
  SetNonBlocking(server);
  Loop::Conn& c = loop_->conns.emplace_back();
  c.client = client;
  c.server = server;
}

void FaultProxy::Run(std::stop_token stop) {
  Loop& loop = *loop_;
  while (!stop.stop_requested()) {
    std::vector<pollfd> fds = {{loop.wake[0], POLLIN, 0}, {loop.listen_fd, POLLIN, 0}};
    for (const Loop::Conn& c : loop.conns) {
      short client_events = 0, server_events = 0;
      if (c.client >= 0 && !c.cutting && c.to_server.empty()) client_events |= POLLIN;
      if (c.client >= 0 && !c.to_client.empty()) client_events |= POLLOUT;
      if (c.to_client.empty()) server_events |= POLLIN;
      if (!c.to_server.empty()) server_events |= POLLOUT;
      fds.push_back({c.client, client_events, 0});  // a negative fd is ignored by poll
      fds.push_back({c.server, server_events, 0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) return;
    const size_t before = loop.conns.size();
    for (size_t i = 0; i < before; ++i) {
      Loop::Conn& c = loop.conns[i];
      const short rc = fds[2 + 2 * i].revents, rs = fds[3 + 2 * i].revents;
      bool open = true;
      if (c.client >= 0 && (rc & (POLLIN | POLLHUP | POLLERR)) && !c.cutting &&
          c.to_server.empty()) {
        std::string data = RecvSome(c.client, &open);
        if (!open) {
          CloseFd(&c.client);
          CloseFd(&c.server);
          continue;
        }
        std::string seen = c.tail + data;
        if (seen.find(kCommit) != std::string::npos && TakeCommit()) c.cutting = true;
        c.tail = seen.substr(seen.size() > kCommit.size() ? seen.size() - kCommit.size() + 1 : 0);
        c.to_server += data;
      }
      if (c.server >= 0 && (rs & (POLLOUT | POLLERR)) && !c.to_server.empty()) {
        if (!SendSome(c.server, &c.to_server)) {
          CloseFd(&c.client);
          CloseFd(&c.server);
          continue;
        }
      }
      if (c.cutting && c.client >= 0 && c.to_server.empty()) {
        // The server has the COMMIT; the client hears nothing more, the server sees the end.
        CloseFd(&c.client);
        c.to_client.clear();
        shutdown(c.server, SHUT_WR);
      }
      if (c.server >= 0 && (rs & (POLLIN | POLLHUP | POLLERR)) && c.to_client.empty()) {
        std::string data = RecvSome(c.server, &open);
        if (!open) {
          CloseFd(&c.client);
          CloseFd(&c.server);
          continue;
        }
        if (c.client >= 0 && !c.cutting) c.to_client += data;
      }
      if (c.client >= 0 && (rc & (POLLOUT | POLLERR)) && !c.to_client.empty()) {
        if (!SendSome(c.client, &c.to_client)) {
          CloseFd(&c.client);
          CloseFd(&c.server);
        }
      }
    }
    std::erase_if(loop.conns, [](const Loop::Conn& c) { return c.server < 0; });
    if (fds[1].revents & POLLIN) Accept();
  }
}

}  // namespace ferry::testing

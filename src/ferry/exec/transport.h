// Transport: how the ranks of a distributed run talk (DESIGN 8). Ranks are numbered 0..size-1;
// rank 0 coordinates. Messages are small JSON texts. Open MPI carries them between hosts
// (dist/mpi_transport.h); tests run ranks as threads of one process (exec/testing/).
//
// One thread per rank calls Send and Receive. Messages from one rank to another arrive in the
// order they were sent.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "ferry/common/status.h"

namespace ferry {

struct TransportMessage {
  int from = 0;
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Queues `body` for rank `to`; does not wait for the receiver.
  virtual Status Send(int to, std::string body) = 0;
  // The next message for this rank, waiting at most `timeout` (zero: only what has arrived);
  // nullopt when none came.
  virtual Result<std::optional<TransportMessage>> Receive(std::chrono::milliseconds timeout) = 0;
};

}  // namespace ferry

// MpiTransport: the ranks of a distributed run over Open MPI's MPI_COMM_WORLD (C API). The only
// code that includes mpi.h; only a process that mpirun or srun started opens one (a run on one
// machine never initializes MPI).
//
// MPI is initialized as MPI_THREAD_FUNNELED: the thread that opens the transport is the one
// that sends and receives, and the one that destroys it (which completes the sends in flight,
// then finalizes MPI).
#pragma once

#include <list>
#include <memory>
#include <string>

#include "ferry/exec/transport.h"

namespace ferry {

class MpiTransport : public Transport {
 public:
  static Result<std::unique_ptr<MpiTransport>> Open();
  ~MpiTransport() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  Status Send(int to, std::string body) override;
  Result<std::optional<TransportMessage>> Receive(std::chrono::milliseconds timeout) override;

 private:
  struct PendingSend;
  MpiTransport(int rank, int size);
  void ReapSends();

  int rank_;
  int size_;
  std::list<std::unique_ptr<PendingSend>> sends_;
};

}  // namespace ferry

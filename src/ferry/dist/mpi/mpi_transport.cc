#include "ferry/dist/mpi/mpi_transport.h"

#include <fmt/format.h>
#include <mpi.h>

#include <thread>

namespace ferry {
namespace {

constexpr int kTag = 7;

Status MpiError(const char* call, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  return Status::Unavailable(fmt::format("{}: {}", call, std::string(text, len)));
}

}  // namespace

struct MpiTransport::PendingSend {
  std::string body;
  MPI_Request request = MPI_REQUEST_NULL;
};

MpiTransport::MpiTransport(int rank, int size) : rank_(rank), size_(size) {}

Result<std::unique_ptr<MpiTransport>> MpiTransport::Open() {
  int provided = 0;
  int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (rc != MPI_SUCCESS) return MpiError("MPI_Init_thread", rc);
  // Errors come back as codes (reported with the rank's host), not as an abort of the job.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return std::unique_ptr<MpiTransport>(new MpiTransport(rank, size));
}

MpiTransport::~MpiTransport() {
  // A message still in flight (the coordinator's last "bye") is delivered before MPI ends.
  for (auto& s : sends_) MPI_Wait(&s->request, MPI_STATUS_IGNORE);
  sends_.clear();
  MPI_Finalize();
}

void MpiTransport::ReapSends() {
  for (auto it = sends_.begin(); it != sends_.end();) {
    int done = 0;
    MPI_Test(&(*it)->request, &done, MPI_STATUS_IGNORE);
    it = done ? sends_.erase(it) : std::next(it);
  }
}

Status MpiTransport::Send(int to, std::string body) {
  auto s = std::make_unique<PendingSend>();
  s->body = std::move(body);
  int rc = MPI_Isend(s->body.data(), static_cast<int>(s->body.size()), MPI_CHAR, to, kTag,
                     MPI_COMM_WORLD, &s->request);
  if (rc != MPI_SUCCESS) return MpiError("MPI_Isend", rc);
  sends_.push_back(std::move(s));
  ReapSends();
  return Status::OK();
}

Result<std::optional<TransportMessage>> MpiTransport::Receive(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    int flag = 0;
    MPI_Status status;
    int rc = MPI_Iprobe(MPI_ANY_SOURCE, kTag, MPI_COMM_WORLD, &flag, &status);
    if (rc != MPI_SUCCESS) return MpiError("MPI_Iprobe", rc);
    if (flag) {
      int count = 0;
      MPI_Get_count(&status, MPI_CHAR, &count);
      TransportMessage m;
      m.from = status.MPI_SOURCE;
      m.body.resize(static_cast<size_t>(count));
      rc = MPI_Recv(m.body.data(), count, MPI_CHAR, status.MPI_SOURCE, kTag, MPI_COMM_WORLD,
                    MPI_STATUS_IGNORE);
      if (rc != MPI_SUCCESS) return MpiError("MPI_Recv", rc);
      return std::optional<TransportMessage>(std::move(m));
    }
    ReapSends();
    if (std::chrono::steady_clock::now() >= until) return std::optional<TransportMessage>();
    // MPI has no wait-for-any-message with a timeout: poll, backing off to 1 ms when idle.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

}  // namespace ferry

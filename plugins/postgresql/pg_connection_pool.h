// PgConnectionPool: the idle connections a step's finished tasks leave, for its next tasks, so
// a job of many splits (fine splitPk ranges, hundreds of sharded tables) opens about one
// connection per channel rather than one per split. A new connection costs the server a process,
// SCRAM on both sides and a cold catalog cache: 6-15 ms before its first statement on a local
// server, several round trips more over a WAN.
//
// A connection comes back only when its last transaction ended with a known outcome: alive,
// outside any transaction, no COPY in progress (Return checks). One that waited longer than
// kMaxIdle is closed rather than trusted (a firewall may have dropped it silently, and its first
// statement would wait for TCP to give up). A reused connection first answers a statement that
// names it for its new task (application_name), so one the server closed meanwhile (a restart,
// idle_session_timeout) costs a new connection, not a failed split.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ferry/plugin/sql/sql_sources.h"
#include "plugins/postgresql/pg_connection.h"

namespace ferry::pg {

// Connects to `source` (its address, then each fallback in order); the error names every one.
// `used`, when given, receives the address that answered.
Result<PgConnection> ConnectSource(const SqlSource& source, const std::string& application_name,
                                   ConnectionSpec* used);

class PgConnectionPool {
 public:
  static constexpr std::chrono::seconds kMaxIdle{60};

  // Keeps at most `capacity` idle connections in all (a step's channels, whatever the number of
  // databases it reads: a job over a hundred shards must not hold a hundred idle connections),
  // none idle for longer than `max_idle`.
  explicit PgConnectionPool(size_t capacity,
                            std::chrono::steady_clock::duration max_idle = kMaxIdle)
      : capacity_(capacity), max_idle_(max_idle) {}

  struct Lease {
    PgConnection conn;
    bool reused = false;  // it served an earlier task (session state such as a temp table kept)
  };
  // An idle connection to database `key` renamed `application_name`, or a new one to `source`
  // (its address, then its fallbacks). `key` tells the databases of a step apart.
  Result<Lease> Connect(size_t key, const SqlSource& source, const std::string& application_name);
  // Keeps `conn` (to database `key`) for a later task when it is reusable; else closes it. A
  // full pool closes its longest idle connection to make room.
  void Return(size_t key, PgConnection conn);

  size_t opened() const;  // connections Connect opened (not reused), for tests

 private:
  struct Idle {
    size_t key = 0;
    PgConnection conn;
    std::chrono::steady_clock::time_point since;
  };
  // The most recently returned idle connection to `key`, not older than max_idle_; closes the
  // older ones it passes.
  std::optional<PgConnection> TakeIdle(size_t key);

  const size_t capacity_;
  const std::chrono::steady_clock::duration max_idle_;
  mutable std::mutex mu_;
  std::vector<Idle> idle_;  // oldest first
  size_t opened_ = 0;
};

}  // namespace ferry::pg

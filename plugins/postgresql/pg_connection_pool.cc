#include "plugins/postgresql/pg_connection_pool.h"

#include <libpq-fe.h>

namespace ferry::pg {

Result<PgConnection> ConnectSource(const SqlSource& source, const std::string& application_name,
                                   ConnectionSpec* used) {
  std::vector<const ConnectionSpec*> candidates = {&source.conn};
  for (const ConnectionSpec& f : source.fallbacks) candidates.push_back(&f);
  std::string tried;
  Status last;
  for (const ConnectionSpec* spec : candidates) {
    auto conn = spec->invalid.empty()
                    ? PgConnection::Connect(*spec, application_name)
                    : Result<PgConnection>(Status::InvalidArgument(spec->invalid));
    if (conn.ok()) {
      if (used != nullptr) *used = *spec;
      return conn;
    }
    last = conn.status();
    if (!tried.empty()) tried += "; ";
    tried += conn.status().message();
  }
  if (candidates.size() == 1) return last;
  return Status(last.code(), "no jdbcUrl connected: " + tried);
}

Result<PgConnectionPool::Lease> PgConnectionPool::Connect(size_t key, const SqlSource& source,
                                                          const std::string& application_name) {
  while (std::optional<PgConnection> idle = TakeIdle(key)) {
    // The first statement after the wait: a connection the server closed fails it here, and
    // is replaced. set_config takes the name as a parameter (no quoting).
    auto named = idle->Query("SELECT set_config('application_name', $1, false)", {application_name},
                             "naming the connection");
    if (named.ok()) return Lease{std::move(*idle), true};
  }
  ASSIGN_OR_RETURN(PgConnection conn, ConnectSource(source, application_name, nullptr));
  {
    std::lock_guard lock(mu_);
    ++opened_;
  }
  return Lease{std::move(conn), false};
}

void PgConnectionPool::Return(size_t key, PgConnection conn) {
  if (capacity_ == 0 || !conn.alive() || PQtransactionStatus(conn.get()) != PQTRANS_IDLE) return;
  conn.set_constraint_columns(nullptr);
  Idle evicted;  // closed outside the lock
  std::lock_guard lock(mu_);
  if (idle_.size() >= capacity_) {
    evicted = std::move(idle_.front());
    idle_.erase(idle_.begin());
  }
  idle_.push_back({key, std::move(conn), std::chrono::steady_clock::now()});
}

std::optional<PgConnection> PgConnectionPool::TakeIdle(size_t key) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<Idle> stale;  // closed outside the lock
  std::lock_guard lock(mu_);
  for (size_t i = idle_.size(); i-- > 0;) {
    if (now - idle_[i].since > max_idle_) {
      stale.push_back(std::move(idle_[i]));
      idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (idle_[i].key == key) {
      PgConnection out = std::move(idle_[i].conn);
      idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
      return out;
    }
  }
  return std::nullopt;
}

size_t PgConnectionPool::opened() const {
  std::lock_guard lock(mu_);
  return opened_;
}

}  // namespace ferry::pg

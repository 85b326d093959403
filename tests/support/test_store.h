// Test support for code that runs on either scheduler store: a SQLite file in the test's folder,
// or a fresh schema of the throwaway PostgreSQL server (dropped when this object dies, so it must
// outlive every Store opened on it).
#pragma once

#include <memory>
#include <string>

#include "ferry/schedule/store.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {

class TestStoreLocation {
 public:
  // `kind`: "sqlite" or "postgresql"; `dir` holds the SQLite file.
  TestStoreLocation(std::string kind, std::string dir)
      : kind_(std::move(kind)), dir_(std::move(dir)) {}

  // The same location on every call.
  std::string location();
  // Opens (another connection to) the store; fails the test and returns null when it cannot.
  std::unique_ptr<Store> Open();
  const std::string& schema() const;

 private:
  std::string kind_;
  std::string dir_;
  std::unique_ptr<PgTestSchema> schema_;
};

}  // namespace ferry::testing

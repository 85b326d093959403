#include "tests/support/test_store.h"

#include <gtest/gtest.h>

namespace ferry::testing {

std::string TestStoreLocation::location() {
  if (kind_ == "sqlite") return dir_ + "/store.db";
  if (!schema_) schema_ = std::make_unique<PgTestSchema>();
  return TestPgServer().Url() + "?schema=" + schema_->name();
}

std::unique_ptr<Store> TestStoreLocation::Open() {
  auto store = Store::Open(location());
  EXPECT_TRUE(store.ok()) << store.status().message();
  return store.ok() ? std::move(*store) : nullptr;
}

const std::string& TestStoreLocation::schema() const {
  static const std::string kNone;
  return schema_ ? schema_->name() : kNone;
}

}  // namespace ferry::testing

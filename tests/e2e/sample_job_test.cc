// The README's first command: the sample job moves exactly one business day of orders.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

TEST(SampleJob, MovesExactlyTheBusinessDayOfOrders) {
  TempDir dir;
  WriteTextFile(dir / "examples/orders_to_csv.json",
                ReadTextFile(SourceDir() + "/examples/orders_to_csv.json"));
  std::string make = "bash " + SourceDir() + "/examples/make-orders-db.sh " +
                     (dir / "examples/orders.db") + " >/dev/null";
  ASSERT_EQ(std::system(make.c_str()), 0);
  CliResult r =
      RunFerry({"run", "examples/orders_to_csv.json", "--bizdate", "20251031", "--run-dir", "run"},
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream csv(ReadTextFile(dir / "examples/out/orders_20251031.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "id,customer_id,amount,status,note,gmt_create,bizdate");
  int rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    EXPECT_THAT(line, ::testing::HasSubstr(",2025-10-31 ")) << line;
    EXPECT_THAT(line, ::testing::EndsWith(",20251031")) << line;
  }
  auto expected = SqliteRows(dir / "examples/orders.db",
                             "SELECT count(*) FROM orders WHERE gmt_create >= '2025-10-31' AND "
                             "gmt_create < '2025-11-01'");
  EXPECT_EQ(std::to_string(rows), expected.at(0));
  EXPECT_EQ(rows, 1000);
}

}  // namespace
}  // namespace ferry::testing

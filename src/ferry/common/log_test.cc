// Passwords never reach a log line, an error or a printed job.
#include "ferry/common/log.h"

#include <gtest/gtest.h>

#include "ferry/job/job_model.h"

namespace ferry {
namespace {

TEST(SecretMasking, RegisteredSecretIsMaskedEverywhereInALine) {
  RegisterSecret("s3cr3t-pw");
  EXPECT_EQ(MaskSecrets("auth failed for s3cr3t-pw (tried s3cr3t-pw twice)"),
            "auth failed for ****** (tried ****** twice)");
}

TEST(SecretMasking, PasswordsInJobParametersAndUrlsAreMasked) {
  nlohmann::json job = {
      {"parameter",
       {{"password", "hunter2"},
        {"jdbcUrl", "jdbc:mysql://db:3306/shop?user=etl&password=hunter2&useSSL=false"},
        {"url", "postgresql://etl:hunter2@db:5432/dw"},
        {"table", "orders"}}}};
  std::string printed = MaskSecretsInJson(job).dump();
  EXPECT_EQ(printed.find("hunter2"), std::string::npos) << printed;
  EXPECT_NE(printed.find("password=******&useSSL=false"), std::string::npos) << printed;
  EXPECT_NE(printed.find("postgresql://etl:******@db:5432/dw"), std::string::npos) << printed;
  EXPECT_NE(printed.find("\"table\":\"orders\""), std::string::npos) << printed;
}

}  // namespace
}  // namespace ferry

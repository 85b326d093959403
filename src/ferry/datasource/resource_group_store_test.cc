#include "ferry/datasource/resource_group_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ferry {
namespace {

using ::testing::HasSubstr;

class ResourceGroupStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ferry-rg-XXXXXX";
    home_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(home_); }
  std::string home_;
};

TEST_F(ResourceGroupStoreTest, SavedGroupsReadBack) {
  ResourceGroupStore store(home_);
  ASSERT_TRUE(store.Load().ok());
  EXPECT_TRUE(store.groups().empty());
  ASSERT_TRUE(store.Put({"etl", {{"h1", 4}, {"h2", 4}}}, false).ok());
  ASSERT_TRUE(store.Put({"small", {{"h3", 2}}}, false).ok());
  ASSERT_TRUE(store.Save().ok());

  ResourceGroupStore again(home_);
  ASSERT_TRUE(again.Load().ok());
  auto etl = again.Get("etl");
  ASSERT_TRUE(etl.ok());
  EXPECT_EQ(FormatHostList(etl->hosts), "h1:4,h2:4");
  EXPECT_EQ(etl->total_slots(), 8);
  EXPECT_EQ(again.groups().size(), 2u);
  struct stat st;
  ASSERT_EQ(::stat(home_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(ResourceGroupStoreTest, NamesAreUniqueUnlessReplaced) {
  ResourceGroupStore store(home_);
  ASSERT_TRUE(store.Put({"etl", {{"h1", 4}}}, false).ok());
  EXPECT_THAT(store.Put({"etl", {{"h2", 4}}}, false).message(), HasSubstr("--replace"));
  ASSERT_TRUE(store.Put({"etl", {{"h2", 4}}}, true).ok());
  EXPECT_EQ(store.Get("etl")->hosts[0].host, "h2");
  EXPECT_THAT(store.Put({"bad name", {{"h2", 4}}}, false).message(), HasSubstr("letters"));
  EXPECT_THAT(store.Put({"empty", {}}, false).message(), HasSubstr("names no host"));
}

TEST_F(ResourceGroupStoreTest, UnknownGroupListsTheKnownOnes) {
  ResourceGroupStore store(home_);
  ASSERT_TRUE(store.Put({"etl", {{"h1", 4}}}, false).ok());
  EXPECT_THAT(store.Get("elt").status().message(), HasSubstr("(known: etl)"));
  EXPECT_THAT(store.Remove("elt").message(), HasSubstr("no resource group named 'elt'"));
  ASSERT_TRUE(store.Remove("etl").ok());
  EXPECT_TRUE(store.groups().empty());
}

TEST_F(ResourceGroupStoreTest, ABrokenFileIsNamed) {
  std::ofstream(home_ + "/resource_groups.json")
      << R"({"version": 1, "resource_groups": {"etl": {"hosts": "h1:zero"}}})";
  ResourceGroupStore store(home_);
  Status st = store.Load();
  EXPECT_THAT(st.message(), HasSubstr("resource_groups.json: resource group 'etl'"));
  EXPECT_THAT(st.message(), HasSubstr("slots of h1"));
}

}  // namespace
}  // namespace ferry

#include <gtest/gtest.h>

#include "ferry/plugin/registry.h"

namespace ferry {

PluginInfo TxtfilePluginInfo();

namespace {

TEST(TxtfilePluginTest, DeclaresEveryParameterWithADescription) {
  PluginInfo info = TxtfilePluginInfo();
  EXPECT_EQ(info.name, "txtfile");
  ASSERT_TRUE(info.make_reader);
  ASSERT_TRUE(info.make_writer);
  EXPECT_NE(info.make_reader(), nullptr);
  EXPECT_NE(info.make_writer(), nullptr);
  for (const char* name : {"path", "column", "fileFormat", "fieldDelimiter", "encoding", "compress",
                           "skipHeader", "nullFormat", "csvReaderConfig"}) {
    const ParamDef* def = FindParam(info.reader_params, name);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_FALSE(def->description.empty()) << name;
  }
  for (const char* name :
       {"path", "fileName", "writeMode", "fileFormat", "fieldDelimiter", "compress", "header",
        "nullFormat", "dateFormat", "encoding", "fileMode"}) {
    const ParamDef* def = FindParam(info.writer_params, name);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_FALSE(def->description.empty()) << name;
  }
  EXPECT_TRUE(FindParam(info.reader_params, "path")->required);
  EXPECT_TRUE(FindParam(info.writer_params, "fileName")->required);
  EXPECT_EQ(FindParam(info.reader_params, "nullFormat")->default_value, "\\N");
  EXPECT_EQ(FindParam(info.writer_params, "writeMode")->default_value, "append");
  EXPECT_EQ(info.write_modes, (std::vector<std::string>{"truncate", "append", "nonConflict"}));
}

}  // namespace
}  // namespace ferry

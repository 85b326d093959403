// The stream plugin's parameters and registration.
#include "ferry/plugin/registry.h"
#include "plugins/stream/stream_reader.h"
#include "plugins/stream/stream_writer.h"

namespace ferry {

PluginInfo StreamPluginInfo() {
  PluginInfo info;
  info.name = "stream";
  info.description = "generated records in, printed records out (DataX streamreader/streamwriter)";
  info.make_reader = [] { return std::make_unique<StreamReader>(); };
  info.reader_params = {
      {.name = "column",
       .type = ParamType::kArray,
       .required = true,
       .description = "columns to generate: {\"type\": \"long\", \"value\": \"10\"} or "
                      "{\"type\": \"long\", \"random\": \"1,100\"}; types long, double, string, "
                      "bool, date, timestamp, decimal, bytes",
       .example = nlohmann::json::array(
           {{{"type", "long"}, {"random", "1,1000"}}, {{"type", "string"}, {"value", "hello"}}})},
      {.name = "sliceRecordCount",
       .type = ParamType::kInteger,
       .required = true,
       .description = "records each channel generates",
       .example = 10},
  };
  info.make_writer = [] { return std::make_unique<StreamWriter>(); };
  info.writer_params = {
      {.name = "print",
       .type = ParamType::kBool,
       .default_value = true,
       .description = "print records on standard output; false only counts them"},
      {.name = "fieldDelimiter",
       .type = ParamType::kString,
       .default_value = "\t",
       .description = "separator between printed fields"},
      {.name = "nullFormat",
       .type = ParamType::kString,
       .default_value = "null",
       .description = "how a NULL is printed"},
      {.name = "encoding",
       .type = ParamType::kString,
       .default_value = "UTF-8",
       .description = "output encoding (UTF-8 only)",
       .allowed = {"UTF-8"}},
  };
  info.write_modes = {};
  info.transactional = false;
  return info;
}

}  // namespace ferry

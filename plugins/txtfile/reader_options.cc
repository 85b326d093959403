#include "plugins/txtfile/reader_options.h"

#include "ferry/plugin/step_context.h"

namespace ferry::txtfile {

Result<ReaderOptions> ParseReaderOptions(const nlohmann::json& param) {
  ReaderOptions o;
  o.paths = StringOrList(param, "path");
  if (o.paths.empty()) {
    return Status::InvalidArgument("path is required: a file, a glob or a list of them")
        .WithField("path");
  }
  ASSIGN_OR_RETURN(o.dialect, ParseDialect(param));
  auto compress = param.find("compress");
  if (compress != param.end() && !compress->is_null()) {
    ASSIGN_OR_RETURN(o.compression, ParseCompression(compress->get<std::string>()));
  }
  o.skip_header = ParamOr<bool>(param, "skipHeader", false);
  auto column = param.find("column");
  ASSIGN_OR_RETURN(o.columns,
                   ParseReaderColumns(column == param.end() ? nlohmann::json() : *column));
  return o;
}

}  // namespace ferry::txtfile

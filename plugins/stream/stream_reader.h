// StreamReader: generates records (DataX streamreader). Each column is a constant `value` or a
// `random` range; each channel's split yields `sliceRecordCount` records. It measures the
// engine's own ceiling and feeds tests without a source system.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/reader.h"

namespace ferry {

class StreamReader : public Reader {
 public:
  struct ColumnGen {
    TypeId type = TypeId::kString;
    Value constant;  // used when !random; text points into `text`
    std::string text;
    bool random = false;
    int64_t lo = 0, hi = 0;  // random range, inclusive (double: as doubles)
    double dlo = 0, dhi = 0;
  };

  Status Prepare(const StepContext& ctx) override;
  std::vector<ColumnInfo> OutputColumns() const override;
  Result<std::vector<Split>> PlanSplits(int concurrent) override;
  Result<std::unique_ptr<ReaderTask>> OpenTask(const Split& split) override;

 private:
  std::vector<ColumnGen> columns_;
  int64_t slice_record_count_ = 0;
};

}  // namespace ferry

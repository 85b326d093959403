// Publishing committed parts as the writer's final output (Writer::Finalize on success).
// Parts are whole gzip members / zstd frames / plain text, so joining their bytes in plan order
// gives a valid file without recompressing. `header_block` is the encoded header line (empty
// when there is none); in perSplit mode each part already begins with it.
#pragma once

#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "plugins/txtfile/output_layout.h"

namespace ferry::txtfile {

// Joins the parts of `split_ids` into the single output file: assembled in a temp file and
// renamed over it, or, when `append` and the file is not empty, appended to it (no header).
Status PublishSingle(const OutputLayout& layout, const std::vector<std::string>& split_ids,
                     const std::string& header_block, bool append);

// Renames each part to its split's output file, or, when `append` and that file is not empty,
// appends the part to it without its header block.
Status PublishPerSplit(const OutputLayout& layout, const std::vector<std::string>& split_ids,
                       const std::string& header_block, bool append);

// Removes the parts (and temp parts) of `split_ids`.
Status RemoveParts(const OutputLayout& layout, const std::vector<std::string>& split_ids);

}  // namespace ferry::txtfile

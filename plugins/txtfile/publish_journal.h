// PublishJournal: what the txtfile writer's publishing step decided and how far it got, kept as
// txtfile-publish.json in the run directory so that a run killed while publishing can finish
// it on `ferry run --resume`. Written (atomically) before publishing changes any output file,
// and again, as done, once every output file is in place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"

namespace ferry::txtfile {

// One output file and how it is made from committed parts.
struct OutputFile {
  enum class Make {
    kAssemble,  // header block + parts, in order, into a temp file renamed over `path`
    kRename,    // the one part renamed to `path`
    kAppend,    // parts appended to `path`, which is first cut back to `base_size`
  };

  Make make = Make::kAssemble;
  std::string path;
  std::vector<std::string> split_ids;  // its parts, in plan order
  bool with_header = false;            // kAssemble: the file starts with the header block
  uint64_t base_size = 0;              // kAppend: the file's size before publishing
  uint64_t skip = 0;                   // kAppend: leading bytes of each part left out (header)

  bool operator==(const OutputFile&) const = default;
};

struct PublishJournal {
  bool done = false;  // every output file is in place; only leftover parts may remain
  std::vector<OutputFile> outputs;

  bool operator==(const PublishJournal&) const = default;
};

// The journal's file name in a run directory.
inline constexpr char kPublishJournalName[] = "txtfile-publish.json";

std::string PublishJournalToJson(const PublishJournal& journal);
// FailedPrecondition when `text` is not a journal this version wrote.
Result<PublishJournal> PublishJournalFromJson(const std::string& text, const std::string& path);

// The journal at `path`, or nullopt when there is none.
Result<std::optional<PublishJournal>> ReadPublishJournal(const std::string& path);
// Replaces the journal at `path` atomically and durably.
Status WritePublishJournal(const std::string& path, const PublishJournal& journal);

}  // namespace ferry::txtfile

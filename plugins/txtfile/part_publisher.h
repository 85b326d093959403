// PartPublisher: turns a txtfile writer's committed parts into its output files (Writer::Finalize
// on success), as one step that a kill at any moment cannot spoil. It decides how each output
// file is made, records that in the PublishJournal before changing any output file, makes the
// files, records the journal done, and only then removes the parts. Every step can be done again
// from the parts, so a resumed Publish finishes the work with every row exactly once: an append
// is redone after cutting the file back to its recorded size, an assembled file is assembled
// again, and a part that is gone was already renamed into place (parts are only removed after
// "done"). Parts are whole gzip members / zstd frames / plain text, so joining their bytes gives
// a valid file without recompressing; in perSplit mode each part already begins with the header.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "plugins/txtfile/output_layout.h"
#include "plugins/txtfile/publish_journal.h"
#include "plugins/txtfile/writer_options.h"

namespace ferry::txtfile {

// The places where publishing may be stopped, each right before the step it names:
// kPublishStepPoint before each rename or append (of a part, or of the assembled file),
// kPublishDonePoint before the journal is marked done, kPublishCleanupPoint before the parts
// are removed.
inline constexpr char kPublishStepPoint[] = "txtfile.publish.rename";
inline constexpr char kPublishDonePoint[] = "txtfile.publish.done";
inline constexpr char kPublishCleanupPoint[] = "txtfile.publish.cleanup";

// Called at each of those places. The default calls ferry::FaultPoint (a test can SIGKILL the
// process there); a unit test's hook returns an error to stop publishing there instead.
using PublishHook = std::function<Status(const char* point)>;

struct PublishSettings {
  FileMode file_mode = FileMode::kSingle;
  bool append = false;       // writeMode append: add to existing non-empty output files
  std::string header_block;  // the encoded header line; empty without a header
  // The journal file; empty (ferry check, some unit tests): publishing is not resumable.
  std::string journal_path;
};

class PartPublisher {
 public:
  PartPublisher(OutputLayout layout, PublishSettings settings, PublishHook hook = {});

  // Publishes the parts of `split_ids` (in plan order), or, when the journal says publishing
  // already started, finishes what it recorded (`split_ids` is then not looked at).
  Status Publish(const std::vector<std::string>& split_ids);

 private:
  Result<PublishJournal> Plan(const std::vector<std::string>& split_ids) const;
  Result<OutputFile> PlanSingle(const std::vector<std::string>& split_ids) const;
  Result<OutputFile> PlanSplitFile(const std::string& split_id) const;

  Status Make(const OutputFile& out) const;
  Status Assemble(const OutputFile& out) const;
  Status Rename(const OutputFile& out) const;
  Status Append(const OutputFile& out) const;
  // Appends the parts of `out` to `fd` (open on `path`), each without its first `skip` bytes.
  Status AppendParts(int fd, const std::string& path, const OutputFile& out, uint64_t skip) const;
  Status RemoveLeftovers(const PublishJournal& journal) const;

  Status Journal(const PublishJournal& journal) const;
  Status Hook(const char* point) const { return hook_(point); }

  OutputLayout layout_;
  PublishSettings settings_;
  PublishHook hook_;
};

}  // namespace ferry::txtfile

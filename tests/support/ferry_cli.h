// Test support for end-to-end tests: run the real `ferry` binary, make temporary directories
// and files, and read SQLite databases the way a user would check them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferry::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs build/ferry with `args` (no shell); `cwd` empty: the current directory. `input` is its
// standard input (empty: /dev/null).
CliResult RunFerry(const std::vector<std::string>& args, const std::string& cwd = "",
                   const std::string& input = "");

// A DataWorks-layout job (DESIGN 2.1): one reader step and one writer step joined by a hop.
nlohmann::json StepsJob(const std::string& reader, const nlohmann::json& reader_param,
                        const std::string& writer, const nlohmann::json& writer_param,
                        const nlohmann::json& setting);

// A fresh directory under /tmp, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteTextFile(const std::string& path, const std::string& text);
std::string ReadTextFile(const std::string& path);
bool FileExists(const std::string& path);

// Runs SQL on a SQLite database (created if missing); fails the test on error.
void SqliteExec(const std::string& db, const std::string& sql);
// Rows of a query, each row's cells joined by '|' (NULL as "NULL").
std::vector<std::string> SqliteRows(const std::string& db, const std::string& sql);

// A loopback port nothing listens on (a connection to it is refused).
int UnusedLoopbackPort();

// The source tree (for examples/) and the ferry binary.
std::string SourceDir();
std::string FerryBinary();

}  // namespace ferry::testing

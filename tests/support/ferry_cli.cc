#include "tests/support/ferry_cli.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace ferry::testing {

std::string SourceDir() { return FERRY_SOURCE_DIR; }
std::string FerryBinary() { return FERRY_BINARY; }

// A loopback port nothing listens on: bound once by the kernel's choice, then released.
int UnusedLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 1;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

CliResult RunFerry(const std::vector<std::string>& args, const std::string& cwd,
                   const std::string& input) {
  TempDir io;
  std::string out_path = io / "out", err_path = io / "err", in_path = "/dev/null";
  if (!input.empty()) {
    in_path = io / "in";
    WriteTextFile(in_path, input);
  }
  std::string script = "cd " + (cwd.empty() ? std::string(".") : cwd) + " && exec \"$0\" \"$@\" >" +
                       out_path + " 2>" + err_path + " <" + in_path;
  std::vector<std::string> argv_s = {"/bin/sh", "-c", script, FerryBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid;
  CliResult r;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ) != 0) return r;
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadTextFile(out_path);
  r.err = ReadTextFile(err_path);
  return r;
}

nlohmann::json StepsJob(const std::string& reader, const nlohmann::json& reader_param,
                        const std::string& writer, const nlohmann::json& writer_param,
                        const nlohmann::json& setting) {
  return {{"type", "job"},
          {"version", "2.0"},
          {"steps",
           {{{"stepType", reader},
             {"category", "reader"},
             {"name", "Reader"},
             {"parameter", reader_param}},
            {{"stepType", writer},
             {"category", "writer"},
             {"name", "Writer"},
             {"parameter", writer_param}}}},
          {"setting", setting},
          {"order", {{"hops", {{{"from", "Reader"}, {"to", "Writer"}}}}}}};
}

TempDir::TempDir() {
  std::string tmpl = "/tmp/ferry-test-XXXXXX";
  char* p = mkdtemp(tmpl.data());
  path_ = p != nullptr ? p : "/tmp";
}

TempDir::~TempDir() {
  if (path_ != "/tmp" && std::getenv("FERRY_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

void WriteTextFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream f(path, std::ios::binary);
  f << text;
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool FileExists(const std::string& path) { return std::filesystem::exists(path); }

void SqliteExec(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(h);
  ASSERT_EQ(rc, SQLITE_OK) << msg << "\nSQL: " << sql;
}

std::vector<std::string> SqliteRows(const std::string& db, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK) << db;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(h) << "\nSQL: " << sql;
    sqlite3_close(h);
    return rows;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      if (c > 0) row += "|";
      const unsigned char* t = sqlite3_column_text(st, c);
      row += t != nullptr ? std::string(reinterpret_cast<const char*>(t),
                                        static_cast<size_t>(sqlite3_column_bytes(st, c)))
                          : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return rows;
}

}  // namespace ferry::testing

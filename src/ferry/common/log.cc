#include "ferry/common/log.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

#include "ferry/common/strings.h"

namespace ferry {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mu;
std::vector<std::string>& Secrets() {
  static std::vector<std::string> secrets;
  return secrets;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "";
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel GetLogLevel() { return g_level; }

void RegisterSecret(std::string secret) {
  if (secret.empty()) return;
  std::lock_guard lock(g_mu);
  Secrets().push_back(std::move(secret));
}

std::string MaskSecrets(std::string text) {
  std::lock_guard lock(g_mu);
  for (const std::string& s : Secrets()) text = ReplaceAll(std::move(text), s, "******");
  return text;
}

void LogLine(LogLevel level, std::string_view message) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm;
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  std::string line = MaskSecrets(fmt::format("{} {} {}\n", stamp, LevelName(level), message));
  std::fputs(line.c_str(), stderr);
}

}  // namespace ferry

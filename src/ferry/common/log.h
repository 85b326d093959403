// Logging to stderr with secret masking: every registered secret (passwords from data sources
// and connection strings) is replaced by ****** in each line before it is written, so no code
// path can leak one by accident.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace ferry {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void RegisterSecret(std::string secret);
// Returns `text` with every registered secret masked.
std::string MaskSecrets(std::string text);
void LogLine(LogLevel level, std::string_view message);

template <typename... Args>
void LogInfo(fmt::format_string<Args...> f, Args&&... args) {
  if (GetLogLevel() <= LogLevel::kInfo)
    LogLine(LogLevel::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void LogWarn(fmt::format_string<Args...> f, Args&&... args) {
  if (GetLogLevel() <= LogLevel::kWarn)
    LogLine(LogLevel::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void LogError(fmt::format_string<Args...> f, Args&&... args) {
  LogLine(LogLevel::kError, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace ferry

// Typed reads of a step's `parameter` object that report a wrong type as InvalidArgument about
// that field, instead of throwing; shared by every plugin's options parsing. The engine checks
// types against the ParamDefs first; these keep a plugin safe when driven directly (tests,
// embedding).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

// A string; `fallback` when absent or null.
Result<std::string> StringField(const nlohmann::json& p, const char* key,
                                std::string fallback = "");
// An integer within [min, max]; `fallback` when absent or null.
Result<int64_t> IntegerField(const nlohmann::json& p, const char* key, int64_t fallback,
                             int64_t min, int64_t max);
// true or false; `fallback` when absent or null.
Result<bool> BoolField(const nlohmann::json& p, const char* key, bool fallback);
// "a" or ["a", "b"]; empty when absent or null. Empty strings are refused ("key[i]") unless
// `skip_empty`, which drops them (DataX templates carry "preSql": [""]).
Result<std::vector<std::string>> StringOrListField(const nlohmann::json& p, const char* key,
                                                   bool skip_empty = false);
// Whether the key is present and not null.
bool HasField(const nlohmann::json& p, const char* key);

// The field of a list's element, for messages: IndexedField("column", 2) -> "column[2]".
std::string IndexedField(std::string_view key, size_t i);
// A name as messages quote it: Quoted("id") -> "\"id\"".
std::string Quoted(std::string_view name);

}  // namespace ferry

#include "ferry/dist/hosts.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "ferry/common/strings.h"

namespace ferry {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> ParseCount(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Splits on commas that are not inside brackets (Slurm's "a[1-2,5],b").
std::vector<std::string_view> SplitTopLevel(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t from = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '[') ++depth;
    if (text[i] == ']') --depth;
    if (text[i] == ',' && depth == 0) {
      out.push_back(text.substr(from, i - from));
      from = i + 1;
    }
  }
  out.push_back(text.substr(from));
  return out;
}

bool ValidHostName(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

Result<HostSlots> MakeHost(std::string_view host, std::optional<std::string_view> slots,
                           const std::string& where) {
  host = Trim(host);
  if (!ValidHostName(host)) {
    return Status::InvalidArgument(fmt::format("{}: \"{}\" is not a host name", where, host));
  }
  HostSlots h{std::string(host), 1};
  if (slots) {
    auto n = ParseCount(Trim(*slots));
    if (!n || *n < 1 || *n > 4096) {
      return Status::InvalidArgument(
          fmt::format("{}: slots of {} must be a whole number from 1 to 4096, not \"{}\"", where,
                      host, Trim(*slots)));
    }
    h.slots = static_cast<int>(*n);
  }
  return h;
}

}  // namespace

Result<std::vector<HostSlots>> ParseHostList(std::string_view text) {
  std::vector<HostSlots> out;
  for (std::string_view entry : SplitTopLevel(text)) {
    entry = Trim(entry);
    if (entry.empty()) continue;
    size_t colon = entry.rfind(':');
    std::optional<std::string_view> slots;
    if (colon != std::string_view::npos) slots = entry.substr(colon + 1);
    ASSIGN_OR_RETURN(HostSlots h, MakeHost(entry.substr(0, colon), slots,
                                           fmt::format("host list entry \"{}\"", entry)));
    out.push_back(std::move(h));
  }
  if (out.empty()) return Status::InvalidArgument("the host list is empty; write h1:4,h2:4");
  return out;
}

std::string FormatHostList(const std::vector<HostSlots>& hosts) {
  std::string out;
  for (const HostSlots& h : hosts) {
    if (!out.empty()) out += ",";
    out += fmt::format("{}:{}", h.host, h.slots);
  }
  return out;
}

Result<std::vector<HostSlots>> ParseHostfile(std::string_view text, const std::string& file) {
  std::vector<HostSlots> out;
  int line_no = 0;
  std::istringstream in{std::string(text)};
  for (std::string raw; std::getline(in, raw);) {
    ++line_no;
    std::string_view line = raw;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    const std::string where = fmt::format("{}:{}", file, line_no);
    std::istringstream words{std::string(line)};
    std::string host;
    words >> host;
    std::optional<std::string> slots;
    if (size_t colon = host.rfind(':'); colon != std::string::npos) {
      slots = host.substr(colon + 1);
      host.resize(colon);
    }
    for (std::string word; words >> word;) {
      if (word.rfind("slots=", 0) == 0) {
        slots = word.substr(6);
      } else if (word.rfind("max_slots=", 0) != 0) {
        return Status::InvalidArgument(
            fmt::format("{}: unknown \"{}\"; a line is HOST [slots=N]", where, word));
      }
    }
    ASSIGN_OR_RETURN(HostSlots h, MakeHost(host, slots, where));
    out.push_back(std::move(h));
  }
  if (out.empty()) return Status::InvalidArgument(file + ": names no host");
  return out;
}

Result<std::vector<HostSlots>> ReadHostfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read the hostfile " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseHostfile(text.str(), path);
}

Result<std::vector<std::string>> ExpandSlurmHostList(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view entry : SplitTopLevel(Trim(text))) {
    entry = Trim(entry);
    if (entry.empty()) continue;
    const size_t open = entry.find('[');
    if (open == std::string_view::npos) {
      out.emplace_back(entry);
      continue;
    }
    const size_t close = entry.find(']', open);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("Slurm host list \"{}\": unclosed [", entry));
    }
    const std::string_view prefix = entry.substr(0, open);
    const std::string_view suffix = entry.substr(close + 1);
    if (suffix.find('[') != std::string_view::npos) {
      return Status::InvalidArgument(
          fmt::format("Slurm host list \"{}\": one bracket group per name is supported", entry));
    }
    std::string_view ranges = entry.substr(open + 1, close - open - 1);
    size_t from = 0;
    while (from <= ranges.size()) {
      size_t comma = ranges.find(',', from);
      if (comma == std::string_view::npos) comma = ranges.size();
      std::string_view range = Trim(ranges.substr(from, comma - from));
      from = comma + 1;
      const size_t dash = range.find('-');
      std::string_view lo_text = range.substr(0, dash);
      std::string_view hi_text = dash == std::string_view::npos ? lo_text : range.substr(dash + 1);
      auto lo = ParseCount(lo_text);
      auto hi = ParseCount(hi_text);
      if (!lo || !hi || *hi < *lo || *hi - *lo > 100000) {
        return Status::InvalidArgument(
            fmt::format("Slurm host list \"{}\": bad range \"{}\"", entry, range));
      }
      const size_t width = lo_text.size();
      for (int64_t n = *lo; n <= *hi; ++n) {
        out.push_back(fmt::format("{}{:0{}}{}", prefix, n, width, suffix));
      }
    }
  }
  if (out.empty()) return Status::InvalidArgument("the Slurm host list is empty");
  return out;
}

Result<std::vector<int>> ExpandSlurmCounts(std::string_view text) {
  std::vector<int> out;
  for (std::string_view entry : SplitTopLevel(Trim(text))) {
    entry = Trim(entry);
    int64_t times = 1;
    if (size_t paren = entry.find("(x"); paren != std::string_view::npos) {
      auto t = ParseCount(entry.substr(paren + 2, entry.size() - paren - 3));
      if (!t || entry.back() != ')' || *t < 1) {
        return Status::InvalidArgument(fmt::format("Slurm count list: bad entry \"{}\"", entry));
      }
      times = *t;
      entry = entry.substr(0, paren);
    }
    auto n = ParseCount(entry);
    if (!n || *n < 1) {
      return Status::InvalidArgument(fmt::format("Slurm count list: bad entry \"{}\"", entry));
    }
    for (int64_t k = 0; k < times; ++k) out.push_back(static_cast<int>(*n));
  }
  return out;
}

Result<std::optional<std::vector<HostSlots>>> SlurmAllocationHosts(
    const std::function<const char*(const char*)>& getenv) {
  const char* nodes = getenv("SLURM_JOB_NODELIST");
  if (nodes == nullptr) nodes = getenv("SLURM_NODELIST");
  if (nodes == nullptr || *nodes == '\0') return std::optional<std::vector<HostSlots>>();
  ASSIGN_OR_RETURN(std::vector<std::string> names, ExpandSlurmHostList(nodes));
  std::vector<int> counts;
  if (const char* cpus = getenv("SLURM_JOB_CPUS_PER_NODE"); cpus != nullptr && *cpus != '\0') {
    ASSIGN_OR_RETURN(counts, ExpandSlurmCounts(cpus));
  }
  std::vector<HostSlots> hosts;
  for (size_t i = 0; i < names.size(); ++i) {
    hosts.push_back({names[i], i < counts.size() ? counts[i] : 1});
  }
  return std::optional<std::vector<HostSlots>>(std::move(hosts));
}

}  // namespace ferry

// JSON replies of the HTTP API: a Status's code as the HTTP status, errors as {"error": message}.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "ferry/common/status.h"

namespace ferry {

inline int HttpCode(const Status& st) {
  switch (st.code()) {
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kFailedPrecondition:
      return 409;
    default:
      return 500;
  }
}

inline void Reply(httplib::Response& res, int code, const nlohmann::json& body) {
  res.status = code;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

inline void ReplyError(httplib::Response& res, const Status& st) {
  Reply(res, HttpCode(st), nlohmann::json{{"error", st.message()}});
}

inline void ReplyError(httplib::Response& res, int code, const std::string& message) {
  Reply(res, code, nlohmann::json{{"error", message}});
}

}  // namespace ferry

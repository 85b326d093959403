// The page of `ferry server` (operations and the Data Studio): the files of web/src/, bundled by
// web/build.mjs at build time and compiled into the binary, so that the server needs nothing
// from disk or the internet to serve it.
#pragma once

#include <string_view>
#include <vector>

namespace ferry {

struct WebAsset {
  std::string_view path;  // "/", "/assets/app.js"
  std::string_view content_type;
  std::string_view body;
};

// Every asset (generated into the build folder as web_assets_data.cc).
const std::vector<WebAsset>& WebAssets();
// The asset served at `path`, or null.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace ferry

#include "ferry/server/web_assets.h"

namespace ferry {

const WebAsset* FindWebAsset(std::string_view path) {
  for (const WebAsset& a : WebAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace ferry

#include "ferry/schedule/store_backend.h"

namespace ferry {

const StoreBackendKind* FindStoreBackend(const std::string& location) {
  static const std::vector<StoreBackendKind>* kinds = [] {
    auto* k = new std::vector<StoreBackendKind>();
    RegisterBuiltinStoreBackends(k);
    return k;
  }();
  for (const StoreBackendKind& kind : *kinds) {
    for (const std::string& prefix : kind.prefixes) {
      if (location.rfind(prefix, 0) == 0) return &kind;
    }
  }
  return nullptr;
}

}  // namespace ferry

// The Data Studio part of `ferry server`'s API: the project folder's files (read, atomic save
// with conflict detection), the job schema, plugins and templates, validation with `ferry
// check`, debug runs (a child `ferry run`), the schedule's node properties, publish (deploy
// with a preview of what changes) and data sources (secrets write-only). Routes are added to the
// server's listener and go through its token and same-origin guard.
#pragma once

#include <memory>
#include <string>

#include "ferry/common/status.h"
#include "ferry/schedule/store.h"

namespace httplib {
class Server;
}

namespace ferry {

struct StudioOptions {
  std::string project_dir;      // empty: the folder of the current deployment
  std::string ferry_binary;     // runs `ferry check`, `ferry run` and the deploy checks
  std::string work_dir;         // debug runs and validation scratch files go here
  std::string datasource_home;  // empty: DataSourceStore::DefaultHome()
};

class StudioApi {
 public:
  // *store must outlive this object.
  StudioApi(Store* store, StudioOptions options);
  ~StudioApi();  // stops the debug runs still going

  void AddRoutes(httplib::Server* server);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry

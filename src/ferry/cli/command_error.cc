#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/common/log.h"

namespace ferry {

int FailCommand(std::string_view command, const Status& status, int exit_code) {
  std::cerr << "ferry " << command << ": " << MaskSecrets(status.message()) << "\n";
  return exit_code;
}

}  // namespace ferry

// The operations page (HTML, CSS and JavaScript in one document), compiled into the binary so
// that `ferry server` needs nothing from disk or the internet to serve it.
#pragma once

#include <string_view>

namespace ferry {

std::string_view OpsPageHtml();

}  // namespace ferry

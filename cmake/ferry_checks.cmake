# Checks every target of the build shares (issue 15): the warning set, warnings as errors and the
# sanitizers. Included right after project(), before any target, so these directory-wide options
# reach every library, executable and test the build defines.

option(FERRY_WERROR "Fail the build on any compiler warning (scripts/build.sh turns it on)" OFF)
set(FERRY_SANITIZE "" CACHE STRING
    "Sanitizers to build with, passed to -fsanitize=: address,undefined or thread (empty: none)")

add_compile_options(-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
if(FERRY_WERROR)
  add_compile_options(-Werror)
endif()

if(FERRY_SANITIZE)
  if(FERRY_SANITIZE MATCHES "thread" AND FERRY_SANITIZE MATCHES "address")
    message(FATAL_ERROR "FERRY_SANITIZE=${FERRY_SANITIZE}: thread and address cannot be combined; "
                        "build them into two directories (scripts/sanitize.sh)")
  endif()
  add_compile_options(-fsanitize=${FERRY_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${FERRY_SANITIZE})
endif()

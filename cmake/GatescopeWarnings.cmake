# Warnings and sanitizers applied to every gatescope target through gatescope_options.
add_library(gatescope_options INTERFACE)
target_compile_options(gatescope_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(GS_WERROR)
  target_compile_options(gatescope_options INTERFACE -Werror)
endif()
if(GS_SANITIZE)
  target_compile_options(gatescope_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(gatescope_options INTERFACE -fsanitize=address,undefined)
endif()
if(GS_BUILD_FUZZ)
  # Every library gets coverage instrumentation so that libFuzzer can steer into it.
  target_compile_options(gatescope_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(gatescope_options INTERFACE -fsanitize=address,undefined)
endif()

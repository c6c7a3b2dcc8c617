# Warnings and sanitizers applied to every gatescope target through gatescope_options.
add_library(gatescope_options INTERFACE)
target_compile_options(gatescope_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  # Designated initialisers that leave members at their defaults are the house style.
  -Wno-missing-field-initializers)
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

# simdjson's On Demand API picks its SIMD kernel at compile time, and Debian's default x86-64
# baseline (SSE2) selects the slow scalar fallback. x86-64-v2 plus PCLMUL selects the
# "westmere" kernel and runs on every x86-64 server CPU since 2010. Set GS_MARCH=x86-64-v3
# (AVX2, Haswell 2013+) for the fastest kernel, or to empty to leave the compiler default.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(GS_MARCH "x86-64-v2" CACHE STRING "Target -march for x86-64 builds (empty: compiler default)")
  if(GS_MARCH)
    target_compile_options(gatescope_options INTERFACE -march=${GS_MARCH})
    if(GS_MARCH STREQUAL "x86-64-v2")
      target_compile_options(gatescope_options INTERFACE -mpclmul)
    endif()
  endif()
endif()

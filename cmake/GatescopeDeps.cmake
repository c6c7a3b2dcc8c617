# Third-party dependencies, all from Debian packages installed by scripts/setup.sh.
find_package(simdjson REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Threads REQUIRED)
if(GS_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
# Debian builds cpp-httplib as a shared library and ships only a pkg-config file. The server's
# HTTP stack, and loopback fakes in tests.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# The inventory store: SQLite always, PostgreSQL through libpqxx (pkg-config only).
find_package(SQLite3 REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
if(GS_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
# RE2 (user-supplied filter regexes) and libdeflate (batch compression) ship pkg-config files only.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)

# Builds the dashboard (web/) with npm and embeds its output into the server
# (docs/specs/dashboard.md). Defines:
#   gatescope_dashboard_files  a library with server::embedded::DashboardFiles()
#   GS_WEB_BUILD_DIR           where web/ is copied, installed (npm ci) and built
# With GS_DASHBOARD=OFF (the fuzz build, or a machine without Node.js) nothing is embedded.

set(GS_WEB_SOURCE_DIR ${PROJECT_SOURCE_DIR}/web)
set(GS_WEB_BUILD_DIR ${CMAKE_BINARY_DIR}/web)
set(embed_cc ${CMAKE_BINARY_DIR}/generated/embedded_dashboard.cc)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/generated)

if(GS_DASHBOARD)
  find_program(GS_NPM npm)
  find_program(GS_NODE node)
  if(NOT GS_NPM OR NOT GS_NODE)
    message(FATAL_ERROR "GS_DASHBOARD: node and npm are needed to build the dashboard "
                        "(scripts/setup.sh), or configure with -DGS_DASHBOARD=OFF")
  endif()
  # Installed and built in a copy under the build directory: build directories never share
  # node_modules (two `npm ci` at once would break each other) and the source tree stays clean.
  set(installed ${GS_WEB_BUILD_DIR}/node_modules/.gatescope-installed)
  add_custom_command(
    OUTPUT ${installed}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${GS_WEB_BUILD_DIR}
    COMMAND ${CMAKE_COMMAND} -E copy ${GS_WEB_SOURCE_DIR}/package.json
            ${GS_WEB_SOURCE_DIR}/package-lock.json ${GS_WEB_SOURCE_DIR}/.npmrc ${GS_WEB_BUILD_DIR}/
    COMMAND ${GS_NPM} ci --loglevel=error
    COMMAND ${CMAKE_COMMAND} -E touch ${installed}
    WORKING_DIRECTORY ${GS_WEB_BUILD_DIR}
    DEPENDS ${GS_WEB_SOURCE_DIR}/package.json ${GS_WEB_SOURCE_DIR}/package-lock.json
            ${GS_WEB_SOURCE_DIR}/.npmrc
    COMMENT "Installing the dashboard's npm packages (npm ci)"
    VERBATIM)

  file(GLOB_RECURSE web_inputs CONFIGURE_DEPENDS
       ${GS_WEB_SOURCE_DIR}/src/* ${GS_WEB_SOURCE_DIR}/public/* ${GS_WEB_SOURCE_DIR}/scripts/*
       ${GS_WEB_SOURCE_DIR}/e2e/*)
  set(web_top_files index.html vite.config.ts tsconfig.json)
  set(copy_top "")
  foreach(f IN LISTS web_top_files)
    list(APPEND web_inputs ${GS_WEB_SOURCE_DIR}/${f})
    list(APPEND copy_top ${GS_WEB_SOURCE_DIR}/${f})
  endforeach()
  set(copy_dirs "")
  foreach(d src public scripts e2e)
    if(EXISTS ${GS_WEB_SOURCE_DIR}/${d})
      list(APPEND copy_dirs COMMAND ${CMAKE_COMMAND} -E copy_directory
           ${GS_WEB_SOURCE_DIR}/${d} ${GS_WEB_BUILD_DIR}/${d})
    endif()
  endforeach()
  add_custom_command(
    OUTPUT ${embed_cc}
    # Removed first, so that files deleted from web/ do not linger in the copy.
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${GS_WEB_BUILD_DIR}/src ${GS_WEB_BUILD_DIR}/public
            ${GS_WEB_BUILD_DIR}/scripts ${GS_WEB_BUILD_DIR}/e2e
    ${copy_dirs}
    COMMAND ${CMAKE_COMMAND} -E copy ${copy_top} ${GS_WEB_BUILD_DIR}/
    COMMAND ${GS_NPM} run --silent build
    COMMAND ${CMAKE_COMMAND} -DDIST=${GS_WEB_BUILD_DIR}/dist -DOUT=${embed_cc}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedDashboard.cmake
    WORKING_DIRECTORY ${GS_WEB_BUILD_DIR}
    DEPENDS ${installed} ${web_inputs} ${PROJECT_SOURCE_DIR}/cmake/EmbedDashboard.cmake
    COMMENT "Building the dashboard (vite build) and embedding it"
    VERBATIM)
else()
  add_custom_command(
    OUTPUT ${embed_cc}
    COMMAND ${CMAKE_COMMAND} -DDIST= -DOUT=${embed_cc} -P ${PROJECT_SOURCE_DIR}/cmake/EmbedDashboard.cmake
    DEPENDS ${PROJECT_SOURCE_DIR}/cmake/EmbedDashboard.cmake
    VERBATIM)
endif()

add_library(gatescope_dashboard_files STATIC ${embed_cc})
target_include_directories(gatescope_dashboard_files PRIVATE ${PROJECT_SOURCE_DIR}/src)

# gatescope_add_test(name SOURCES ... LIBS ... LABELS ...): the only way tests are added.
function(gatescope_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} gatescope_test_support GTest::gtest GTest::gmock
                        GTest::gtest_main gatescope_options)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}"
    ENVIRONMENT "GS_FIXTURES=${PROJECT_SOURCE_DIR}/tests/fixtures")
endfunction()

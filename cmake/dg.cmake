# dg_module(NAME x SRCS ... DEPS ...)  -> library dg_x, alias dg::x
function(dg_module)
  cmake_parse_arguments(M "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(dg_${M_NAME} STATIC ${M_SRCS})
  add_library(dg::${M_NAME} ALIAS dg_${M_NAME})
  target_include_directories(dg_${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(dg_${M_NAME} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS} dg_warnings)
endfunction()

# dg_test(NAME x SRCS ... DEPS ... LABELS ...) -> gtest executable registered with CTest
function(dg_test)
  if(NOT DG_DEVELOPER_MODE)
    return()
  endif()
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} dg_test_support GTest::gtest GTest::gtest_main dg_warnings)
  target_compile_definitions(${T_NAME} PRIVATE
    DG_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    DG_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "DG_BIN=$<TARGET_FILE:domaingraph>;DG_SHARED_DIR=${PROJECT_SOURCE_DIR}/../shared;DG_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# dg_fuzz(NAME fuzz_x SRCS ... DEPS ...) -> libFuzzer target under DG_FUZZ, else a corpus replay test
function(dg_fuzz)
  if(NOT DG_DEVELOPER_MODE)
    return()
  endif()
  cmake_parse_arguments(F "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${F_NAME} ${F_SRCS})
  target_link_libraries(${F_NAME} PRIVATE ${F_DEPS} dg_warnings)
  if(DG_FUZZ)
    target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${F_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/standalone_main.cpp)
    add_test(NAME ${F_NAME}_replay COMMAND ${F_NAME} ${PROJECT_SOURCE_DIR}/fuzz/corpus/${F_NAME})
    set_tests_properties(${F_NAME}_replay PROPERTIES LABELS "fuzz-replay")
  endif()
endfunction()

# dg_embed_text(OUTPUT var INPUT file NAMESPACE ns FUNCTION name [HEADER h] WARNING text)
# -> var = a generated .cpp defining `const std::string& ns::name()` with the bytes of `file`
# (cmake/embed_text.cmake), rebuilt when the file changes; when the file is missing at configure
# time, `WARNING` is printed and the function returns "".
function(dg_embed_text)
  cmake_parse_arguments(E "" "OUTPUT;INPUT;NAMESPACE;FUNCTION;HEADER;WARNING" "" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${E_FUNCTION}_embedded.cpp)
  set(deps ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake)
  if(EXISTS "${E_INPUT}")
    list(APPEND deps "${E_INPUT}")
  else()
    message(WARNING "${E_INPUT} not found: ${E_WARNING}")
  endif()
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${E_INPUT} -DOUTPUT=${out} -DNAMESPACE=${E_NAMESPACE}
            -DFUNCTION=${E_FUNCTION} -DHEADER=${E_HEADER} -P ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake
    DEPENDS ${deps}
    COMMENT "Embedding ${E_INPUT}")
  set(${E_OUTPUT} ${out} PARENT_SCOPE)
endfunction()

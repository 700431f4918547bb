# countersign_add_test(NAME SOURCES file... [LIBS lib...] [LABELS label...])
# One Qt Test executable per unit, registered with CTest on the offscreen platform.
function(countersign_add_test name)
    cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test countersign_flags ${ARG_LIBS})
    target_compile_definitions(${name} PRIVATE
        COUNTERSIGN_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
        COUNTERSIGN_BIN_DIR="${PROJECT_BINARY_DIR}/bin")
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_LOGGING_RULES=*.debug=false"
        TIMEOUT 600
        LABELS "${ARG_LABELS}")
endfunction()

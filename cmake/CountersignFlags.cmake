# Compiler settings shared by every target of the project.
add_library(countersign_flags INTERFACE)
target_compile_definitions(countersign_flags INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS
    QT_STRICT_ITERATORS
    QT_NO_FOREACH
    COUNTERSIGN_VERSION="${PROJECT_VERSION}")
target_compile_options(countersign_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough
    -fstack-protector-strong)
if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug" AND NOT COUNTERSIGN_SANITIZE)
    target_compile_definitions(countersign_flags INTERFACE _FORTIFY_SOURCE=2)
endif()
target_link_options(countersign_flags INTERFACE -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
if(COUNTERSIGN_WERROR)
    target_compile_options(countersign_flags INTERFACE -Werror)
endif()
if(COUNTERSIGN_SANITIZE)
    target_compile_options(countersign_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                       -fno-sanitize-recover=undefined)
    target_link_options(countersign_flags INTERFACE -fsanitize=address,undefined)
    # Memory bounds measured by the tests mean nothing while AddressSanitizer quarantines freed memory.
    target_compile_definitions(countersign_flags INTERFACE COUNTERSIGN_SANITIZED=1)
endif()
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # libstdc++ 12 offers std::expected only when __cpp_concepts says C++20 concepts are
    # complete; Clang 16 implements what <expected> needs (P0848) but still reports 201907.
    target_compile_options(countersign_flags INTERFACE -D__cpp_concepts=202002L -Wno-macro-redefined)
endif()
if(COUNTERSIGN_FUZZ)
    target_compile_options(countersign_flags INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                       -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(countersign_flags INTERFACE -fsanitize=address,undefined)
endif()
if(COUNTERSIGN_COVERAGE)
    target_compile_options(countersign_flags INTERFACE --coverage -O0)
    target_link_options(countersign_flags INTERFACE --coverage)
endif()

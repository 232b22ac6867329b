# Install rules: headers, library, CLI, the CMake package (kvspec::kvspec) and kvspec.pc.
include(CMakePackageConfigHelpers)
set(KVSPEC_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/kvspec")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/kvspec" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
install(TARGETS kvspec EXPORT kvspecTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
if(TARGET kvspec_cli)
  install(TARGETS kvspec_cli RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
  if(KVSPEC_MAN_PAGE)
    install(FILES "${KVSPEC_MAN_PAGE}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
  endif()
endif()
install(EXPORT kvspecTargets NAMESPACE kvspec:: FILE kvspecTargets.cmake DESTINATION "${KVSPEC_CMAKE_DIR}")

# A static kvspec carries simdjson as $<LINK_ONLY:...>, so the consumer must find it too.
get_target_property(KVSPEC_LIB_TYPE kvspec TYPE)
set(KVSPEC_NEEDS_SIMDJSON OFF)
if(KVSPEC_LIB_TYPE STREQUAL "STATIC_LIBRARY")
  set(KVSPEC_NEEDS_SIMDJSON ON)
endif()
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/kvspecConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/kvspecConfig.cmake" INSTALL_DESTINATION "${KVSPEC_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/kvspecConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)  # 0.x: a minor bump may break the API
install(FILES "${PROJECT_BINARY_DIR}/kvspecConfig.cmake" "${PROJECT_BINARY_DIR}/kvspecConfigVersion.cmake"
        DESTINATION "${KVSPEC_CMAKE_DIR}")

# pkg-config: fmt is public (Requires); simdjson only matters when linking the static archive (.private).
if(KVSPEC_NEEDS_SIMDJSON)
  set(KVSPEC_PC_REQUIRES_PRIVATE "simdjson")
else()
  set(KVSPEC_PC_REQUIRES_PRIVATE "")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(KVSPEC_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(KVSPEC_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(KVSPEC_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(KVSPEC_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
# Relocatable: the prefix is found from the .pc file's own place, so `cmake --install --prefix X` works.
file(RELATIVE_PATH KVSPEC_PC_UP "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" KVSPEC_PC_UP "${KVSPEC_PC_UP}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/kvspec.pc.in" "${PROJECT_BINARY_DIR}/kvspec.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/kvspec.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")

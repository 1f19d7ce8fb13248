# Install rules (GNUInstallDirs) and the Debian package (CPack).
#
#   cmake --install build [--prefix /usr/local]
#     bin/envstats
#     lib/systemd/system/envstats{,-backup}.service, envstats-backup.timer
#       (ExecStart= rewritten to the installed binary)
#     share/envstats/envstats.example.json   (copy to /etc/envstats/)
#     share/envstats/deploy/...              (container, Kubernetes,
#                                             Datadog, Databricks, Slack)
#     share/doc/envstats/LICENSE, README.md
#
#   cpack -G DEB --config build/CPackConfig.cmake
#     envstats_<version>_<arch>.deb: the same under /usr; its postinst
#     puts the example configuration at /etc/envstats/envstats.json when
#     there is none.
include(GNUInstallDirs)

set(ENVSTATS_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
  "systemd system units, relative to the install prefix")

install(TARGETS envstats RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The units of deploy/systemd name /usr/local/bin/envstats; installed, they
# name the binary where this install put it, whatever --prefix or cpack
# chose (known only when the install runs).
set(_units envstats.service envstats-backup.service envstats-backup.timer)
foreach(u ${_units})
  install(CODE "
    file(READ \"${CMAKE_SOURCE_DIR}/deploy/systemd/${u}\" unit)
    string(REPLACE \"/usr/local/bin/envstats\"
      \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/envstats\"
      unit \"\${unit}\")
    file(WRITE \"${CMAKE_BINARY_DIR}/installed-units/${u}\" \"\${unit}\")
  ")
  install(FILES ${CMAKE_BINARY_DIR}/installed-units/${u}
    DESTINATION ${ENVSTATS_SYSTEMD_UNITDIR})
endforeach()

install(FILES deploy/envstats.example.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/envstats)
install(DIRECTORY deploy/container deploy/databricks deploy/datadog
  deploy/kubernetes deploy/slack
  DESTINATION ${CMAKE_INSTALL_DATADIR}/envstats/deploy)
install(FILES LICENSE README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- the Debian package
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME envstats)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the envstats authors")
set(CPACK_PACKAGE_CONTACT "the envstats authors <envstats@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Slack app: exact figures of per-branch test environment provisioning")
set(CPACK_PACKAGE_DESCRIPTION
  "envstats records the lifecycle of per-branch test environments from \
Slack (Socket Mode), webhooks and GitHub, and answers lead times, failure \
rates and comparisons in Slack, the terminal, digests, alerts, DogStatsD \
and Databricks exports.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries' packages from dpkg-shlibdeps, plus what the binary opens
# at run time: CA certificates, zone data, the charts' font.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates, tzdata, fonts-dejavu-core")
configure_file(${CMAKE_CURRENT_LIST_DIR}/postinst.in
  ${CMAKE_BINARY_DIR}/debian/postinst @ONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/debian/postinst)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

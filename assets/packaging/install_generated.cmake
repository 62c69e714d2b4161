# Runs at install time (install(CODE) in CMakeLists.txt), when the prefix is final: a
# `cmake --install --prefix P` or `make install PREFIX=P` changes CMAKE_INSTALL_PREFIX after
# configuring. Writes the two files that name the install location and installs them:
#   the systemd user unit, its ExecStart pointing at the installed binary;
#   the man page, with the version and the prefix of its FILES section.
# In: SB_SRC (source dir), SB_BIN_DIR (build dir), SB_VERSION, CMAKE_INSTALL_PREFIX,
# $ENV{SB_SYSTEMD_USER_DIR} (absolute; default <prefix>/lib/systemd/user, which systemd's
# user manager searches for /usr and /usr/local).
set(prefix "${CMAKE_INSTALL_PREFIX}")
set(unit_dir "$ENV{SB_SYSTEMD_USER_DIR}")
if(unit_dir STREQUAL "")
    set(unit_dir "${prefix}/lib/systemd/user")
endif()

# One work directory per destination: two installs at once (the tests run the package and the
# install test in parallel) never share a generated file.
string(MD5 key "$ENV{DESTDIR}|${prefix}|${unit_dir}")
set(work "${SB_BIN_DIR}/install-generated/${key}")
file(MAKE_DIRECTORY "${work}")

file(READ "${SB_SRC}/assets/switchboard.service" unit)
string(REPLACE "%h/.local/bin/switchboard" "${prefix}/bin/switchboard" unit "${unit}")
file(WRITE "${work}/switchboard.service" "${unit}")
file(INSTALL DESTINATION "${unit_dir}" TYPE FILE FILES "${work}/switchboard.service")

file(READ "${SB_SRC}/assets/man/switchboard.1" man)
string(REPLACE "@VERSION@" "${SB_VERSION}" man "${man}")
string(REPLACE "@PREFIX@" "${prefix}" man "${man}")
file(WRITE "${work}/switchboard.1" "${man}")
file(INSTALL DESTINATION "${prefix}/share/man/man1" TYPE FILE FILES "${work}/switchboard.1")

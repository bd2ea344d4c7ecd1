#!/usr/bin/env bash
# install.sh: installs the staging tree dist/ (docs/architecture.md#23-build-output) into the system's places, with
# pam_java.so rebuilt for them. Driven by the top-level Makefile (`make install`), which passes
# the directories below; DESTDIR, when set, is prepended to every path written (package builds).
#
#   $PAMDIR/pam_java.so                      rebuilt: the paths below are compiled in
#   $PREFIX/share/pam-java/                  runtime jars, the AOT cache, the command's example
#   $PREFIX/bin/pam-java                     the command
#   $PREFIX/lib/pam-java/pam_java_trace.so   the command's tracing module (run --trace), no PAM rule's
#   $PREFIX/sbin/pam-java-resident           the resident service, and its systemd unit in
#   $PREFIX/lib/systemd/system/               (installed; make install enables nothing, the package the socket)
#   $PREFIX/libexec/pam-java/build-aot-cache     rebuilds the AOT cache (for another JDK)
#   $SYSCONFDIR/security/pam_java.conf       commented defaults, resident_socket set (an existing one is kept)
#   $LOCALSTATEDIR/cache/pam-java/           compiled .java modules: root-only, 0700
#   $PREFIX/share/doc/pam-java/              guide, examples/, copyright, api/ (the module API's Javadoc, HTML)
#   $PREFIX/share/man/man1/pam-java.1.gz, man8/pam_java.8.gz, man8/pam-java-resident.8.gz
#   $PREFIX/share/maven-repo/org/pamjava/    pam-java-{api,runtime,stack,testing} and the parent POM, for module
#   $PREFIX/share/java/pam-java-*.jar         projects (pam-java new): Debian's Maven repository layout
#
# `install.sh uninstall` (`make uninstall`) removes all that but the configuration file, as
# removing the Debian package does, and nothing else: lib/pam-java keeps what admins put there.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

: "${PREFIX:=/usr}" "${SYSCONFDIR:=/etc}" "${LOCALSTATEDIR:=/var}" "${DESTDIR:=}"
: "${PAMDIR:=/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)/security}"

runtime_dir=$PREFIX/share/pam-java
conf_file=$SYSCONFDIR/security/pam_java.conf
cache_dir=$LOCALSTATEDIR/cache/pam-java
doc_dir=$PREFIX/share/doc/pam-java
dist=$PROJECT_DIR/dist
d=$DESTDIR

if [ "${1:-}" = uninstall ]; then
  rm -f "$d$PAMDIR/pam_java.so" "$d$PREFIX/bin/pam-java" "$d$PREFIX/sbin/pam-java-resident" \
    "$d$PREFIX/lib/systemd/system/pam-java-resident.service" "$d$PREFIX/lib/systemd/system/pam-java-resident.socket" \
    "$d$PREFIX/share/man/man8/pam-java-resident.8.gz" \
    "$d$PREFIX/share/man/man8/pam_java.8.gz" "$d$PREFIX/share/man/man1/pam-java.1.gz"
  rm -rf "$d$runtime_dir" "$d$PREFIX/libexec/pam-java" "$d$doc_dir" "$d$cache_dir" "$d$PREFIX/share/maven-repo/org/pamjava"
  # Only the tracing module: with PREFIX=/usr/local, lib/pam-java is also where `pam-java new --jar`
  # has admins install their jar modules, which PAM rules name; deleting them would lock services out.
  rm -f "$d$PREFIX/lib/pam-java/pam_java_trace.so"
  rmdir --ignore-fail-on-non-empty "$d$PREFIX/lib/pam-java" 2>/dev/null || true
  rm -f "$d$PREFIX"/share/java/pam-java-{api,runtime,stack,testing}{,-*}.jar
  # Shared with other packages' jars: removed only when pam_java's were the last.
  rmdir --ignore-fail-on-non-empty "$d$PREFIX/share/maven-repo/org" "$d$PREFIX/share/maven-repo" "$d$PREFIX/share/java" 2>/dev/null || true
  echo "removed pam_java (kept the configuration, $d$conf_file)"
  exit 0
fi

if [ ! -f "$dist/share/pam-java/pam-java-host.jar" ] || [ ! -x "$dist/bin/pam-java" ]; then
  echo "install: no staging tree in $dist; build it first ('make')" >&2
  exit 1
fi

# pam_java.so with the installed paths compiled in, built beside (not over) the staged one.
build=$PROJECT_DIR/target/install/native
rm -rf "$build"     # the objects depend on the paths compiled in
make -s -C pam-java-shim BUILD="$build" JAVA_HOME="$JAVA_HOME" RUNTIME_DIR="$runtime_dir" \
  CONF_FILE="$conf_file" CACHE_DIR="$cache_dir" "$build/pam_java.so"
# Directories first, 0755 (pam_java refuses group- or world-writable ones above its files).
install -d -m 0755 "$d$PAMDIR" "$d$runtime_dir" "$d$PREFIX/lib/pam-java" "$d$PREFIX/bin" "$d$PREFIX/sbin" "$d$PREFIX/libexec/pam-java" \
  "$d$PREFIX/lib/systemd/system" \
  "$d$SYSCONFDIR/security" "$d$doc_dir" "$d$PREFIX/share/man/man1" "$d$PREFIX/share/man/man8"
install -m 0644 "$build/pam_java.so" "$d$PAMDIR/pam_java.so"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$d$PAMDIR/pam_java.so"
# The tracing module has no paths compiled in: the staged one is the installed one.
install -m 0644 "$dist/lib/pam-java/pam_java_trace.so" "$d$PREFIX/lib/pam-java/pam_java_trace.so"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$d$PREFIX/lib/pam-java/pam_java_trace.so"

# The runtime: every staged jar, the launchers' pam_java.conf reader and the command's example.
# An AOT cache is only valid for the class path it was made with, so the staged ones (made for dist/) are not copied.
for jar in "$dist"/share/pam-java/*.jar "$dist"/share/pam-java/pam-java-conf.sh; do
  install -m 0644 "$jar" "$d$runtime_dir/"
done
(cd "$dist/share/pam-java" && find examples -type f) | while read -r f; do
  install -D -m 0644 "$dist/share/pam-java/$f" "$d$runtime_dir/$f"
done
# The Maven repository module projects build against (share/maven-repo, Debian's layout) and its
# jars in share/java: directories 0755, files 0644, the relative links as staged. Only pam_java's
# own entries: both directories are shared with other packages.
rm -rf "$d$PREFIX/share/maven-repo/org/pamjava"
rm -f "$d$PREFIX"/share/java/pam-java-{api,runtime,stack,testing}{,-*}.jar   # an older version's too
(cd "$dist/share" && find java maven-repo \( -type f -o -type l \) | LC_ALL=C sort) | while read -r f; do
  install -d -m 0755 "$d$PREFIX/share/$(dirname "$f")"
  if [ -L "$dist/share/$f" ]; then
    ln -sfn "$(readlink "$dist/share/$f")" "$d$PREFIX/share/$f"
  else
    install -m 0644 "$dist/share/$f" "$d$PREFIX/share/$f"
  fi
done
# The launcher finds its jars relative to itself (bin/../share/pam-java).
install -m 0755 "$dist/bin/pam-java" "$d$PREFIX/bin/pam-java"
install -m 0755 "$dist/bin/pam-java-resident" "$d$PREFIX/sbin/pam-java-resident"
sed "s|/usr/sbin/pam-java-resident|$PREFIX/sbin/pam-java-resident|" packaging/systemd/pam-java-resident.service \
  > "$d$PREFIX/lib/systemd/system/pam-java-resident.service"
chmod 0644 "$d$PREFIX/lib/systemd/system/pam-java-resident.service"
install -m 0644 packaging/systemd/pam-java-resident.socket "$d$PREFIX/lib/systemd/system/pam-java-resident.socket"
install -m 0755 scripts/build-aot-cache.sh "$d$PREFIX/libexec/pam-java/build-aot-cache"

# The configuration: the commented defaults, naming the defaults compiled in.
if [ -e "$d$conf_file" ]; then
  echo "install: keeping the existing $d$conf_file"
else
  sed -e "s|^#java_home = .*|#java_home = $JAVA_HOME|" -e "s|^#cache_dir = .*|#cache_dir = $cache_dir|" \
    pam-java-shim/pam_java.conf > "$d$conf_file.tmp"
  chmod 0644 "$d$conf_file.tmp"
  mv "$d$conf_file.tmp" "$d$conf_file"
fi
install -d -m 0700 "$d$cache_dir"

# Documentation: the man pages, the module author's guide, the example modules, the copyright.
gzip -9n < docs/man/pam_java.8 > "$d$PREFIX/share/man/man8/pam_java.8.gz"
gzip -9n < docs/man/pam-java.1 > "$d$PREFIX/share/man/man1/pam-java.1.gz"
gzip -9n < docs/man/pam-java-resident.8 > "$d$PREFIX/share/man/man8/pam-java-resident.8.gz"
chmod 0644 "$d$PREFIX/share/man/man8/pam_java.8.gz" "$d$PREFIX/share/man/man1/pam-java.1.gz" \
  "$d$PREFIX/share/man/man8/pam-java-resident.8.gz"
gzip -9n < docs/guide.md > "$d$doc_dir/guide.md.gz"
chmod 0644 "$d$doc_dir/guide.md.gz"
install -m 0644 packaging/debian/copyright "$d$doc_dir/copyright"
# The module API's Javadoc (HTML): directories 0755, files 0644, whatever the build's umask was.
rm -rf "$d$doc_dir/api"
cp -R "$dist/share/doc/pam-java/api" "$d$doc_dir/api"
find "$d$doc_dir/api" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
install -D -m 0644 examples/totp/TotpModule.java "$d$doc_dir/examples/totp/TotpModule.java"
install -D -m 0644 examples/access/AccessPolicyModule.java "$d$doc_dir/examples/access/AccessPolicyModule.java"
install -D -m 0644 examples/httpallow/HttpAllowModule.java "$d$doc_dir/examples/httpallow/HttpAllowModule.java"
install -D -m 0644 examples/officehours/OfficeHoursModule.java "$d$doc_dir/examples/officehours/OfficeHoursModule.java"

# The AOT cache must be made for the final paths: now when installing in place, else by whoever
# installs the tree (the Debian package's postinst).
if [ -z "$DESTDIR" ]; then
  aot_log=$(sh scripts/build-aot-cache.sh "$runtime_dir" "$JAVA_HOME" 2>&1) || { echo "$aot_log" >&2; exit 1; }
  echo "installed pam_java into $PREFIX, $PAMDIR, $SYSCONFDIR, $LOCALSTATEDIR"
else
  echo "installed pam_java under $DESTDIR (no AOT cache: run $PREFIX/libexec/pam-java/build-aot-cache $runtime_dir JDK there)"
fi

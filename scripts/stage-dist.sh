#!/usr/bin/env bash
# stage-dist.sh: assembles the staging tree dist/ (docs/architecture.md#23-build-output) from the built modules and
# builds the AOT cache for it. Run by the build (pam-java-dist); works in place, without root.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)
dist="$PROJECT_DIR/dist"
runtime="$dist/share/pam-java"

# Each file is written beside its place and renamed over it: a running host that has the old
# pam_java.so or jar mapped keeps its copy (rewriting it in place would crash it with SIGBUS).
place() {  # place MODE SOURCE DESTINATION
  install -m "$1" "$2" "$3.new.$$" && mv -f "$3.new.$$" "$3"
}

mkdir -p "$dist/lib/security" "$runtime" "$dist/etc/security" "$dist/bin"
place 0755 pam-java-shim/target/native/pam_java.so "$dist/lib/security/pam_java.so"
place 0644 "pam-java-api/target/pam-java-api-$version.jar" "$runtime/pam-java-api.jar"
# The pam-java command: its jars, the example module its demo runs, and a launcher on the JDK
# this build used (PAM_JAVA_JDK overrides it at run time).
for part in runtime host resident stack client cli; do
  place 0644 "pam-java-$part/target/pam-java-$part-$version.jar" "$runtime/pam-java-$part.jar"
done
install -D -m 0644 examples/totp/TotpModule.java "$runtime/examples/totp/TotpModule.java"
# The module API's Javadoc as HTML (the -javadoc jar the public-api profile builds), for the package's
# /usr/share/doc/pam-java/api. Unpacked beside its place and renamed over it: no half-written tree.
api_doc="$dist/share/doc/pam-java/api"
rm -rf "$api_doc.new.$$" && mkdir -p "$api_doc.new.$$"
(cd "$api_doc.new.$$" && "$JAVA_HOME/bin/jar" xf "$PROJECT_DIR/pam-java-api/target/pam-java-api-$version-javadoc.jar")
rm -rf "$api_doc.new.$$/META-INF"
rm -rf "$api_doc" && mv "$api_doc.new.$$" "$api_doc"
# pam_java.conf's grammar in shell, which both launchers source.
place 0644 pam-java-shim/pam-java-conf.sh "$runtime/pam-java-conf.sh"
sed "s|@JAVA_HOME@|$JAVA_HOME|" pam-java-cli/src/main/sh/pam-java > "$dist/bin/pam-java"
chmod 0755 "$dist/bin/pam-java"
sed "s|@JAVA_HOME@|$JAVA_HOME|" pam-java-resident/src/main/sh/pam-java-resident > "$dist/bin/pam-java-resident"
chmod 0755 "$dist/bin/pam-java-resident"
# The cache of compiled .java modules: root-only (docs/security.md#threat-3-files-and-output).
install -d -m 0700 "$dist/var/cache/pam-java"
if [ ! -e "$dist/etc/security/pam_java.conf" ]; then
  install -m 0644 pam-java-shim/pam_java.conf "$dist/etc/security/pam_java.conf"
fi

# The AOT cache of the classes a PAM call loads, for these jars and this JDK.
rm -f "$runtime/pam-java.aot"
TMPDIR="$PROJECT_DIR/pam-java-host/target" sh scripts/build-aot-cache.sh "$runtime" "$JAVA_HOME"

# An AOT cache for the command, from a training run of `pam-java run` (libpam through
# java.lang.foreign, the stack engine), with the launcher's JVM flags and class path: it halves
# the command's start-up. The launcher uses it only on the JDK it was made with.
cli_training=$(mktemp -d "$PROJECT_DIR/pam-java-cli/target/aot-training.XXXXXX")
printf 'auth required pam_debug.so auth=success\naccount required pam_permit.so\n' > "$cli_training/pam-java-training"
rm -f "$runtime/pam-java-cli.aot"
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData --enable-native-access=ALL-UNNAMED \
  -Dpamjava.home="$dist" -XX:AOTCacheOutput="$runtime/pam-java-cli.aot" -Xlog:aot=error \
  -cp "$runtime/pam-java-cli.jar:$runtime/pam-java-client.jar:$runtime/pam-java-stack.jar:$runtime/pam-java-runtime.jar:$runtime/pam-java-resident.jar:$runtime/pam-java-api.jar" \
  org.pamjava.cli.Main run --confdir "$cli_training" pam-java-training alice </dev/null >/dev/null
rm -rf "$cli_training"
echo "staged $dist"

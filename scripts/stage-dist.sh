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

mkdir -p "$dist/lib/security" "$dist/lib/pam-java" "$runtime" "$dist/etc/security" "$dist/bin"
place 0755 pam-java-shim/target/native/pam_java.so "$dist/lib/security/pam_java.so"
# The tracing module of `pam-java run --trace`: the command's own, never named by a PAM rule, so not
# in a module directory.
place 0755 pam-java-shim/target/native/pam_java_trace.so "$dist/lib/pam-java/pam_java_trace.so"
place 0644 "pam-java-api/target/pam-java-api-$version.jar" "$runtime/pam-java-api.jar"
# The pam-java command: its jars, the example module its demo runs, and a launcher on the JDK
# this build used (PAM_JAVA_JDK overrides it at run time).
for part in runtime host resident stack client cli; do
  place 0644 "pam-java-$part/target/pam-java-$part-$version.jar" "$runtime/pam-java-$part.jar"
done
install -D -m 0644 examples/totp/TotpModule.java "$runtime/examples/totp/TotpModule.java"
# What module projects build against (`pam-java new` names it as a file:// repository), in
# Debian's layout: the jars in share/java (api, runtime and stack are the runtime's own jars,
# linked), share/maven-repo/GROUP/ARTIFACT/VERSION/ linking to them beside each POM, the parent
# POM too (the others inherit from it).
java_dir="$dist/share/java"
maven_repo="$dist/share/maven-repo"
rm -rf "$maven_repo" "$java_dir"
mkdir -p "$java_dir"
# Debian's Java policy: NAME-VERSION.jar, and NAME.jar linking to it.
for part in api runtime stack; do
  ln -s "../pam-java/pam-java-$part.jar" "$java_dir/pam-java-$part-$version.jar"
done
place 0644 "pam-java-testing/target/pam-java-testing-$version.jar" "$java_dir/pam-java-testing-$version.jar"
for part in api runtime stack testing; do
  ln -s "pam-java-$part-$version.jar" "$java_dir/pam-java-$part.jar"
done
# A -SNAPSHOT resolves from a repository without maven-metadata.xml, but Maven then keeps the
# copy it took into the user's local repository forever: a rebuilt dist/ or an upgraded package
# would go unseen. So a -SNAPSHOT gets what a deployment writes: metadata naming this staging's
# timestamp, and the timestamped names (links to the same files), which Maven compares with its
# copy's. A release needs neither.
snapshot_time=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y%m%d.%H%M%S)
snapshot_version=${version%-SNAPSHOT}-$snapshot_time-1
maven_artifact() {  # maven_artifact ARTIFACT POM [JAR [SOURCES-JAR]]: the POM and jars of one artifact
  local artifact=$1 pom=$2 jar=${3:-} sources=${4:-}
  local dir="$maven_repo/org/pamjava/$artifact/$version" kinds="pom"
  mkdir -p "$dir"
  install -m 0644 "$pom" "$dir/$artifact-$version.pom"
  if [ -n "$jar" ]; then
    ln -s "../../../../../java/$artifact.jar" "$dir/$artifact-$version.jar"
    kinds="$kinds jar"
  fi
  if [ -n "$sources" ]; then  # the public API's sources, for IDEs
    install -m 0644 "$sources" "$dir/$artifact-$version-sources.jar"
    kinds="$kinds sources"
  fi
  case $version in *-SNAPSHOT) ;; *) return 0 ;; esac
  local kind entries=
  for kind in $kinds; do
    case $kind in
      pom) ln -s "$artifact-$version.pom" "$dir/$artifact-$snapshot_version.pom"
           entries="$entries<snapshotVersion><extension>pom</extension>" ;;
      jar) ln -s "$artifact-$version.jar" "$dir/$artifact-$snapshot_version.jar"
           entries="$entries<snapshotVersion><extension>jar</extension>" ;;
      sources) ln -s "$artifact-$version-sources.jar" "$dir/$artifact-$snapshot_version-sources.jar"
           entries="$entries<snapshotVersion><classifier>sources</classifier><extension>jar</extension>" ;;
    esac
    entries="$entries<value>$snapshot_version</value><updated>${snapshot_time/./}</updated></snapshotVersion>"
  done
  cat > "$dir/maven-metadata.xml" <<METADATA
<?xml version="1.0" encoding="UTF-8"?>
<metadata modelVersion="1.1.0">
  <groupId>org.pamjava</groupId>
  <artifactId>$artifact</artifactId>
  <version>$version</version>
  <versioning>
    <snapshot><timestamp>$snapshot_time</timestamp><buildNumber>1</buildNumber></snapshot>
    <lastUpdated>${snapshot_time/./}</lastUpdated>
    <snapshotVersions>$entries</snapshotVersions>
  </versioning>
</metadata>
METADATA
  chmod 0644 "$dir/maven-metadata.xml"
}
for part in api runtime stack testing; do
  sources="pam-java-$part/target/pam-java-$part-$version-sources.jar"
  [ -f "$sources" ] || sources=
  maven_artifact "pam-java-$part" "pam-java-$part/pom.xml" "pam-java-$part/target/pam-java-$part-$version.jar" "$sources"
done
maven_artifact pam-java-parent pom.xml
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

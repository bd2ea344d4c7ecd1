#!/bin/sh
# build-aot-cache.sh: builds pam_java's AOT cache, RUNTIME_DIR/pam-java.aot, for the jars in
# RUNTIME_DIR and the JDK at JAVA_HOME. Used by scripts/stage-dist.sh for dist/ and, installed as
# /usr/libexec/pam-java/build-aot-cache, by the Debian package's postinst for the installed tree.
#
# usage: build-aot-cache.sh RUNTIME_DIR [JAVA_HOME]      (JAVA_HOME defaults to $JAVA_HOME)
#
# The cache records the classes a PAM call loads, so a new process maps them instead of loading
# and linking them. The JVM uses it only when the class path (the jars' absolute paths, sizes and
# times) and the JDK build are the ones it was made with, hence a run for every installed tree
# and JDK. The flags are pam_java.so's own (pam-java-shim/src/jvm_options.c, pj_jvm_options_build): keep them equal.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: build-aot-cache.sh RUNTIME_DIR [JAVA_HOME]" >&2
    exit 2
fi
runtime=$(cd "$1" && pwd)
jdk=${2:-${JAVA_HOME:-}}
if [ -z "$jdk" ] || [ ! -x "$jdk/bin/java" ]; then
    echo "build-aot-cache: no JDK at '${jdk}'" >&2
    exit 1
fi

# The training run compiles and loads a throw-away module in a private directory.
training=$(mktemp -d "${TMPDIR:-/tmp}/pam-java-aot.XXXXXX")
trap 'rm -rf "$training" "$runtime/pam-java.aot.new" "$runtime/pam-java.aot.new.config"' EXIT
set -- -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx96m -Xmn1m -XX:MetaspaceSize=8m -XX:CompressedClassSpaceSize=64m -XX:-UsePerfData \
    -Djdk.reflect.useNativeAccessorOnly=true \
    --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Djava.class.path="$runtime/pam-java-api.jar:$runtime/pam-java-runtime.jar:$runtime/pam-java-host.jar"

"$jdk/bin/java" "$@" org.pamjava.host.AotTraining prepare "$training"
# Written beside the cache and renamed over it: a process starting meanwhile maps a whole file.
"$jdk/bin/java" "$@" -XX:AOTCacheOutput="$runtime/pam-java.aot.new" -Xlog:aot=error \
    org.pamjava.host.AotTraining train "$training"
chmod 0644 "$runtime/pam-java.aot.new"
mv -f "$runtime/pam-java.aot.new" "$runtime/pam-java.aot"

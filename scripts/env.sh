# env.sh: sourced by the project's scripts: which JDK and Maven settings the build uses.
# The machine's default java may be older; pam_java needs JDK 25.
export JAVA_HOME="${PAM_JAVA_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8 on JDK 25 warns about sun.misc.Unsafe; the warning is Maven's, not ours.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PROJECT_DIR

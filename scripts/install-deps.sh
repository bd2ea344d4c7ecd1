#!/usr/bin/env bash
# install-deps.sh: installs what building and testing pam_java needs, from Debian's archive.
# Only what is missing is installed; run as root (or with sudo) on Debian 12.
set -euo pipefail

packages=(
  gcc make pkg-config maven   # the build
  libpam0g-dev                # <security/pam_*.h>, libpam.so, pam_start_confdir (Linux-PAM >= 1.4)
  libpam-modules              # pam_permit.so, pam_deny.so, pam_debug.so for tests
  pamtester                   # a real PAM application for the tests
  openssh-server openssh-client  # a real sshd on loopback for the tests
  util-linux gdb              # su and setpriv; gcore for the secrets test
  openjdk-17-jdk-headless     # Debian 12's default JDK: module projects made by 'pam-java new' must build on it
  sudo python3                # sudo as a real host; python3 drives login and passwd on a pty
  libpam-python               # the baseline pam_java is measured against
  dpkg-dev lintian man-db     # the Debian package: Depends (dpkg-shlibdeps), lintian, man -l
  debootstrap                 # the clean Debian root the package is installed into by the test
  systemd                     # systemd-analyze verify of the package's units (test-deb.sh); none is started
  clang-14 libclang-rt-14-dev # libFuzzer for the C fuzz targets (pam-java-shim/fuzz, scripts/fuzz.sh)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jdk="${PAM_JAVA_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -x "$jdk/bin/javac" ]; then
  echo "pam_java needs JDK 25 at $jdk (set PAM_JAVA_JDK to use another)." >&2
  exit 1
fi

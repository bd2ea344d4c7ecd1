#!/usr/bin/env bash
# build-deb.sh: builds the Debian package pam-java_VERSION_ARCH.deb from the staging tree dist/:
# installs it (scripts/install.sh) under packaging/target/root with Debian's paths, adds the
# control data from packaging/debian/, and packs it with dpkg-deb. Run by the build (the
# packaging module) and by `make deb`; needs no root (files are recorded as root:root).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

pom_version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)
version=${pom_version/-/\~}         # 0.1.0-SNAPSHOT sorts before 0.1.0 as 0.1.0~SNAPSHOT
arch=$(dpkg --print-architecture)
out=$PROJECT_DIR/packaging/target
root=$out/root
deb=$out/pam-java_${version}_${arch}.deb

rm -rf "$root" "$out"/pam-java_*.deb
mkdir -p "$root/DEBIAN"
# Debian's places, whatever the caller's environment says.
PREFIX=/usr SYSCONFDIR=/etc LOCALSTATEDIR=/var DESTDIR=$root \
  PAMDIR=/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/security \
  bash scripts/install.sh > /dev/null

install -D -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/pam-java"
date=$(LC_ALL=C date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date/" packaging/debian/changelog \
  | gzip -9n > "$root/usr/share/doc/pam-java/changelog.gz"
chmod 0644 "$root/usr/share/doc/pam-java/changelog.gz"

# Depends: the libraries pam_java.so links (libc6, libpam0g), as dpkg-shlibdeps computes them.
# The JDK is loaded at run time from java_home in pam_java.conf: no dependency on it.
shlibs=$(mktemp -d)
trap 'rm -rf "$shlibs"' EXIT
mkdir "$shlibs/debian"
printf 'Source: pam-java\n\nPackage: pam-java\nArchitecture: any\n' > "$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O "$root"/lib/*/security/pam_java.so | sed -n 's/^shlibs:Depends=//p')

sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" \
    -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$root" | cut -f1)/" \
    packaging/debian/control > "$root/DEBIAN/control"
install -m 0644 packaging/debian/conffiles packaging/debian/triggers "$root/DEBIAN/"
sed "s|@JAVA_HOME@|$JAVA_HOME|" packaging/debian/postinst > "$root/DEBIAN/postinst"
install -m 0755 packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
chmod 0755 "$root/DEBIAN/postinst"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
  | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" > /dev/null
echo "built $deb"

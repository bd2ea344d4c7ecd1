# The top-level Makefile: builds pam_java (with Maven), installs it, and builds the Debian package.
#
#   make                         build everything and stage dist/ (tests skipped; scripts/test.sh runs them)
#   make install                 install dist/ into the system (as root); see scripts/install.sh
#   make install PREFIX=/usr/local DESTDIR=/tmp/root
#   make uninstall               remove what install put there, except the configuration file
#   make deb                     packaging/target/pam-java_VERSION_amd64.deb (scripts/build-deb.sh)
#   make test-deb                install that package into a clean Debian root and try it
#
# pam_java.so has its paths compiled in, so `install` rebuilds it for these directories. The PAM
# module directory is libpam's (Debian: /lib/<multiarch>/security), whatever PREFIX is.
PREFIX        ?= /usr
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
PAMDIR        ?= /lib/$(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)/security
DESTDIR       ?=
export PREFIX SYSCONFDIR LOCALSTATEDIR PAMDIR DESTDIR

all:
	bash -c 'source scripts/env.sh && mvn -B -q install -DskipTests'

install:
	bash scripts/install.sh

uninstall:
	bash scripts/install.sh uninstall

deb:
	bash scripts/build-deb.sh

test-deb:
	bash scripts/test-deb.sh

.PHONY: all install uninstall deb test-deb

#!/usr/bin/env bash
# test.sh: the README's second command (and CI's): installs what is missing, builds, and runs
# every test: unit tests, the integration tests through the real libpam, and the real hosts.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

bash scripts/install-deps.sh
mvn -B install
# The Debian package the build made: installed into a clean Debian root, used, removed, purged.
bash scripts/test-deb.sh

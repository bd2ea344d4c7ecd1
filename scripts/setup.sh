#!/usr/bin/env bash
# setup.sh: the README's first command. Installs what is missing, builds pam_java into dist/,
# then runs the demo: a real PAM transaction through libpam with a Java module that converses.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

bash scripts/install-deps.sh
mvn -q -B install -DskipTests
bash scripts/demo.sh

#!/usr/bin/env bash
# demo.sh: a real PAM transaction through libpam (pam_start_confdir, no change to /etc/pam.d)
# with pam_java.so running the example TOTP module, answered once right and once wrong.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

demo="$PROJECT_DIR/dist/demo"
host="$PROJECT_DIR/pam-java-it/target/test-native/pam_host"
secret=JBSWY3DPEHPK3PXP
mkdir -p "$demo/pam.d"
umask 077
printf 'alice:%s\n' "$secret" > "$demo/totp.secrets"
cat > "$demo/pam.d/pam-java-demo" <<CONF
auth    required $PROJECT_DIR/dist/lib/security/pam_java.so $PROJECT_DIR/examples/totp/TotpModule.java secrets=$demo/totp.secrets
account required pam_permit.so
CONF

code=$("$JAVA_HOME/bin/java" -cp dist/share/pam-java/pam-java-api.jar examples/totp/TotpModule.java code "$secret")
wrong=$(printf '%06d' $(( (10#$code + 1) % 1000000 )))

echo "== PAM service (dist/demo/pam.d/pam-java-demo):"
sed 's/^/   /' "$demo/pam.d/pam-java-demo"
echo "== alice answers the module's prompt with the right code ($code):"
echo "$code" | "$host" --confdir "$demo/pam.d" --user alice pam-java-demo auth acct | sed 's/^/   /'
echo "== alice answers with a wrong code ($wrong):"
echo "$wrong" | "$host" --confdir "$demo/pam.d" --user alice pam-java-demo auth | sed 's/^/   /'

/**
 * PAM for Java applications: transactions over the system's real libpam (pam_start(3) and the
 * functions around it), through java.lang.foreign, without JNI or JNA.
 *
 * <pre>{@code
 * int rc = Pam.login("myapp", "alice", password);         // authenticate AND account check
 *
 * try (PamTransaction pam = PamTransaction.start("myapp", "alice", message ->
 *         message.msgStyle() == PamConstants.PAM_PROMPT_ECHO_OFF ? console.readPassword("%s", message.msg()) : null)) {
 *     if (pam.authenticate(0) == PamConstants.PAM_SUCCESS && pam.acctMgmt(0) == PamConstants.PAM_SUCCESS) {
 *         pam.setcred(PamConstants.PAM_ESTABLISH_CRED);
 *         pam.openSession(0);
 *     }
 * }
 * }</pre>
 *
 * <p>The process needs native access: run it with {@code --enable-native-access=ALL-UNNAMED} (or
 * the module's name).
 *
 * <p>Null policy: parameters are non-null unless documented otherwise; PAM items and environment
 * values use {@code null} for C's {@code NULL} (unset). A libpam call that fails outside the six
 * operations throws {@link org.pamjava.PamException} carrying the PAM code.
 */
package org.pamjava.client;

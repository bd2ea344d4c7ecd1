/**
 * A JUnit-friendly test kit for PAM modules written in Java, on the pure-Java engine of
 * {@code org.pamjava.stack}: no root, no {@code /etc/pam.d}, no native code.
 *
 * <pre>{@code
 * TestStack stack = TestStack.service("login", """
 *         auth    required  pam_java.so Otp.java digits=6
 *         account required  pam_permit.so
 *         """).module("Otp.java", Otp::new);
 * try (TestTransaction pam = stack.start("alice")) {
 *     pam.conversation().answer("123456");
 *     OperationResult r = pam.authenticate();
 *     assertEquals(PamConstants.PAM_SUCCESS, r.pamCode(), r.describe());
 *     assertEquals("Verification code: ", pam.conversation().prompts().getFirst().msg());
 * }
 * }</pre>
 *
 * <p>The modules run exactly as under the native {@code pam_java.so}: one instance per transaction
 * and module, {@code end} at the end, the same {@link org.pamjava.PamHandle} contract, and Linux-PAM's
 * own control semantics (the engine is checked against the real libpam). What a module sees of the
 * handle (items, xauth data, environment, conversation, get_user, strerror, fail delay requests,
 * exceptions and codes) is checked against pam_java.so's, in-process and in the resident service,
 * case by case: {@code TestKitMatchesLibpamTest} in pam-java-it.
 *
 * <p>What the modules log is captured as pam_java would write it to syslog:
 * {@link org.pamjava.testing.TestTransaction#logRecords()} lists each record with its syslog level,
 * its message and the rule whose call logged it, from {@code PamHandle.syslog},
 * {@code System.Logger}, {@code java.util.logging}, {@code System.out} and {@code System.err}
 * (printed on the call's thread); {@code LOG_DEBUG} records only from rules with the {@code debug}
 * argument. The test's own output and logging still get everything.
 *
 * <p>Null policy: parameters and return values are non-null unless documented otherwise; PAM items
 * use {@code null} for C's {@code NULL}.
 */
package org.pamjava.testing;

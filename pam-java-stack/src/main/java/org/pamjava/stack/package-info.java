/**
 * A pure-Java PAM engine: it parses {@code /etc/pam.conf} and {@code /etc/pam.d/*} syntax and runs
 * stacks of {@link org.pamjava.PamModule} objects with Linux-PAM 1.5's control semantics.
 *
 * <p>Start with {@link org.pamjava.stack.PamStack}: it reads a {@link org.pamjava.stack.ConfigSource}
 * the way pam_start_confdir(3) does and starts {@link org.pamjava.stack.StackTransaction}s, the
 * engine's {@code pam_handle_t}. {@link org.pamjava.stack.PamConfigParser} exposes the parsed rules
 * and the diagnostics libpam would have logged; {@link org.pamjava.stack.ControlAction} and
 * {@link org.pamjava.stack.Control} model the {@code [value=action ...]} control syntax.
 *
 * <p>Where this package and Linux-PAM disagree, Linux-PAM (as shipped in Debian 12) is right: the
 * test suite compares the engine against the real libpam on thousands of generated stacks.
 *
 * <p>Null policy: parameters and return values are non-null unless documented otherwise; PAM items
 * use {@code null} for C's {@code NULL}, as in {@link org.pamjava.PamHandle}.
 */
package org.pamjava.stack;

package org.pamjava.stack;

/**
 * One record a module's call logged, as it would reach syslog through pam_java: from
 * {@link org.pamjava.PamHandle#syslog}, and in the test kit also from {@code System.Logger},
 * {@code java.util.logging} and {@code System.out} / {@code System.err} printed during the call.
 *
 * @param level the syslog(3) level ({@link org.pamjava.Syslog#LOG_ERR} ...)
 * @param message the message as the module gave it (syslog would get its control characters
 *     escaped: pam_java writes {@code \n} as {@code #012})
 * @param rule the rule whose module call logged it, or {@code null} when the handle was used
 *     outside any module call (by the test itself, say)
 */
public record SyslogRecord(int level, String message, PamRule rule) {}

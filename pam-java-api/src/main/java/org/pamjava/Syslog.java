package org.pamjava;

/**
 * The syslog(3) levels {@link PamHandle#syslog} takes, with {@code <syslog.h>}'s names and values.
 * The facility is always {@code LOG_AUTHPRIV}, as pam_syslog(3) writes it; only the level is
 * chosen here.
 *
 * <p>As in Linux-PAM's own modules, {@link #LOG_DEBUG} records are written only when the rule has
 * the {@code debug} argument ({@code auth required pam_java.so mymodule.java debug}); the other
 * levels always are, and the administrator filters them in the syslog daemon or journal.
 *
 * <p>The loggers' levels map to these when pam_java created the JVM: {@code java.util.logging}'s
 * {@code SEVERE} is {@link #LOG_ERR}, {@code WARNING} {@link #LOG_WARNING}, {@code INFO}
 * {@link #LOG_INFO}, {@code CONFIG} and finer {@link #LOG_DEBUG}; {@code System.Logger}'s
 * {@code ERROR}, {@code WARNING}, {@code INFO}, and {@code DEBUG} and {@code TRACE} the same way.
 */
public final class Syslog {
    /** The system is unusable. */
    public static final int LOG_EMERG = 0;
    /** Action must be taken immediately. */
    public static final int LOG_ALERT = 1;
    /** A critical condition. */
    public static final int LOG_CRIT = 2;
    /** An error: what {@code System.err}, {@code System.Logger.Level.ERROR} and {@code java.util.logging.Level.SEVERE} are written at. */
    public static final int LOG_ERR = 3;
    /** A warning: {@code System.Logger.Level.WARNING}, {@code Level.WARNING}. */
    public static final int LOG_WARNING = 4;
    /** A normal but significant condition. */
    public static final int LOG_NOTICE = 5;
    /** Information: what {@code System.out}, {@code System.Logger.Level.INFO} and {@code Level.INFO} are written at. */
    public static final int LOG_INFO = 6;
    /**
     * Debugging detail, written only with the rule's {@code debug} argument:
     * {@code System.Logger.Level.DEBUG} and {@code TRACE}, {@code Level.CONFIG} and finer.
     */
    public static final int LOG_DEBUG = 7;

    private Syslog() {}

    /** Whether {@code level} is one of the eight levels above. */
    public static boolean isLevel(int level) {
        return level >= LOG_EMERG && level <= LOG_DEBUG;
    }
}

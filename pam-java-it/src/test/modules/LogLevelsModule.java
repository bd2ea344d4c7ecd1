import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Syslog;

/**
 * Logs at every level in every way a module can, for ModuleLoggingTest: PamHandle.syslog (with a
 * multi-line message and a level that is none), java.util.logging (a parameter, an exception),
 * System.Logger, System.out and System.err, what isLoggable says for debug, and a JUL record from
 * a thread of its own (no call's).
 */
public class LogLevelsModule implements PamModule {
    private static final Logger JUL = Logger.getLogger("loglevels");
    private static final System.Logger SYSTEM = System.getLogger("loglevels.system");

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        pamh.syslog(Syslog.LOG_ERR, "syslog err");
        pamh.syslog(Syslog.LOG_WARNING, "syslog warning");
        pamh.syslog(Syslog.LOG_NOTICE, "syslog notice");
        pamh.syslog(Syslog.LOG_INFO, "syslog info");
        pamh.syslog(Syslog.LOG_DEBUG, "syslog debug");
        pamh.syslog(Syslog.LOG_INFO, "two\nlines\u001b[31m");
        try {
            pamh.syslog(8, "level 8");
        } catch (IllegalArgumentException e) {
            pamh.syslog(Syslog.LOG_INFO, "level 8 refused");
        }
        JUL.severe("jul severe");
        JUL.warning("jul warning");
        JUL.info("jul info");
        JUL.config("jul config");
        JUL.fine("jul fine");
        JUL.finest("jul finest");
        JUL.log(Level.INFO, "jul {0} of {1}", new Object[] {"one", 2});
        JUL.log(Level.WARNING, "jul thrown", new IllegalStateException("bad\nthing"));
        SYSTEM.log(System.Logger.Level.ERROR, "system error");
        SYSTEM.log(System.Logger.Level.WARNING, "system warning");
        SYSTEM.log(System.Logger.Level.INFO, "system info");
        SYSTEM.log(System.Logger.Level.DEBUG, "system debug");
        SYSTEM.log(System.Logger.Level.TRACE, "system trace");
        SYSTEM.log(System.Logger.Level.INFO, "system {0}", "parameter");
        System.out.println("out line");
        System.err.println("err line");
        pamh.syslog(Syslog.LOG_INFO, "isLoggable jul fine=" + JUL.isLoggable(Level.FINE) + " system debug="
                + SYSTEM.isLoggable(System.Logger.Level.DEBUG));
        Thread own = new Thread(() -> JUL.warning("jul from a thread of its own"));
        own.start();
        try {
            own.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return PamConstants.PAM_SUCCESS;
    }
}

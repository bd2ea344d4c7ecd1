import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * A module without static state (no static field that is not final, no static initializer), so
 * pam_java gives all handles one class loader. Rule arguments: out=FILE receives one line per call
 * (without it, nothing is recorded).
 * Its instance fields must still be per handle.
 */
public class StatelessModule implements PamModule {
    private static final String PREVIOUS = "pamjava.test.previousStatelessInstance";

    private int callsOnThisHandle;

    private static String out(List<String> args) {
        for (String a : args) {
            if (a.startsWith("out=")) {
                return a.substring(4);
            }
        }
        return null;
    }

    private int record(String op, List<String> args) {
        callsOnThisHandle++;
        if (out(args) == null) {
            return PamConstants.PAM_SUCCESS; // the load test's rules: nothing to record
        }
        String line = op + " instance=" + System.identityHashCode(this)
                + " loader=" + System.identityHashCode(getClass().getClassLoader())
                + " calls=" + callsOnThisHandle + "\n";
        try {
            Files.writeString(Path.of(out(args)), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        if (args.contains("gc")) {
            // The previous handle's instance must be unreachable after its pam_end, although its
            // class (and class loader) live on for the next handles.
            Object previous = System.getProperties().get(PREVIOUS);
            if (previous instanceof WeakReference<?> ref) {
                for (int i = 0; i < 50 && ref.get() != null; i++) {
                    System.gc();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                record("previous instance collected " + (ref.get() == null), args);
            }
            System.getProperties().put(PREVIOUS, new WeakReference<>(this));
        }
        return record("authenticate", args);
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return record("acctMgmt", args);
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        return record("openSession", args);
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        return record("closeSession", args);
    }
}

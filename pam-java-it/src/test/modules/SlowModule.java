import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * A module whose authenticate may take its time: each call appends "started" to "started=FILE"
 * when it begins (so a test can act while the call runs); a call that finds a line in FILE already
 * then sleeps "sleep=MS" (the first of a fresh FILE returns at once), and every call succeeds.
 */
public class SlowModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        long sleep = 0;
        boolean later = false;
        for (String a : args) {
            if (a.startsWith("started=")) {
                Path file = Path.of(a.substring("started=".length()));
                try {
                    later = Files.exists(file) && Files.size(file) > 0;
                    Files.writeString(file, "started\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (a.startsWith("sleep=")) {
                sleep = Long.parseLong(a.substring("sleep=".length()));
            }
        }
        try {
            Thread.sleep(later ? sleep : 0);
        } catch (InterruptedException e) {
            return PamConstants.PAM_AUTH_ERR;
        }
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }
}

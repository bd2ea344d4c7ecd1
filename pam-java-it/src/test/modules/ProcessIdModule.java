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
 * Records which process it runs in: "out=FILE" receives "authenticate pid=N" (the process running
 * the Java module: the host itself in-process, the service's when resident). Every call succeeds.
 */
public class ProcessIdModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        for (String a : args) {
            if (a.startsWith("out=")) {
                try {
                    Files.writeString(Path.of(a.substring(4)), "authenticate pid=" + ProcessHandle.current().pid()
                            + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
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

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
 * Records where it runs and what it was handed: "out=FILE" receives "pid=N args=A0|A1|..." (the
 * process running the Java module, and its arguments, the module path first). Every call succeeds.
 */
public class ArgumentsModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        for (String a : args) {
            if (a.startsWith("out=")) {
                try {
                    Files.writeString(Path.of(a.substring(4)), "pid=" + ProcessHandle.current().pid() + " args="
                            + String.join("|", args) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return PamConstants.PAM_SUCCESS;
    }
}

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * HandleDataTest's first module: its authenticate stores a String under pam_java_it_shared (the
 * name a C module of the stack uses for its own pam_set_data), whose cleanup appends
 * "cleanup VALUE STATUS" to out=FILE. It fails (PAM_AUTH_ERR, "stale ...") when the handle
 * already holds a value there: a new handle starts with none. With "replace" it first stores
 * "first", which the second store replaces. "stored pamh=ADDRESS pid=PID" says where it ran.
 */
public class DataWriterModule implements PamModule {
    static final String NAME = "pam_java_it_shared";

    static void record(List<String> args, String line) {
        for (String a : args) {
            if (a.startsWith("out=")) {
                try {
                    Files.writeString(Path.of(a.substring(4)), line + "\n", StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        Object stale = pamh.getData(NAME, Object.class);
        if (stale != null) {
            record(args, "stale " + stale);
            return PamConstants.PAM_AUTH_ERR;
        }
        if (args.contains("replace")) {
            pamh.setData(NAME, "first", (value, status) -> record(args, "cleanup " + value + " " + status));
        }
        String value = "from-Java:" + pamh.getUser();
        pamh.setData(NAME, value, (v, status) -> record(args, "cleanup " + v + " " + status));
        record(args, "stored pamh=" + Long.toHexString(pamh.pamh()) + " pid=" + ProcessHandle.current().pid());
        return PamConstants.PAM_SUCCESS;
    }
}

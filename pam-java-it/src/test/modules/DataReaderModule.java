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
 * HandleDataTest's second module, another file than the one that stores the value: its acctMgmt
 * reads pam_java_it_shared ("read VALUE" to out=FILE, and "cce" when reading it as an Integer
 * throws ClassCastException) and grants the account only when a value is there; its end hook
 * records what it still sees ("end-read VALUE").
 */
public class DataReaderModule implements PamModule {
    private static final String NAME = "pam_java_it_shared";

    private static void record(List<String> args, String line) {
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

    private List<String> args = List.of();

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        this.args = args;
        String value = pamh.getData(NAME, String.class);
        record(args, "read " + value);
        try {
            pamh.getData(NAME, Integer.class);
            record(args, value == null ? "no value" : "no cce");
        } catch (ClassCastException e) {
            record(args, "cce");
        }
        return value != null ? PamConstants.PAM_SUCCESS : PamConstants.PAM_PERM_DENIED;
    }

    @Override
    public void end(PamHandle pamh) {
        record(args, "end-read " + pamh.getData(NAME, String.class));
    }
}

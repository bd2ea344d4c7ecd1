import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * The Java twin of pam-java-it's C module authtok_probe.c (pam_authtok_probe.so): the same steps,
 * arguments and output, through PamHandle's getAuthtok family, prompt, info and error, so a test
 * compares them line by line with what libpam's own functions do. See authtok_probe.c for the
 * arguments and the output.
 */
public class AuthtokProbe implements PamModule {

    private static String arg(List<String> args, String name) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return a.substring(name.length() + 1);
            }
        }
        return null;
    }

    private static String shown(String value) {
        return value == null ? "-" : "[" + value + "]";
    }

    private static String shown(char[] value) {
        if (value == null) {
            return "-";
        }
        String s = "[" + new String(value) + "]";
        Arrays.fill(value, '\0');
        return s;
    }

    /** One step: what it got, as the output shows it; a failure throws PamException. */
    private static String step(PamHandle pamh, String name, String arg) {
        switch (name) {
            case "get" -> { return shown(pamh.getAuthtokChars(arg)); }
            case "getstr" -> { return shown(pamh.getAuthtok(arg)); }
            case "old" -> { return shown(pamh.getOldauthtokChars(arg)); }
            case "noverify" -> { return shown(pamh.getAuthtokNoverifyChars(arg)); }
            case "verify" -> { return shown(pamh.verifyAuthtokChars(arg)); }
            case "set" -> pamh.setAuthtok(arg);
            case "setold" -> pamh.setOldauthtok(arg);
            case "settype" -> pamh.setAuthtokType(arg);
            case "unset" -> pamh.setAuthtok(null);
            case "prompt" -> {
                int colon = arg.indexOf(':');
                return shown(pamh.prompt(Integer.parseInt(arg.substring(0, colon)), arg.substring(colon + 1)));
            }
            case "info" -> pamh.info(arg == null ? "" : arg);
            case "error" -> pamh.error(arg == null ? "" : arg);
            default -> throw new PamException(PamConstants.PAM_SERVICE_ERR, "no step " + name);
        }
        return "-";
    }

    private static int run(PamHandle pamh, String pass, String steps, List<String> args) {
        StringBuilder out = new StringBuilder();
        int result = PamConstants.PAM_SUCCESS;
        for (String s : steps == null || steps.isEmpty() ? new String[0] : steps.split(";")) {
            int eq = s.indexOf('=');
            String name = eq < 0 ? s : s.substring(0, eq);
            String value;
            int rc;
            try {
                value = step(pamh, name, eq < 0 ? null : s.substring(eq + 1));
                rc = PamConstants.PAM_SUCCESS;
            } catch (PamException e) {
                value = "-";
                rc = e.pamCode();
            }
            out.append(pass).append(' ').append(name).append(' ').append(rc).append(' ').append(value).append('\n');
            if (result == PamConstants.PAM_SUCCESS) {
                result = rc;
            }
        }
        out.append(pass).append(" items authtok=").append(shown(pamh.getAuthtokChars()))
                .append(" oldauthtok=").append(shown(pamh.getOldauthtokChars()))
                .append(" type=").append(shown(pamh.getAuthtokType())).append('\n');
        try {
            Files.writeString(Path.of(arg(args, "out")), out, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        return run(pamh, "auth", arg(args, "steps"), args);
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int chauthtok(PamHandle pamh, int flags, List<String> args) {
        if ((flags & PamConstants.PAM_PRELIM_CHECK) != 0) {
            return run(pamh, "prelim", arg(args, "prelim"), args);
        }
        return run(pamh, "update", arg(args, "steps"), args);
    }
}

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Response;
import org.pamjava.XAuthData;

/**
 * The module side of the integration tests: pam_python's own test cases, re-expressed for Java.
 * Rule arguments: case=NAME selects what to do, out=FILE is where results are written (one line
 * per observation), code=N is what the "code" case returns, leak=N how many bytes the "leak" case
 * keeps for good per call.
 */
public class SuiteModule implements PamModule {
    /** Per class loader: two handles must each see 1 if they have loaders of their own. */
    private static int instancesInThisLoader;

    private final int instance = ++instancesInThisLoader;

    private static String arg(List<String> args, String name) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return a.substring(name.length() + 1);
            }
        }
        return "";
    }

    private static synchronized void record(List<String> args, String line) {
        try {
            Files.writeString(Path.of(arg(args, "out")), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> lastArgs = List.of();

    private int common(String op, PamHandle pamh, int flags, List<String> args) {
        lastArgs = args;
        record(args, op + " flags=" + flags + " args=" + args.subList(0, args.size() - 1)
                + " instance=" + instance + " loader=" + System.identityHashCode(getClass().getClassLoader())
                + " jvmInitialized=" + pamh.jvmInitialized());
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        common("authenticate", pamh, flags, args);
        switch (arg(args, "case")) {
            case "constants" -> constants(pamh, args);
            case "env" -> environment(pamh, args);
            case "strerror" -> {
                for (int code : new int[] {0, 1, 30, 31}) {
                    record(args, "strerror " + code + " " + pamh.strerror(code));
                }
            }
            case "conv" -> {
                List<Response> replies = pamh.conversation(List.of(
                        new Message(PamConstants.PAM_PROMPT_ECHO_OFF, "Prompt_echo_off"),
                        new Message(PamConstants.PAM_PROMPT_ECHO_ON, "Prompt_echo_on"),
                        new Message(PamConstants.PAM_ERROR_MSG, "Error_msg"),
                        new Message(PamConstants.PAM_TEXT_INFO, "Text_info")));
                record(args, "replies " + replies.stream().map(r -> r.resp() + "/" + r.retCode()).toList());
            }
            case "code" -> {
                return Integer.parseInt(arg(args, "code"));
            }
            case "faildelay" -> {
                pamh.failDelay(10);
                record(args, "failDelay ok");
            }
            case "xauth" -> xauth(pamh, args);
            case "exceptions" -> {
                try {
                    pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_ON, "nobody answers"));
                    record(args, "conversation did not fail");
                } catch (PamException e) {
                    record(args, "conversation PamException " + e.pamCode());
                }
                try {
                    pamh.getUser("who? ");
                    record(args, "getUser did not fail");
                } catch (PamException e) {
                    record(args, "getUser PamException " + e.pamCode());
                }
            }
            case "version" -> record(args, "libpamVersion " + pamh.libpamVersion() + " pamh " + (pamh.pamh() != 0));
            case "gc" -> {
                // The previous handle's module (and its class loader) must be unreachable after its pam_end.
                Object previous = System.getProperties().get("pamjava.test.previousLoader");
                if (previous instanceof java.lang.ref.WeakReference<?> ref) {
                    for (int i = 0; i < 50 && ref.get() != null; i++) {
                        System.gc();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    record(args, "previous loader collected " + (ref.get() == null));
                }
                System.getProperties().put("pamjava.test.previousLoader",
                        new java.lang.ref.WeakReference<>(getClass().getClassLoader()));
            }
            case "leak" -> {
                // A deliberate leak for the load test to catch: leak=N bytes per call kept in a
                // JVM-wide list (the system properties), which outlives this handle's class loader.
                @SuppressWarnings("unchecked")
                List<byte[]> kept = (List<byte[]>) System.getProperties()
                        .computeIfAbsent("pamjava.test.leak", k -> java.util.Collections.synchronizedList(new ArrayList<byte[]>()));
                kept.add(new byte[Integer.parseInt(arg(args, "leak"))]);
            }
            case "signals" -> {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                        if (line.startsWith("SigBlk:")) {
                            record(args, "SigBlk " + line.substring(7).strip());
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> {}
        }
        return PamConstants.PAM_SUCCESS;
    }

    private static void constants(PamHandle pamh, List<String> args) {
        Map<String, Object> constants = new TreeMap<>();
        for (Field f : pamh.getClass().getFields()) {
            if (f.getName().startsWith("PAM_") || f.getName().startsWith("_PAM_")) {
                int mod = f.getModifiers();
                try {
                    constants.put(f.getName(), f.get(null) + (Modifier.isFinal(mod) && Modifier.isStatic(mod)
                            && f.getType() == int.class ? "" : " (not a static final int)"));
                } catch (IllegalAccessException e) {
                    constants.put(f.getName(), e.toString());
                }
            }
        }
        constants.forEach((name, value) -> record(args, "constant " + name + "=" + value));
    }

    private static void environment(PamHandle pamh, List<String> args) {
        Map<String, String> env = pamh.environment();
        record(args, "size " + env.size());
        record(args, "get x1 " + env.get("x1"));
        record(args, "put xx " + env.put("xx", "xxx"));
        record(args, "get xx " + env.get("xx"));
        record(args, "overwrite xx " + env.put("xx", "yyy") + " -> " + env.get("xx"));
        record(args, "remove xx " + env.remove("xx") + " -> " + env.get("xx"));
        record(args, "get missing " + env.get("missing"));
        for (String bad : new String[] {"", "a="}) {
            try {
                env.put(bad, "v");
                record(args, "put '" + bad + "' accepted");
            } catch (IllegalArgumentException e) {
                record(args, "put '" + bad + "' IllegalArgumentException");
            }
        }
        try {
            env.put("nullvalue", null);
            record(args, "put null value accepted");
        } catch (NullPointerException e) {
            record(args, "put null value NullPointerException");
        }
        record(args, "containsKey x2 " + env.containsKey("x2") + " missing " + env.containsKey("missing"));
        record(args, "getOrDefault " + env.getOrDefault("missing", "dflt") + " " + env.getOrDefault("x3", "dflt"));
        env.put("xx", "new");
        record(args, "remove x1 " + env.remove("x1"));
        record(args, "keys " + new ArrayList<>(env.keySet()));
        record(args, "values " + new ArrayList<>(env.values()));
        record(args, "entries " + new ArrayList<>(env.entrySet()));
        record(args, "size " + env.size());
    }

    private static void xauth(PamHandle pamh, List<String> args) {
        record(args, "xauth initially " + pamh.getXAuthData());
        pamh.setXAuthData(new XAuthData("name-module", "data-module".getBytes(StandardCharsets.UTF_8)));
        XAuthData x = pamh.getXAuthData();
        record(args, "xauth " + x.name() + " " + new String(x.data(), StandardCharsets.UTF_8));
        try {
            new XAuthData(null, new byte[0]);
            record(args, "xauth null name accepted");
        } catch (NullPointerException e) {
            record(args, "xauth null name NullPointerException");
        }
        pamh.setXAuthData(null);
        record(args, "xauth cleared " + pamh.getXAuthData());
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return common("setcred", pamh, flags, args);
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        common("acctMgmt", pamh, flags, args);
        if (arg(args, "case").equals("conv")) {
            Response r = pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_ON, "single"));
            record(args, "single reply " + r.resp() + "/" + r.retCode());
        }
        return PamConstants.PAM_SUCCESS;
    }

    private static String items(PamHandle pamh) {
        return "user=" + pamh.getUser() + " authtok=" + pamh.getAuthtok() + " oldauthtok=" + pamh.getOldauthtok()
                + " rhost=" + pamh.getRhost() + " ruser=" + pamh.getRuser() + " service=" + pamh.getService()
                + " tty=" + pamh.getTty() + " user_prompt=" + pamh.getUserPrompt() + " xdisplay="
                + pamh.getXdisplay() + " authtok_type=" + pamh.getAuthtokType();
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        common("openSession", pamh, flags, args);
        if (arg(args, "case").equals("items")) {
            record(args, "items " + items(pamh));
            pamh.setUser("user-module");
            pamh.setAuthtok("authtok-module");
            pamh.setOldauthtok("oldauthtok-module");
            pamh.setRhost("rhost-module");
            pamh.setRuser("ruser-module");
            pamh.setService("service-module");
            pamh.setTty("tty-module");
            pamh.setUserPrompt("user_prompt-module");
            pamh.setXdisplay("xdisplay-module");
            pamh.setAuthtokType("authtok_type-module");
            record(args, "getUser " + pamh.getUser("a prompt"));
            char[] token = pamh.getAuthtokChars();
            record(args, "authtok chars " + new String(token));
            java.util.Arrays.fill(token, '\0');
        }
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        common("closeSession", pamh, flags, args);
        if (arg(args, "case").equals("items")) {
            record(args, "items " + items(pamh));
        }
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int chauthtok(PamHandle pamh, int flags, List<String> args) {
        return common("chauthtok", pamh, flags, args);
    }

    @Override
    public void end(PamHandle pamh) {
        record(lastArgs, "end instance=" + instance + " strerror0=" + pamh.strerror(0));
    }
}

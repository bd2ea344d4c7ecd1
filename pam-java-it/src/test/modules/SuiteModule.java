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

    /** What an operation returns: the "code" case's code=N in every operation, else PAM_SUCCESS. */
    private static int result(List<String> args) {
        return arg(args, "case").equals("code") ? Integer.parseInt(arg(args, "code")) : PamConstants.PAM_SUCCESS;
    }

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
            case "getuser" -> getUserCases(pamh, args);
            case "strerrorall" -> {
                for (int code : new int[] {Integer.MIN_VALUE, -1, 0, 7, 19, 25, 31, 32, 33, 100, Integer.MAX_VALUE}) {
                    record(args, "strerror " + code + " " + pamh.strerror(code));
                }
                for (int code = 0; code < 32; code++) {
                    record(args, "strerror " + code + " " + pamh.strerror(code));
                }
            }
            case "envedge" -> environmentEdges(pamh, args);
            case "itemedge" -> itemEdges(pamh, args);
            case "convedge" -> conversationEdges(pamh, args);
            case "faildelays" -> {
                for (int usec : new int[] {400_000, 1_000_000, 200_000, 0, -1}) {
                    record(args, "failDelay " + usec + " " + outcome(() -> {
                        pamh.failDelay(usec);
                        return "ok";
                    }));
                }
                return Integer.parseInt(arg(args, "code").isEmpty() ? "0" : arg(args, "code"));
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

    /** What a handle call gives: its value, or the exception (and a PamException's code). */
    private static String outcome(java.util.concurrent.Callable<Object> call) {
        try {
            return shown(call.call());
        } catch (PamException e) {
            return "PamException " + e.pamCode();
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    private static String shown(Object value) {
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        if (value instanceof Response r) {
            return shown(r.resp()) + "/" + r.retCode();
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object o : list) {
                items.add(shown(o));
            }
            return items.toString();
        }
        return String.valueOf(value);
    }

    /** pam_get_user(3) with and without a prompt, with the user set, unset and empty. */
    private static void getUserCases(PamHandle pamh, List<String> args) {
        record(args, "getUser item " + outcome(pamh::getUser));
        record(args, "getUser null first " + outcome(() -> pamh.getUser(null)));
        pamh.setUser(null);
        record(args, "getUser 'who? ' " + outcome(() -> pamh.getUser("who? ")));
        record(args, "getUser 'again? ' " + outcome(() -> pamh.getUser("again? ")));
        pamh.setUser(null);
        pamh.setUserPrompt("Name please: ");
        record(args, "getUser null with user_prompt " + outcome(() -> pamh.getUser(null)));
        pamh.setUser(null);
        pamh.setUserPrompt(null);
        record(args, "getUser null default " + outcome(() -> pamh.getUser(null)));
        pamh.setUser("");
        record(args, "getUser empty user " + outcome(() -> pamh.getUser("unused? ")));
        pamh.setUser(null);
        record(args, "getUser '' " + outcome(() -> pamh.getUser("")));
        pamh.setUser(null);
        record(args, "getUser unanswered " + outcome(() -> pamh.getUser("nobody? ")));
        record(args, "getUser after failure " + outcome(() -> pamh.getUser("still nobody? ")));
        record(args, "getUser item at end " + outcome(pamh::getUser));
    }

    private static void environmentEdges(PamHandle pamh, List<String> args) {
        Map<String, String> env = pamh.environment();
        record(args, "env start " + env);
        record(args, "env get null " + outcome(() -> env.get(null)));
        record(args, "env containsKey null " + outcome(() -> env.containsKey(null)));
        record(args, "env remove null " + outcome(() -> env.remove(null)));
        record(args, "env get 'a=b' " + outcome(() -> env.get("a=b")) + " get '' " + outcome(() -> env.get("")));
        record(args, "env remove 'a=b' " + outcome(() -> env.remove("a=b")) + " missing " + outcome(() -> env.remove("missing")));
        record(args, "env put null name " + outcome(() -> env.put(null, "v")));
        record(args, "env put NUL value " + outcome(() -> env.put("nul", "a\0b")));
        record(args, "env put NUL name " + outcome(() -> env.put("n\0m", "v")));
        record(args, "env put empty value " + outcome(() -> env.put("empty", "")) + " -> " + outcome(() -> env.get("empty")));
        record(args, "env put value with = " + outcome(() -> env.put("eq", "a=b=c")) + " -> " + outcome(() -> env.get("eq")));
        record(args, "env put unicode " + outcome(() -> env.put("uni", "\u00fc\u2713")) + " -> " + outcome(() -> env.get("uni")));
        record(args, "env putAll " + outcome(() -> {
            env.putAll(new java.util.LinkedHashMap<>(Map.of("p1", "1")));
            return env.get("p1");
        }));
        record(args, "env after puts " + env + " size " + env.size());
        record(args, "env setValue " + outcome(() -> {
            for (Map.Entry<String, String> e : env.entrySet()) {
                if (e.getKey().equals("empty")) {
                    return e.setValue("filled") + " -> " + env.get("empty");
                }
            }
            return "no entry";
        }));
        record(args, "env iterator remove " + outcome(() -> {
            java.util.Iterator<String> it = env.keySet().iterator();
            while (it.hasNext()) {
                if (it.next().equals("eq")) {
                    it.remove();
                }
            }
            return env.containsKey("eq");
        }));
        record(args, "env keySet remove " + outcome(() -> env.keySet().remove("uni")) + " " + env);
        record(args, "env values contains " + env.values().contains("filled") + " equals " + env.equals(Map.copyOf(env))
                + " hash " + (env.hashCode() == Map.copyOf(env).hashCode()));
        record(args, "env clear " + outcome(() -> {
            env.clear();
            return env.size();
        }) + " " + env + " isEmpty " + env.isEmpty());
        record(args, "env put after clear " + outcome(() -> env.put("again", "1")) + " " + env);
    }

    private static String allItems(PamHandle pamh) {
        XAuthData x = pamh.getXAuthData();
        return items(pamh) + " xauth=" + (x == null ? "null" : x.name() + "/" + java.util.Arrays.toString(x.data()));
    }

    /** Items set empty, to unicode, cleared; the service lower-cased and never unset; xauth edges. */
    private void itemEdges(PamHandle pamh, List<String> args) {
        record(args, "items start " + allItems(pamh));
        pamh.setUser("");
        pamh.setRhost("");
        pamh.setRuser("");
        pamh.setTty("");
        pamh.setUserPrompt("");
        pamh.setXdisplay("");
        pamh.setAuthtokType("");
        pamh.setAuthtok("");
        pamh.setOldauthtok("");
        record(args, "items empty " + allItems(pamh));
        pamh.setUser("\u00fcser \u2713");
        pamh.setTty("/dev/pts/\u2713");
        pamh.setAuthtok("t\u00f6ken");
        record(args, "items unicode " + allItems(pamh) + " chars " + new String(pamh.getAuthtokChars()));
        pamh.setUser(null);
        pamh.setRhost(null);
        pamh.setRuser(null);
        pamh.setTty(null);
        pamh.setUserPrompt(null);
        pamh.setXdisplay(null);
        pamh.setAuthtokType(null);
        pamh.setAuthtok(null);
        pamh.setOldauthtok(null);
        record(args, "items cleared " + allItems(pamh) + " chars " + pamh.getAuthtokChars() + " " + pamh.getOldauthtokChars());
        record(args, "setService null " + outcome(() -> {
            pamh.setService(null);
            return "set";
        }) + " -> " + pamh.getService());
        pamh.setService("SUITE");
        record(args, "setService SUITE -> " + pamh.getService());
        record(args, "xauth empty " + outcome(() -> {
            pamh.setXAuthData(new XAuthData("", new byte[0]));
            return allItems(pamh);
        }));
        record(args, "xauth bytes " + outcome(() -> {
            pamh.setXAuthData(new XAuthData("MIT-MAGIC-COOKIE-1", new byte[] {0, 1, -1, 0, 127}));
            return allItems(pamh);
        }));
        byte[] data = {1, 2, 3};
        pamh.setXAuthData(new XAuthData("copy", data));
        data[0] = 9;
        record(args, "xauth copied on set " + java.util.Arrays.toString(pamh.getXAuthData().data()));
        pamh.getXAuthData().data()[1] = 9;
        record(args, "xauth copied on get " + java.util.Arrays.toString(pamh.getXAuthData().data()));
        pamh.setUser("user-auth");
        pamh.setAuthtok("authtok-auth");
        pamh.setOldauthtok("oldauthtok-auth");
    }

    private static void conversationEdges(PamHandle pamh, List<String> args) {
        record(args, "conv none " + outcome(() -> pamh.conversation(List.of())));
        List<Message> many = new ArrayList<>();
        for (int i = 0; i < PamConstants.PAM_MAX_NUM_MSG + 1; i++) {
            many.add(new Message(PamConstants.PAM_TEXT_INFO, "info " + i));
        }
        record(args, "conv too many " + outcome(() -> pamh.conversation(many)));
        record(args, "conv max " + outcome(() -> pamh.conversation(many.subList(0, PamConstants.PAM_MAX_NUM_MSG)).size()));
        record(args, "conv null message " + outcome(() -> pamh.conversation(java.util.Arrays.asList((Message) null))));
        record(args, "conv empty text " + outcome(() -> pamh.conversation(new Message(PamConstants.PAM_ERROR_MSG, ""))));
        record(args, "conv unknown style " + outcome(() -> pamh.conversation(new Message(99, "style 99"))));
        record(args, "conv binary prompt " + outcome(() -> pamh.conversation(new Message(7, "binary"))));
        record(args, "conv unicode prompt " + outcome(() -> pamh.conversation(
                new Message(PamConstants.PAM_PROMPT_ECHO_ON, "Pr\u00f6mpt \u2713"))));
        record(args, "conv secret " + outcome(() -> pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_OFF, "Password: "))));
        record(args, "conv mixed " + outcome(() -> pamh.conversation(List.of(
                new Message(PamConstants.PAM_TEXT_INFO, "first"),
                new Message(PamConstants.PAM_PROMPT_ECHO_ON, "second"),
                new Message(PamConstants.PAM_ERROR_MSG, "third")))));
        record(args, "conv unanswered " + outcome(() -> pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_ON, "last?"))));
        record(args, "conv after unanswered info " + outcome(() -> pamh.conversation(new Message(PamConstants.PAM_TEXT_INFO, "still here"))));
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
        common("setcred", pamh, flags, args);
        return result(args);
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        common("acctMgmt", pamh, flags, args);
        if (arg(args, "case").equals("itemedge")) {
            record(args, "items in acct " + allItems(pamh));
        }
        if (arg(args, "case").equals("envedge")) {
            record(args, "env in acct " + pamh.environment());
        }
        if (arg(args, "case").equals("code")) {
            return result(args);
        }
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
        return result(args);
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        common("closeSession", pamh, flags, args);
        if (arg(args, "case").equals("items")) {
            record(args, "items " + items(pamh));
        }
        return result(args);
    }

    @Override
    public int chauthtok(PamHandle pamh, int flags, List<String> args) {
        if (arg(args, "case").equals("faildelays") && (flags & PamConstants.PAM_PRELIM_CHECK) != 0) {
            pamh.failDelay(300_000);
        }
        common("chauthtok", pamh, flags, args);
        return result(args);
    }

    @Override
    public void end(PamHandle pamh) {
        record(lastArgs, "end instance=" + instance + " strerror0=" + pamh.strerror(0));
    }
}

package org.pamjava.stack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Generates random but reproducible PAM configurations for the differential test: every control
 * form, jumps, reset, includes, substacks, Debian's {@code @include}, {@code -type}, missing
 * modules, malformed lines, comments and continuations, with and without an {@code other} file.
 * Includes name files by absolute path, because Debian's libpam looks up relative include names in
 * {@code /etc/pam.d} even under pam_start_confdir.
 */
final class StackGenerator {

    /** One generated case: the files of its directory, and what the application does. */
    record Case(int id, Path dir, Map<String, String> files, String service, String user, String ops) {}

    private static final String[] TYPES = {"auth", "account", "password", "session"};
    private static final String[] SIMPLE = {"required", "requisite", "sufficient", "optional"};
    private static final String[] ACTIONS = {"ok", "done", "bad", "die", "ignore", "reset", "1", "2", "3"};
    private static final String[] COMMON_VALUES = {"success", "ignore", "auth_err", "perm_denied",
        "new_authtok_reqd", "incomplete", "module_unknown", "default", "default", "cred_err", "session_err"};
    private static final String[] EVENTS = {"auth", "cred", "acct", "prechauthtok", "chauthtok",
        "open_session", "close_session"};
    private static final String[] MALFORMED_CONTROLS = {"[success=okk]", "[foo=bar]", "[success=0]",
        "[success]", "[success=]", "[=ok]", "[success=ok default]", "requried", "[success=ok,default=bad]",
        "[success=-1]"};

    private final Random rnd;

    StackGenerator(long seed) {
        this.rnd = new Random(seed);
    }

    Case next(int id, Path dir) {
        int helpers = rnd.nextInt(4);
        List<String> names = new ArrayList<>();
        names.add("login");
        names.add("other");
        for (int i = 0; i < helpers; i++) {
            names.add("inc" + i);
        }
        Map<String, String> files = new LinkedHashMap<>();
        boolean hasLogin = rnd.nextDouble() < 0.9;
        boolean hasOther = rnd.nextDouble() < (hasLogin ? 0.45 : 0.9);
        for (int f = 0; f < names.size(); f++) {
            String name = names.get(f);
            if ((name.equals("login") && !hasLogin) || (name.equals("other") && !hasOther)) {
                continue;
            }
            // files may include only helpers after them, so there are no include cycles
            List<String> later = new ArrayList<>();
            for (int g = Math.max(f + 1, 2); g < names.size(); g++) {
                later.add(dir.resolve(names.get(g)).toString());
            }
            files.put(name, file(later));
        }
        String service = rnd.nextDouble() < 0.1 ? "LOGIN" : "login";
        String user = rnd.nextDouble() < 0.2 ? "-" : "tester";
        return new Case(id, dir, files, service, user, ops());
    }

    private String ops() {
        if (rnd.nextDouble() < 0.6) {
            return "asmocp";
        }
        StringBuilder sb = new StringBuilder();
        int n = 3 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            sb.append("asmocp".charAt(rnd.nextInt(6)));
        }
        return sb.toString();
    }

    private String file(List<String> later) {
        StringBuilder sb = new StringBuilder();
        if (rnd.nextDouble() < 0.3) {
            sb.append("#%PAM-1.0\n");
        }
        int lines = 2 + rnd.nextInt(9);
        for (int i = 0; i < lines; i++) {
            sb.append(line(later)).append('\n');
            if (rnd.nextDouble() < 0.08) {
                sb.append(rnd.nextBoolean() ? "\n" : "   # a comment\n");
            }
        }
        return sb.toString();
    }

    private String line(List<String> later) {
        double r = rnd.nextDouble();
        String type = pick(TYPES);
        if (rnd.nextDouble() < 0.08) {
            type = type.toUpperCase(Locale.ROOT);
        }
        if (rnd.nextDouble() < 0.1) {
            type = "-" + type;
        }
        if (r < 0.03) {
            return "auht required pam_permit.so";
        }
        if (r < 0.045) {
            return type;
        }
        if (r < 0.06) {
            return type + " " + control();
        }
        if (!later.isEmpty() && r < 0.12) {
            return (rnd.nextDouble() < 0.2 ? "-" : "") + "@include " + pick(later);
        }
        if (!later.isEmpty() && r < 0.26) {
            String kind = rnd.nextBoolean() ? "include" : "substack";
            String target = rnd.nextDouble() < 0.1 ? later.getFirst() + "-missing" : pick(later);
            return type + sep() + kind + sep() + target;
        }
        String control = rnd.nextDouble() < 0.05 ? pick(MALFORMED_CONTROLS) : control();
        String line = type + sep() + control + sep() + module();
        if (rnd.nextDouble() < 0.05) {
            int cut = line.indexOf(' ', line.indexOf(' ') + 1);
            if (cut > 0) {
                line = line.substring(0, cut) + " \\\n   " + line.substring(cut + 1);
            }
        }
        if (rnd.nextDouble() < 0.05) {
            line += "   # trailing comment";
        }
        return line;
    }

    private String control() {
        if (rnd.nextDouble() < 0.45) {
            String c = pick(SIMPLE);
            return rnd.nextDouble() < 0.1 ? c.toUpperCase(Locale.ROOT) : c;
        }
        StringBuilder sb = new StringBuilder("[");
        int pairs = 1 + rnd.nextInt(4);
        for (int i = 0; i < pairs; i++) {
            if (i > 0) {
                sb.append(rnd.nextDouble() < 0.1 ? "" : rnd.nextDouble() < 0.2 ? "  " : " ");
            }
            String value = rnd.nextDouble() < 0.8 ? pick(COMMON_VALUES) : Control.returnName(rnd.nextInt(32));
            sb.append(value).append(rnd.nextDouble() < 0.05 ? " = " : "=").append(pick(ACTIONS));
        }
        return sb.append(']').toString();
    }

    private String module() {
        double r = rnd.nextDouble();
        if (r < 0.12) {
            return "pam_permit.so";
        }
        if (r < 0.22) {
            return "pam_deny.so";
        }
        if (r < 0.27) {
            return rnd.nextBoolean() ? "pam_missing.so" : "/nonexistent/pam_debug.so";
        }
        StringBuilder sb = new StringBuilder(r < 0.32 ? "/lib/x86_64-linux-gnu/security/pam_debug.so" : "pam_debug.so");
        for (String event : EVENTS) {
            if (rnd.nextDouble() < 0.45) {
                String arg = event + "=" + debugValue();
                sb.append(' ').append(rnd.nextDouble() < 0.1 ? "[" + arg + "]" : arg);
            }
        }
        return sb.toString();
    }

    private String debugValue() {
        double r = rnd.nextDouble();
        if (r < 0.35) {
            return "success";
        }
        if (r < 0.45) {
            return "ignore";
        }
        if (r < 0.48) {
            return "incomplete";
        }
        if (r < 0.5) {
            return "bogus";
        }
        return Control.returnName(rnd.nextInt(32));
    }

    private String sep() {
        return rnd.nextDouble() < 0.2 ? "\t" : rnd.nextDouble() < 0.1 ? "   " : " ";
    }

    private String pick(String[] options) {
        return options[rnd.nextInt(options.length)];
    }

    private String pick(List<String> options) {
        return options.get(rnd.nextInt(options.size()));
    }
}

package org.pamjava.stack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a service's PAM configuration exactly as Linux-PAM 1.5 (with Debian's {@code @include})
 * does when pam_start_confdir(3) is called: the service's file, then {@code other}; includes,
 * substacks, {@code -type} rules, and malformed lines turned into rules that always fail.
 *
 * <p>Problems never throw: like libpam, the parser logs them (here: {@link PamConfig#diagnostics()},
 * with file and line) and carries on; when libpam would refuse to start at all,
 * {@link PamConfig#isUsable()} is false.
 */
public final class PamConfigParser {

    /** libpam's PAM_SUBSTACK_MAX_LEVEL. */
    static final int SUBSTACK_MAX_LEVEL = 16;
    /**
     * How many configuration files may be open at once. libpam has no include depth limit of its
     * own ({@code include} does not deepen the stack level): a file that includes itself recurses
     * until fopen(3) runs out of file descriptors (about a thousand), which this stands for. The
     * innermost failure propagates up every level the same way whatever the depth, so a smaller
     * limit gives libpam's outcome while keeping the recursion within an ordinary thread stack.
     */
    static final int MAX_OPEN_FILES = 64;
    /**
     * How much reading one service may take, counted as files opened plus lines read. libpam has
     * no such bound: a file that includes another twice, which includes a third twice and so on,
     * doubles the work at every level (a file that includes itself twice never ends), and libpam
     * appends each rule by walking the list, so pam_start takes tens of seconds at 16,384 rules
     * (a 14-level doubling chain, about 80,000 of these units) and hangs the host for good beyond.
     * Past this bound the service is refused as libpam refuses what it cannot read (pam_start
     * fails with PAM_ABORT), which is what every login would come to, only sooner.
     */
    static final int MAX_EXPANSION_WORK = 50_000;
    /** The diagnostic for a line on which libpam's pam_start crashes (see {@link PamConfig#libpamCrashes()}). */
    static final String LIBPAM_CRASHES = "include without a file name: libpam crashes on this line";
    /** The name libpam gives a rule that names no module. */
    private static final String UNKNOWN_MODULE = "<*unknown module*>";

    private final ConfigSource source;
    private final String service;
    private final Map<ModuleType, List<PamRule>> serviceRules = new EnumMap<>(ModuleType.class);
    private final Map<ModuleType, List<PamRule>> otherRules = new EnumMap<>(ModuleType.class);
    private final List<ConfigDiagnostic> diagnostics = new ArrayList<>();
    private int openFiles;
    private int expansionWork;
    private boolean expansionExceeded;
    private boolean libpamCrashes;
    private boolean libpamUndefined;

    private PamConfigParser(ConfigSource source, String service) {
        this.source = source;
        this.service = service;
        for (ModuleType t : ModuleType.values()) {
            serviceRules.put(t, new ArrayList<>());
            otherRules.put(t, new ArrayList<>());
        }
    }

    /**
     * Parses the configuration of {@code service}. As pam_start(3) does, a path is reduced to its
     * last component and the name is lower-cased.
     */
    public static PamConfig parse(ConfigSource source, String service) {
        String name = normalizeService(service);
        PamConfigParser parser = new PamConfigParser(source, name);
        boolean usable = parser.parseAll() && !parser.libpamCrashes && !parser.libpamUndefined;
        return new PamConfig(name, parser.serviceRules, parser.otherRules, parser.diagnostics, usable,
                parser.libpamCrashes, parser.libpamUndefined, parser.expansionWork);
    }

    static String normalizeService(String service) {
        return asciiLowerCase(service.substring(service.lastIndexOf('/') + 1));
    }

    /** tolower(3) in the C locale, character by character. */
    static String asciiLowerCase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    /** Why the top-level file {@code file} could not be read, in libpam's words or, where libpam has none, ours. */
    private void reportUnreadable(String file, String libpamWords) {
        if (expansionExceeded) {
            report(file, 0, "include expansion exceeds " + MAX_EXPANSION_WORK + " files and lines read"
                    + " (includes that multiply, such as a file included twice by a file included twice):"
                    + " libpam would keep pam_start busy for minutes or for ever; refused");
        } else if (!libpamCrashes) {
            report(file, 0, libpamWords);
        }
    }

    private boolean parseAll() {
        if (source.isPamConf()) {
            boolean ok = parseFile(source.pamConfBytes(), "pam.conf", null, null, 0);
            if (!ok) {
                reportUnreadable("pam.conf", "error reading PAM configuration file");
            }
            return ok;
        }
        boolean readSomething = false;
        Optional<byte[]> own = source.readService(service);
        if (own.isPresent()) {
            if (!parseFile(own.get(), service, service, null, 0)) {
                reportUnreadable(service, "_pam_init_handlers: error reading " + service);
                return false;
            }
            readSomething = true;
        }
        Optional<byte[]> other = source.readService("other");
        if (other.isPresent()) {
            if (!parseFile(other.get(), "other", "other", null, 0)) {
                reportUnreadable("other", "_pam_init_handlers: error reading other");
                return false;
            }
            readSomething = true;
        } else {
            report("other", 0, "_pam_init_handlers: no default config other");
        }
        if (!readSomething) {
            report(service, 0, "error reading PAM configuration file");
        }
        return readSomething;
    }

    /**
     * One file. {@code knownService} is null for the pam.conf form (service in the first field);
     * {@code requested} is null when every type is wanted. Returns false where libpam returns PAM_ABORT.
     */
    private boolean parseFile(byte[] content, String file, String knownService, ModuleType requested, int level) {
        ConfigLines lines = new ConfigLines(content);
        // libpam's actions[] array, one per reading of a file: the control of the last line that
        // reached its reset, which a failing @include inherits; null before any (uninitialised).
        Control[] actions = {null};
        for (;;) {
            if (!spend()) {
                return false;
            }
            ConfigLines.Line line;
            try {
                line = lines.next();
            } catch (ConfigLines.MalformedFile e) {
                report(file, e.line, e.getMessage());
                return false;
            }
            if (line == null) {
                return true;
            }
            if (!parseLine(line, file, knownService, requested, level, actions)) {
                return false;
            }
        }
    }

    private boolean parseLine(ConfigLines.Line line, String file, String knownService, ModuleType requested, int level,
                              Control[] actions) {
        int n = line.number();
        ConfigTokenizer tokens = new ConfigTokenizer(line.text());
        String thisService = knownService != null ? knownService : tokens.next();
        if (thisService == null) {
            return true;
        }
        boolean other = asciiEqualsIgnoreCase(thisService, "other");
        if (!other && !asciiEqualsIgnoreCase(thisService, service)) {
            return true;
        }
        String svc = text(thisService);
        PamRule.Kind kind = PamRule.Kind.MODULE;
        ModuleType type;
        boolean include = false;
        boolean substack = false;
        Control control = null;
        String tok = tokens.next();
        if (tok == null) {
            report(file, n, "(" + svc + ") empty module type");
            type = requested != null ? requested : ModuleType.AUTH;
            kind = PamRule.Kind.MUST_FAIL;
        } else {
            if (tok.startsWith("-")) {
                kind = PamRule.Kind.SILENT_MODULE;
                tok = tok.substring(1);
            }
            Optional<ModuleType> t = ModuleType.fromKeyword(tok);
            if (asciiEqualsIgnoreCase(tok, "@include")) {
                // Debian: "@include FILE" pulls in every rule of FILE of the wanted type(s);
                // at the top of a service file that is every type.
                type = requested;
                include = true;
            } else if (t.isPresent()) {
                type = t.get();
            } else {
                report(file, n, "(" + svc + ") illegal module type: " + text(tok));
                type = requested != null ? requested : ModuleType.AUTH;
                kind = PamRule.Kind.MUST_FAIL;
            }
        }
        if (requested != null && type != requested) {
            return true;
        }
        boolean atInclude = include; // Debian's @include: no control, and libpam's actions[] is not reset
        if (!include) {
            actions[0] = Control.ALL_BAD; // reset to undefined; whatever stays undefined becomes bad
            tok = tokens.next();
            if (tok == null) {
                report(file, n, "(" + svc + ") no control flag supplied");
                control = Control.ALL_BAD;
                kind = PamRule.Kind.MUST_FAIL;
            } else if (Control.simpleKeyword(tok) != null) {
                control = Control.simpleKeyword(tok);
            } else if (asciiEqualsIgnoreCase(tok, "include")) {
                include = true;
            } else if (asciiEqualsIgnoreCase(tok, "substack")) {
                include = true;
                substack = true;
            } else {
                control = Control.parse(tok, error -> report(file, n, "pam_parse: " + text(error)));
            }
        }
        tok = tokens.next();
        String modulePath;
        List<String> args;
        if (include) {
            if (substack && !addRule(file, n, other, level, type, PamRule.Kind.SUBSTACK, Control.ALL_BAD, tok, List.of())) {
                report(file, n, "error adding substack " + text(tok));
                if (type != null) {
                    report(file, n, "substack name " + text(tok) + " libpam refuses after half-adding the rule"
                            + " (an uninitialised pointer): it may crash; refused");
                    libpamUndefined = true;
                }
                return false;
            }
            if (loadIncluded(file, n, tok, thisService, type, level + (substack ? 1 : 0))) {
                return true;
            }
            if (libpamCrashes) {
                return false; // libpam would not get past this line
            }
            if (!atInclude) {
                control = Control.ALL_BAD;
            } else if (actions[0] != null) {
                control = actions[0]; // libpam fills only the undefined entries, and there are none
            } else if (type == null) {
                control = Control.ALL_BAD; // at the top: no type, so libpam refuses the rule before using them
            } else {
                report(file, n, "@include that fails on the first line of its type: libpam gives the rule"
                        + " uninitialised actions (whatever its stack held); refused");
                libpamUndefined = true;
                control = Control.ALL_BAD;
            }
            modulePath = null;
            kind = PamRule.Kind.MUST_FAIL;
            args = List.of();
        } else {
            if (tok != null) {
                modulePath = tok;
            } else {
                report(file, n, "(" + svc + ") no module name supplied");
                modulePath = null;
                kind = PamRule.Kind.MUST_FAIL;
            }
            args = tokens.rest();
        }
        if (!atInclude) {
            actions[0] = control;
        }
        if (!addRule(file, n, other, level, type, kind, control, modulePath, args)) {
            report(file, n, "error loading " + text(modulePath));
            if (type != null) {
                // _pam_add_handler has linked the rule before refusing its name, leaving its next
                // pointer uninitialised: the following rule, or pam_end, may follow it anywhere.
                report(file, n, "module name " + text(modulePath == null ? UNKNOWN_MODULE : modulePath)
                        + " libpam refuses after half-adding the rule (an uninitialised pointer): it may crash; refused");
                libpamUndefined = true;
            }
            return false;
        }
        return true;
    }

    private boolean loadIncluded(String file, int line, String name, String thisService, ModuleType type, int level) {
        if (name == null) {
            // Debian's libpam 1.5.2 dereferences the missing name, even before its substack level
            // check: pam_start dies of SIGSEGV, and the host with it. Refused here, so that no
            // engine run passes where the host would crash.
            report(file, line, LIBPAM_CRASHES);
            libpamCrashes = true;
            return false;
        }
        if (level >= SUBSTACK_MAX_LEVEL) {
            report(file, line, "maximum level of substacks reached");
            return false;
        }
        Optional<byte[]> content = openFiles < MAX_OPEN_FILES ? source.readInclude(name) : Optional.empty();
        if (content.isEmpty()) {
            report(file, line, "_pam_load_conf_file: unable to open config for " + text(name));
            return false;
        }
        openFiles++;
        try {
            if (!spend()) {
                return false;
            }
            boolean ok = parseFile(content.get(), text(name), thisService, type, level);
            if (!ok) {
                report(file, line, "_pam_load_conf_file: error reading " + text(name) + ": Critical error - immediate abort");
            }
            return ok;
        } finally {
            openFiles--;
        }
    }

    /**
     * Counts one unit of reading (a file opened or a line read); false when the service's reading
     * has gone past {@link #MAX_EXPANSION_WORK} (or libpam would have crashed): every level then
     * unwinds as from a critical error, and the service file is reported.
     */
    private boolean spend() {
        if (expansionExceeded || libpamCrashes) {
            return false; // unwinding: libpam would have crashed or would still be reading
        }
        if (++expansionWork <= MAX_EXPANSION_WORK) {
            return true;
        }
        expansionExceeded = true;
        return false;
    }

    /** _pam_add_handler: false where libpam aborts (no type, or a module name it will not accept). */
    private boolean addRule(String file, int line, boolean other, int level, ModuleType type, PamRule.Kind kind,
                            Control control, String modulePath, List<String> args) {
        if (type == null) {
            report(file, line, "illegal module type for the rule");
            return false;
        }
        if (!acceptableModuleName(modulePath == null ? UNKNOWN_MODULE : modulePath)) {
            return false;
        }
        List<String> decodedArgs = args.stream().map(PamConfigParser::text).toList();
        PamRule rule = new PamRule(file, line, type, kind, level, control,
                modulePath == null ? null : text(modulePath), decodedArgs);
        (other ? otherRules : serviceRules).get(type).add(rule);
        return true;
    }

    /** libpam's extract_modulename: the file name without directory and extension must not be empty or "?". */
    private static boolean acceptableModuleName(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot >= 0) {
            name = name.substring(0, dot);
        }
        return !name.isEmpty() && !name.equals("?");
    }

    private void report(String file, int line, String message) {
        diagnostics.add(new ConfigDiagnostic(file, line, message));
    }

    /** Configuration bytes (held one-to-one in chars) as the UTF-8 text modules receive. */
    static String text(String latin1) {
        if (latin1 == null) {
            return null;
        }
        return isAscii(latin1) ? latin1
                : new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    /** strcasecmp(3) in the C locale: only ASCII letters fold. */
    static boolean asciiEqualsIgnoreCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x >= 'A' && x <= 'Z') {
                x += 32;
            }
            if (y >= 'A' && y <= 'Z') {
                y += 32;
            }
            if (x != y) {
                return false;
            }
        }
        return true;
    }
}

package org.pamjava.resident;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of pam_java.conf, read by the one grammar every reader follows: pam_java.so's parser
 * (pam-java-shim/src/config.c, whose header comment states it), this one, and the launchers'. A
 * line ends at LF (a CR just before it is dropped), holds at most {@link #LINE_MAX} bytes, no
 * control character but TAB, and UTF-8 only; '#' starts a comment; spaces and tabs around names
 * and values are ignored; any other line is "name = value", a known name at most once, the value
 * at most {@link #VALUE_MAX} bytes, empty meaning the default. pam-java-it's ConfigGrammarTest runs
 * both parsers against one table of texts.
 */
public final class PamJavaConf {
    static final int LINE_MAX = 8192;
    static final int VALUE_MAX = 4095;
    static final List<String> SETTINGS =
            List.of("java_home", "jvm_options", "class_path", "cache_dir", "timeout", "resident_socket");

    /** A file that breaks the grammar; {@link #line} is 0 when it is not about one line. */
    public static final class Invalid extends IOException {
        /** The line the problem is on, from 1; 0 when it is about the whole file. */
        public final int line;

        Invalid(String file, int line, String problem) {
            super(file + ":" + line + ": " + problem);
            this.line = line;
        }
    }

    /** The settings the file gives a value to (an empty value is the default, so not here). */
    private final Map<String, String> values;
    private final long timeoutMillis;

    private PamJavaConf(Map<String, String> values, long timeoutMillis) {
        this.values = values;
        this.timeoutMillis = timeoutMillis;
    }

    /** The setting's value, or null for its default. */
    public String value(String name) {
        return values.get(name);
    }

    /** class_path's entries in order, split at ':' with empty ones skipped; none when it is unset. */
    public List<Path> classPath() {
        String entries = values.get("class_path");
        return entries == null ? List.of() : Arrays.stream(entries.split(":")).filter(e -> !e.isEmpty()).map(Path::of).toList();
    }

    /** The timeout in milliseconds; 0: no limit. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * Prints how this parser reads each FILE, as pam-java-it's config_parse prints config.c's reading
     * (ConfigGrammarTest compares them): "ok" and a name=value line for each setting given (the
     * timeout as timeout_ms), or "error LINE" and the message; a line "--" after each.
     */
    public static void main(String[] files) throws IOException {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        for (String file : files) {
            try {
                PamJavaConf conf = parse(Files.readAllBytes(Path.of(file)), file);
                out.println("ok");
                for (String name : SETTINGS) {
                    if (!name.equals("timeout") && conf.value(name) != null) {
                        out.println(name + "=" + conf.value(name));
                    }
                }
                if (conf.timeoutMillis() != 0) {
                    out.println("timeout_ms=" + conf.timeoutMillis());
                }
            } catch (Invalid e) {
                out.println("error " + e.line);
                out.println(e.getMessage());
            }
            out.println("--");
        }
    }

    /**
     * Reads {@code text} as the grammar says; {@code file} names it in messages, which are
     * pam_java.so's words ("FILE:LINE: problem").
     */
    public static PamJavaConf parse(byte[] text, String file) throws Invalid {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> setOn = new LinkedHashMap<>();
        long timeout = 0;
        int lineNumber = 0;
        for (int start = 0; start < text.length; ) {
            lineNumber++;
            int lf = indexOf(text, (byte) '\n', start);
            int end = lf < 0 ? text.length : lf;
            int next = lf < 0 ? text.length : lf + 1;
            if (lf >= 0 && end > start && text[end - 1] == '\r') {
                end--;
            }
            if (end - start > LINE_MAX) {
                throw new Invalid(file, lineNumber, "line longer than " + LINE_MAX + " bytes");
            }
            byte[] bytes = Arrays.copyOfRange(text, start, end);
            start = next;
            for (int i = 0; i < bytes.length; i++) {
                int b = bytes[i] & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    throw new Invalid(file, lineNumber, String.format("control character 0x%02x (byte %d)", b, i + 1));
                }
            }
            String line;
            try {
                line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new Invalid(file, lineNumber, "not UTF-8");
            }
            int hash = line.indexOf('#');
            String s = trim(hash >= 0 ? line.substring(0, hash) : line);
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            if (eq < 0) {
                throw new Invalid(file, lineNumber, "expected 'name = value'");
            }
            String key = trim(s.substring(0, eq));
            String value = trim(s.substring(eq + 1));
            if (!SETTINGS.contains(key)) {
                throw new Invalid(file, lineNumber, "unknown setting '" + key + "'");
            }
            Integer first = setOn.putIfAbsent(key, lineNumber);
            if (first != null) {
                throw new Invalid(file, lineNumber, key + " is set twice (first on line " + first + ")");
            }
            if (value.isEmpty()) {
                continue; // the default
            }
            if (value.getBytes(StandardCharsets.UTF_8).length > VALUE_MAX) {
                throw new Invalid(file, lineNumber, "value too long (at most " + VALUE_MAX + " bytes)");
            }
            switch (key) {
                case "java_home", "cache_dir", "resident_socket" -> {
                    if (!value.startsWith("/")) {
                        throw new Invalid(file, lineNumber, key + " must be an absolute path");
                    }
                }
                case "class_path" -> {
                    for (String entry : value.split(":")) {
                        if (!entry.isEmpty() && !entry.startsWith("/")) {
                            throw new Invalid(file, lineNumber, "class_path entries must be absolute paths");
                        }
                    }
                }
                case "timeout" -> {
                    timeout = timeoutMillis(value);
                    if (timeout < 0) {
                        throw new Invalid(file, lineNumber,
                                "timeout must be 0 or seconds from 0.001 to 86400 (at most three decimals)");
                    }
                }
                default -> {
                    // jvm_options: any text
                }
            }
            values.put(key, value);
        }
        return new PamJavaConf(Map.copyOf(values), timeout);
    }

    /** Seconds with at most three decimals, in milliseconds; -1 when not that or above 86400 s. */
    private static long timeoutMillis(String value) {
        if (!value.matches("[0-9]+(\\.[0-9]{1,3})?")) {
            return -1;
        }
        int dot = value.indexOf('.');
        String whole = dot < 0 ? value : value.substring(0, dot);
        String decimals = dot < 0 ? "" : value.substring(dot + 1);
        if (whole.replaceFirst("^0+(?=.)", "").length() > 5) {
            return -1;
        }
        long ms = Long.parseLong(whole) * 1000 + Long.parseLong((decimals + "000").substring(0, 3));
        return ms <= 86_400_000L ? ms : -1;
    }

    /** Spaces and tabs only: what C's parser strips (String.strip would take Unicode spaces too). */
    private static String trim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    private static int indexOf(byte[] text, byte b, int from) {
        for (int i = from; i < text.length; i++) {
            if (text[i] == b) {
                return i;
            }
        }
        return -1;
    }
}

package org.pamjava.stack;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A copy of a service's configuration for pam_start_confdir(3) in which every module rule names
 * another module file and every included file is a copy too: what {@code pam-java run --trace} has
 * the real libpam read. Everything else stays libpam's: each logical line is copied as libpam reads
 * it (comments dropped, a continued line joined onto the line it starts on, so rules keep their line
 * numbers), with only the module path, or the name of the file an {@code include}, {@code substack}
 * or {@code @include} reads, replaced; the type, the control and the module arguments are the
 * original bytes.
 */
public final class ConfigCopy {

    /** What names a module rule's module in the copy. */
    @FunctionalInterface
    public interface ModuleSubstitute {
        /**
         * The module path the copy's rule names instead of {@code modulePath}.
         *
         * @param file the file the rule is in, as {@link PamRule#file()} names it
         * @param line the line the rule starts on, as {@link PamRule#line()}
         * @param type the rule's type
         * @param silent whether the type was written {@code -type}
         * @param modulePath the module path as written (the file's bytes, one char each)
         */
        String substitute(String file, int line, ModuleType type, boolean silent, String modulePath);
    }

    /** A configuration the copy could not reproduce exactly; the message names the file and line. */
    public static final class NotCopyable extends Exception {
        private static final long serialVersionUID = 1L;

        NotCopyable(String message) {
            super(message);
        }
    }

    private ConfigCopy() {}

    /**
     * The files of the copy: the service's file and {@code other} in {@code confdir}, each file an
     * include names (and can be opened) as {@code includeDir/N}, which the copied include lines name.
     * An include whose file cannot be opened keeps its name, so libpam fails it as before.
     *
     * @return path to content, in the order met
     */
    public static Map<Path, byte[]> of(ConfigSource source, String service, Path confdir, Path includeDir,
                                       ModuleSubstitute modules) throws NotCopyable {
        if (source.isPamConf()) {
            throw new NotCopyable("a pam.conf configuration cannot be copied for pam_start_confdir");
        }
        Map<Path, byte[]> files = new LinkedHashMap<>();
        Map<String, Path> includes = new LinkedHashMap<>();
        Deque<String> pending = new ArrayDeque<>();
        String name = PamConfigParser.normalizeService(service);
        IncludeCopies copies = included -> {
            if (!includes.containsKey(included) && source.readInclude(included).isPresent()) {
                includes.put(included, includeDir.resolve(Integer.toString(includes.size() + 1)));
                pending.add(included);
            }
            return includes.get(included);
        };
        // libpam falls back to "other"; a service named "other" is that file already
        for (String top : name.equals("other") ? List.of(name) : List.of(name, "other")) {
            Optional<byte[]> content = source.readService(top);
            if (content.isPresent()) {
                files.put(confdir.resolve(top), copy(content.get(), top, modules, copies));
            }
            while (!pending.isEmpty()) {
                String included = pending.remove();
                files.put(includes.get(included),
                        copy(source.readInclude(included).orElse(new byte[0]), included, modules, copies));
            }
        }
        return files;
    }

    /** Where an included file's copy is, or null to keep the name (libpam cannot open it). */
    private interface IncludeCopies {
        Path copyOf(String name);
    }

    private static byte[] copy(byte[] content, String file, ModuleSubstitute modules, IncludeCopies includes)
            throws NotCopyable {
        String fileName = PamConfigParser.text(file);
        String text = new String(content, StandardCharsets.ISO_8859_1);
        String[] out = new String[(int) text.chars().filter(c -> c == '\n').count() + 1];
        ConfigLines lines = new ConfigLines(content);
        for (;;) {
            ConfigLines.Line line;
            try {
                line = lines.next();
            } catch (ConfigLines.MalformedFile e) {
                throw new NotCopyable(fileName + ":" + e.line + ": " + e.getMessage() + " (libpam cannot read the file)");
            }
            if (line == null) {
                break;
            }
            String where = fileName + ":" + line.number();
            if (line.number() < 1 || line.number() > out.length || out[line.number() - 1] != null) {
                throw new NotCopyable(where + ": a line longer than libpam's buffer cannot be copied");
            }
            String copied = copyLine(stripNewline(line.text()), fileName, line.number(), modules, includes);
            String trimmed = copied.stripTrailing();
            if (trimmed.endsWith("\\")) {
                // a comment after a trailing backslash ended the line: on its own line it would continue
                throw new NotCopyable(where + ": a backslash before a comment cannot be copied onto one line");
            }
            if (copied.length() >= ConfigLines.BUF_SIZE - 1) {
                throw new NotCopyable(where + ": the copied line would be longer than libpam reads ("
                        + (ConfigLines.BUF_SIZE - 2) + " bytes)");
            }
            out[line.number() - 1] = copied;
        }
        StringBuilder sb = new StringBuilder();
        for (String l : out) {
            sb.append(l == null ? "" : l).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String stripNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /** One logical line with its module path or included name replaced, as PamConfigParser reads the line. */
    private static String copyLine(String text, String file, int line, ModuleSubstitute modules, IncludeCopies includes) {
        ConfigTokenizer tokens = new ConfigTokenizer(text);
        String tok = tokens.next();
        if (tok == null) {
            return text;
        }
        boolean silent = tok.startsWith("-");
        if (silent) {
            tok = tok.substring(1);
        }
        if (PamConfigParser.asciiEqualsIgnoreCase(tok, "@include")) {
            return replaceInclude(text, tokens, includes);
        }
        Optional<ModuleType> type = ModuleType.fromKeyword(tok);
        if (type.isEmpty()) {
            return text; // an illegal type: libpam loads no module for the line
        }
        String control = tokens.next();
        if (control == null) {
            return text;
        }
        if (PamConfigParser.asciiEqualsIgnoreCase(control, "include")
                || PamConfigParser.asciiEqualsIgnoreCase(control, "substack")) {
            return replaceInclude(text, tokens, includes);
        }
        String path = tokens.next();
        if (path == null) {
            return text;
        }
        String replacement = modules.substitute(file, line, type.get(), silent, path);
        return text.substring(0, tokens.lastStart()) + replacement + text.substring(tokens.lastEnd());
    }

    private static String replaceInclude(String text, ConfigTokenizer tokens, IncludeCopies includes) {
        String name = tokens.next();
        Path copy = name == null ? null : includes.copyOf(name);
        return copy == null ? text : text.substring(0, tokens.lastStart()) + copy + text.substring(tokens.lastEnd());
    }
}

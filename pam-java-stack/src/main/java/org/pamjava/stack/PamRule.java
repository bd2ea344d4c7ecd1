package org.pamjava.stack;

import java.util.List;

/**
 * One entry of a parsed stack (libpam's {@code struct handler}): a rule of a configuration file
 * after includes have been expanded, with the substack level it runs at.
 *
 * @param file the configuration file the rule comes from, as named in the configuration
 * @param line the line the rule starts on (1-based)
 * @param type the rule type
 * @param kind how libpam runs the rule
 * @param stackLevel 0 for the service's own stack, 1 inside a substack, and so on
 * @param control the actions for each return value; unused for {@link Kind#SUBSTACK} markers
 * @param modulePath the module path as written, the substack's file name for a
 *     {@link Kind#SUBSTACK} marker, or {@code null} when the line named none
 * @param args the module arguments (unmodifiable)
 */
public record PamRule(String file, int line, ModuleType type, Kind kind, int stackLevel,
                      Control control, String modulePath, List<String> args) {

    /** How libpam treats a rule when it runs the stack. */
    public enum Kind {
        /** A module rule: the module is called. */
        MODULE,
        /** A module rule whose type was written with a leading {@code -}: load failures are not logged. */
        SILENT_MODULE,
        /** A malformed line: it always fails with {@code PAM_PERM_DENIED}. */
        MUST_FAIL,
        /** Where a {@code substack} starts; the substack's own rules follow, one level deeper. */
        SUBSTACK
    }

    public PamRule {
        args = List.copyOf(args);
    }

    /** {@code file:line}, for messages. */
    public String location() {
        return file + ":" + line;
    }

    /** A one-line description: location, type, control and module with its arguments. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(location()).append(' ');
        sb.append("  ".repeat(stackLevel));
        if (kind == Kind.SILENT_MODULE) {
            sb.append('-');
        }
        sb.append(type.keyword()).append(' ');
        switch (kind) {
            case SUBSTACK -> sb.append("substack");
            case MUST_FAIL -> sb.append("<must fail>");
            case MODULE, SILENT_MODULE -> sb.append(control);
        }
        sb.append(' ').append(modulePath == null ? "<no module>" : modulePath);
        for (String arg : args) {
            sb.append(' ').append(arg);
        }
        return sb.toString();
    }
}

package org.pamjava.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamOperation;
import org.pamjava.stack.Control;
import org.pamjava.stack.PamCodes;
import org.pamjava.stack.PamRule;
import org.pamjava.stack.RuleTrace;

/**
 * The two forms of a simulation's trace: a table a person reads at a glance (one row per rule:
 * where it is, its control, its module, what the module returned, the action that followed and
 * the stack's state after it), and the data for {@code --json}.
 */
final class TraceTable {
    private static final String[] HEADER = {"rule", "control", "module", "returned", "action", "state"};

    private TraceTable() {}

    static void print(List<SimulatedOperation> operations, PrintStream out) {
        List<String[]> all = new ArrayList<>();
        all.add(HEADER);
        for (SimulatedOperation op : operations) {
            for (RuleTrace t : op.rules()) {
                all.add(row(t));
            }
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : all) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (SimulatedOperation op : operations) {
            out.println(OperationWords.word(op.operation()));
            if (op.rules().isEmpty()) {
                out.println("  (no rules: the stack is empty)");
            } else {
                out.println(format(HEADER, widths));
            }
            int lastFlags = -1;
            for (int i = 0; i < op.rules().size(); i++) {
                RuleTrace t = op.rules().get(i);
                if (op.operation() == PamOperation.CHAUTHTOK && t.flags() != lastFlags) {
                    out.println((t.flags() & PamConstants.PAM_PRELIM_CHECK) != 0
                            ? "  -- preliminary check (PAM_PRELIM_CHECK)" : "  -- update (PAM_UPDATE_AUTHTOK)");
                    lastFlags = t.flags();
                }
                out.println(format(row(t), widths));
                for (Message m : op.messages().get(i)) {
                    out.println("  " + " ".repeat(widths[0] + 2) + "[" + style(m.msgStyle()) + "] " + m.msg());
                }
                if (t.failure() != null) {
                    for (String line : failureLines(t.failure())) {
                        out.println("  " + " ".repeat(widths[0] + 2) + line);
                    }
                }
            }
            out.println(RunCommand.result(op.operation(), op.pamCode(), PamCodes.strerror(op.pamCode())));
        }
    }

    /** Frames of a failure shown at most, per exception of its chain. */
    private static final int FRAMES_SHOWN = 8;

    /**
     * What a module's exception says: its class and message, the frames down to where the engine
     * called the module (the module's own code), and so for each cause.
     */
    static List<String> failureLines(Throwable failure) {
        List<String> lines = new ArrayList<>();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            lines.add((t == failure ? "threw " : "caused by ") + t);
            int shown = 0;
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().startsWith("org.pamjava.stack.") || frame.getClassName().startsWith("org.pamjava.PamOperation")
                        || shown == FRAMES_SHOWN) {
                    break; // the engine's frames: not the module's
                }
                lines.add("    at " + frame);
                shown++;
            }
        }
        return lines;
    }

    private static String format(String[] row, int[] widths) {
        StringBuilder sb = new StringBuilder("  ");
        for (int c = 0; c < row.length; c++) {
            sb.append(c == row.length - 1 ? row[c] : String.format("%-" + widths[c] + "s  ", row[c]));
        }
        return sb.toString().stripTrailing();
    }

    private static String[] row(RuleTrace t) {
        String returned = PamCodes.name(t.result())
                + (t.chainResult() != t.result() ? " (frozen: " + PamCodes.name(t.chainResult()) + ")" : "");
        if (t.failure() != null) {
            returned += " (threw " + t.failure().getClass().getSimpleName() + ")";
        }
        return new String[] {t.rule().location(), control(t.rule()), module(t.rule()), returned,
                t.action().keyword(), state(t)};
    }

    static String control(PamRule rule) {
        if (rule.kind() == PamRule.Kind.MUST_FAIL) {
            return "(broken rule)";
        }
        Control c = rule.control();
        String name = c.equals(Control.REQUIRED) ? "required" : c.equals(Control.REQUISITE) ? "requisite"
                : c.equals(Control.SUFFICIENT) ? "sufficient" : c.equals(Control.OPTIONAL) ? "optional" : c.toString();
        return (rule.kind() == PamRule.Kind.SILENT_MODULE ? "-" : "") + name;
    }

    private static String module(PamRule rule) {
        StringBuilder sb = new StringBuilder("  ".repeat(rule.stackLevel()));
        sb.append(rule.modulePath() == null ? "(no module)" : rule.modulePath());
        for (String arg : rule.args()) {
            sb.append(' ').append(arg);
        }
        return sb.toString();
    }

    private static String state(RuleTrace t) {
        return switch (t.impression()) {
            case UNDECIDED -> "undecided";
            case POSITIVE -> "passing " + PamCodes.name(t.status());
            case NEGATIVE -> "failing " + PamCodes.name(t.status());
        };
    }

    private static String style(int msgStyle) {
        return switch (msgStyle) {
            case PamConstants.PAM_PROMPT_ECHO_OFF -> "prompt, no echo";
            case PamConstants.PAM_PROMPT_ECHO_ON -> "prompt";
            case PamConstants.PAM_ERROR_MSG -> "error";
            case PamConstants.PAM_TEXT_INFO -> "info";
            default -> "style " + msgStyle;
        };
    }

    private static Map<String, Object> json(Message message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("style", message.msgStyle());
        m.put("text", message.msg());
        return m;
    }

    /** One trace entry for {@code --json}. */
    static Map<String, Object> json(PamOperation op, RuleTrace t, List<Message> messages) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operation", OperationWords.word(op));
        m.put("flags", t.flags());
        m.put("file", t.rule().file());
        m.put("line", t.rule().line());
        m.put("level", t.rule().stackLevel());
        m.put("type", t.rule().type().keyword());
        m.put("control", control(t.rule()));
        m.put("module", t.rule().modulePath());
        m.put("args", t.rule().args());
        m.put("returned", t.result());
        m.put("returnedName", PamCodes.name(t.result()));
        if (t.chainResult() != t.result()) {
            m.put("frozen", t.chainResult());
        }
        m.put("action", t.action().keyword());
        m.put("impression", t.impression().name().toLowerCase(java.util.Locale.ROOT));
        m.put("status", t.status());
        m.put("statusName", PamCodes.name(t.status()));
        m.put("messages", messages.stream().map(TraceTable::json).toList());
        if (t.failure() != null) {
            m.put("failure", t.failure().toString());
            m.put("failureTrace", failureLines(t.failure()));
        }
        return m;
    }
}

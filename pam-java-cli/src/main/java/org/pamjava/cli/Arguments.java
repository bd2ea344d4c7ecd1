package org.pamjava.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A subcommand's command line, split into options and operands. Options take a value
 * ({@code --confdir DIR} or {@code --confdir=DIR}, repeatable) or are flags ({@code --json});
 * {@code --} ends the options; anything else starting with {@code -} (but {@code -} alone) is an
 * unknown option.
 */
final class Arguments {
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<String> operands = new ArrayList<>();
    private final boolean help;

    private Arguments(boolean help) {
        this.help = help;
    }

    /**
     * @param command the subcommand, for messages
     * @param valued the options that take a value, e.g. {@code "--confdir"}
     * @param flags the options that take none
     */
    static Arguments parse(String command, List<String> args, Set<String> valued, Set<String> flags)
            throws UsageException {
        Arguments parsed = new Arguments(args.contains("--help") || args.contains("-h"));
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                parsed.operands.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (flags.contains(name) && eq < 0) {
                parsed.values.computeIfAbsent(name, k -> new ArrayList<>()).add("");
            } else if (valued.contains(name)) {
                String value;
                if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(command + ": " + name + " needs a value");
                }
                parsed.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException(command + ": unknown option " + name + " (see pam-java " + command + " --help)");
            }
        }
        return parsed;
    }

    boolean help() {
        return help;
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    /** The option's last value, or {@code null}. */
    String value(String name) {
        List<String> all = values.get(name);
        return all == null ? null : all.getLast();
    }

    /** Every value of a repeatable option, in order. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    List<String> operands() {
        return operands;
    }
}

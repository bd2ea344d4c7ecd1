package org.pamjava.cli;

import java.nio.file.Path;

/**
 * One problem {@code check} found.
 *
 * @param file the configuration file
 * @param line the line (1-based), or 0 for the file as a whole
 * @param severity whether libpam would misbehave ({@code ERROR}) or the configuration probably does
 *     not mean what it says ({@code WARNING})
 * @param message what is wrong and what libpam does about it
 */
record Finding(Path file, int line, Severity severity, String message) implements Comparable<Finding> {

    enum Severity { ERROR, WARNING }

    @Override
    public int compareTo(Finding o) {
        int c = file.toString().compareTo(o.file.toString());
        return c != 0 ? c : line != o.line ? Integer.compare(line, o.line) : message.compareTo(o.message);
    }

    /** {@code file:line: error: message}, as compilers print. */
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
    }
}

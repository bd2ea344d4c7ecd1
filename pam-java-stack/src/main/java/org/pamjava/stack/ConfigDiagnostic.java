package org.pamjava.stack;

/**
 * A problem found in a PAM configuration: what libpam would have logged to syslog while reading it.
 *
 * @param file the configuration file, as named in the configuration
 * @param line the line (1-based), or 0 when the problem is about the file as a whole
 * @param message what is wrong, in libpam's words where it has some
 */
public record ConfigDiagnostic(String file, int line, String message) {

    /** {@code file:line: message}. */
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}

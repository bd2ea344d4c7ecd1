package org.pamjava.stack;

import java.nio.charset.StandardCharsets;

/**
 * Splits a configuration file into logical lines the way libpam's _pam_assemble_line does: blank
 * lines and comments skipped, text from {@code #} on dropped, a trailing backslash joining the next
 * non-blank line, all within libpam's 1024-byte line buffer.
 *
 * <p>Bytes are mapped one-to-one to chars (ISO-8859-1) so the parser sees exactly what libpam sees.
 */
final class ConfigLines {

    /** libpam's BUF_SIZE: the longest logical line, terminating NUL included. */
    static final int BUF_SIZE = 1024;

    /** A logical line and the physical line it starts on. */
    record Line(String text, int number) {}

    /** The file cannot be read as a whole; libpam gives up on it with PAM_ABORT. */
    static final class MalformedFile extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;

        MalformedFile(int line, String message) {
            super(message, null, false, false);
            this.line = line;
        }
    }

    private final String data;
    private int pos;
    private int physicalLine;

    ConfigLines(byte[] bytes) {
        this.data = new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The next logical line, or {@code null} at the end of the file. */
    Line next() throws MalformedFile {
        StringBuilder buf = new StringBuilder();
        int start = -1;
        boolean used = false;
        for (;;) {
            int room = BUF_SIZE - buf.length();
            if (room <= 1) {
                // libpam: overflow (and with exactly one byte left, glibc's fgets would spin forever)
                throw new MalformedFile(start, "line too long (over " + (BUF_SIZE - 1) + " bytes)");
            }
            String chunk = fgets(room);
            if (chunk == null) {
                if (used) {
                    throw new MalformedFile(start, "file ends inside a continued line");
                }
                return null;
            }
            int nul = chunk.indexOf('\0');
            if (nul >= 0) {
                chunk = chunk.substring(0, nul); // C string functions stop at NUL
            }
            int s = 0;
            while (s < chunk.length() && " \n\t".indexOf(chunk.charAt(s)) >= 0) {
                s++;
            }
            if (s >= chunk.length() || chunk.charAt(s) == '#') {
                continue; // nothing on this line: the buffer position does not move
            }
            if (start < 0) {
                start = physicalLine;
            }
            used = true;
            int hash = chunk.indexOf('#', s);
            if (hash >= 0) {
                buf.append(chunk, 0, hash);
                break;
            }
            int e = chunk.length();
            int last = e;
            while (last > s) {
                char c = chunk.charAt(--last);
                if (c != ' ' && c != '\t' && c != '\n') {
                    break;
                }
            }
            if (chunk.charAt(last) == '\\') {
                buf.append(chunk, 0, last).append(' ');
                continue;
            }
            buf.append(chunk);
            break;
        }
        return new Line(buf.toString(), start);
    }

    /** fgets(3) with a buffer of {@code size}: at most size-1 bytes, up to and including a newline. */
    private String fgets(int size) {
        if (pos >= data.length()) {
            return null;
        }
        int limit = Math.min(data.length(), pos + size - 1);
        int nl = data.indexOf('\n', pos);
        int end = nl >= 0 && nl < limit ? nl + 1 : limit;
        String chunk = data.substring(pos, end);
        if (pos == 0 || data.charAt(pos - 1) == '\n') {
            physicalLine++;
        }
        pos = end;
        return chunk;
    }
}

package org.pamjava.runtime;

import java.nio.charset.StandardCharsets;

/**
 * Text made into exactly one syslog record. Whatever a message holds (a user name, a module's
 * argument, an exception's message), it cannot start a record of its own: control characters,
 * newlines first, are escaped as rsyslog escapes them on receipt by default ({@code #} and three
 * octal digits, so a newline is {@code #012}, a tab {@code #011}), and a long message is cut at
 * {@link #MAX_BYTES} with a marker saying so, never continued in a second record.
 */
public final class SyslogRecords {
    /**
     * The longest record, marker included. Below the 1023 bytes pam_java.so's own syslog path
     * keeps ({@code pj_log} without a handle), so the marker is never cut off there.
     */
    public static final int MAX_BYTES = 1000;
    /** Room kept for the marker: " [cut: 9223372036854775807 bytes in all]" is 41 bytes. */
    private static final int MARKER_ROOM = 48;

    private SyslogRecords() {}

    /** The record of {@code message}. */
    public static byte[] of(String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        return of(text, text.length, text.length);
    }

    /**
     * The record of the first {@code length} bytes of {@code text}, a message of {@code total}
     * bytes in all (more than {@code length} when the writer kept only the start).
     */
    public static byte[] of(byte[] text, int length, long total) {
        int escapedLength = 0;
        for (int i = 0; i < length; i++) {
            escapedLength += isControl(text[i]) ? 4 : 1;
        }
        boolean cut = total > length || escapedLength > MAX_BYTES;
        int limit = cut ? MAX_BYTES - MARKER_ROOM : MAX_BYTES;
        byte[] out = new byte[Math.min(escapedLength, limit)];
        int n = 0;
        int i = 0;
        for (; i < length; i++) {
            byte b = text[i];
            int width = isControl(b) ? 4 : 1;
            if (n + width > limit) {
                break;
            }
            if (width == 4) {
                out[n++] = '#';
                out[n++] = (byte) ('0' + ((b >> 6) & 3));
                out[n++] = (byte) ('0' + ((b >> 3) & 7));
                out[n++] = (byte) ('0' + (b & 7));
            } else {
                out[n++] = b;
            }
        }
        if (!cut) {
            return out;
        }
        // Never end inside a UTF-8 sequence: drop the bytes of a character that did not fit whole.
        if (i < length && (text[i] & 0xC0) == 0x80) {
            while (n > 0 && (out[n - 1] & 0xC0) == 0x80) {
                n--;
            }
            if (n > 0 && (out[n - 1] & 0xC0) == 0xC0) {
                n--;
            }
        }
        byte[] marker = (" [cut: " + total + " bytes in all]").getBytes(StandardCharsets.US_ASCII);
        byte[] record = new byte[n + marker.length];
        System.arraycopy(out, 0, record, 0, n);
        System.arraycopy(marker, 0, record, n, marker.length);
        return record;
    }

    /** The record of {@code message} as text (for the service's journal lines). */
    public static String escape(String message) {
        return new String(of(message), StandardCharsets.UTF_8);
    }

    /** What rsyslog escapes by default: the C0 controls and DEL (bytes of UTF-8 sequences are left alone). */
    private static boolean isControl(byte b) {
        return (b >= 0 && b < 0x20) || b == 0x7F;
    }
}

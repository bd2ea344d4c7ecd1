package org.pamjava.runtime;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a stack trace as Throwable prints them, one per {@code println}: the header of each
 * throwable (its {@code toString()}, message included, newlines and all), each frame, each
 * "... n more". Splitting the printed text at newlines instead would let an exception's message
 * make lines, and so log records, of its own.
 */
final class TraceLines extends PrintWriter {
    private final List<String> lines = new ArrayList<>();

    private TraceLines() {
        super(Writer.nullWriter());
    }

    static List<String> of(Throwable failure) {
        TraceLines trace = new TraceLines();
        failure.printStackTrace(trace);
        return trace.lines;
    }

    // Throwable.printStackTrace(PrintWriter) prints every line with println(Object).
    @Override
    public void println(Object line) {
        lines.add(String.valueOf(line));
    }

    @Override
    public void println(String line) {
        lines.add(line);
    }
}

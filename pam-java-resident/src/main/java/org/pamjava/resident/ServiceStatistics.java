package org.pamjava.resident;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.pamjava.PamConstants;

/**
 * What the resident service has done since it started, for {@code pam-java status} (the STATUS
 * request, docs/resident-protocol.md): its connections, and per module its calls, failures,
 * errors and call times. A call costs a map look-up only when the connection's module changes,
 * and a few atomic increments; no lock. Memory is bounded: at most {@link #MAX_MODULES} modules
 * by name, each with a fixed {@link CallTimes}; calls of any further module are counted together.
 * Nothing here names a user, a module argument or anything a module was given: only module paths.
 */
final class ServiceStatistics {
    /** Modules counted by name; the rest together (a system has a handful). */
    static final int MAX_MODULES = 64;
    /** A longer module name is counted with the rest: the report stays small. */
    static final int MAX_NAME_BYTES = 1024;

    private final long startNanos = System.nanoTime();
    private final IntSupplier openConnections;
    private final LongAdder connections = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final Map<String, Module> modules = new ConcurrentHashMap<>();
    private final Module others = new Module(null);

    /** @param openConnections the connections open now (the service's own count, which its limits use) */
    ServiceStatistics(IntSupplier openConnections) {
        this.openConnections = openConnections;
    }

    /** The figures of one module (or, {@code name} null, of the modules beyond {@link #MAX_MODULES}). */
    static final class Module {
        final String name;
        final CallTimes times = new CallTimes();
        final LongAdder failures = new LongAdder();
        final LongAdder errors = new LongAdder();

        private Module(String name) {
            this.name = name;
        }
    }

    /** A connection the service serves (its session counts it, before the greeting). */
    void connectionServed() {
        connections.increment();
    }

    /** A connection the service closed before its greeting: over a limit, from a process not root, or no thread for it. */
    void connectionRefused() {
        refused.increment();
    }

    /**
     * The figures of the module a rule names ({@code argv[0]} of a CALL, with the directory of
     * pam_java.so when relative): a connection looks it up again only when its module changes.
     */
    Module module(String name) {
        Module m = modules.get(name);
        if (m != null) {
            return m;
        }
        if (modules.size() >= MAX_MODULES || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return others;
        }
        synchronized (modules) { // only a module's first call gets here: the bound holds however many race
            m = modules.get(name);
            if (m == null) {
                if (modules.size() >= MAX_MODULES) {
                    return others;
                }
                m = new Module(name);
                modules.put(name, m);
            }
            return m;
        }
    }

    /**
     * A failure that is also an error: a code that means the call could not be decided, as
     * pam_java gives for a module's exception (PAM_SERVICE_ERR), for a module it cannot load
     * (PAM_OPEN_ERR, PAM_SERVICE_ERR), for a missing operation (PAM_SYMBOL_ERR) or for running
     * out of memory (PAM_BUF_ERR); PAM_SYSTEM_ERR and PAM_ABORT likewise, whoever gave them.
     */
    static boolean isError(int rc) {
        return switch (rc) {
            case PamConstants.PAM_OPEN_ERR, PamConstants.PAM_SYMBOL_ERR, PamConstants.PAM_SERVICE_ERR,
                    PamConstants.PAM_SYSTEM_ERR, PamConstants.PAM_BUF_ERR, PamConstants.PAM_ABORT -> true;
            default -> false;
        };
    }

    /**
     * One call of an operation (not the end hook), when it ended. A failure is a call whose result
     * was not PAM_SUCCESS; an error is a failure that is not an answer: an error code
     * ({@link #isError}), or an application lost before it had the result ({@code lost}: it gave
     * up waiting, its timeout, or went away).
     */
    void record(Module module, int rc, boolean lost, long nanos) {
        module.times.record(nanos);
        if (rc != PamConstants.PAM_SUCCESS || lost) {
            module.failures.increment();
            if (lost || isError(rc)) {
                module.errors.increment();
            }
        }
    }

    /** {@link #report(String, int)} of a service that holds no handle's data. */
    ResidentProtocol.Out report(String packageVersion) {
        return report(packageVersion, 0);
    }

    /**
     * The STATUS answer: the service, then each module, then how many handles hold Java data
     * ({@code handlesWithData}), as docs/resident-protocol.md lays it out.
     */
    ResidentProtocol.Out report(String packageVersion, int handlesWithData) {
        ResidentProtocol.Out out = new ResidentProtocol.Out(ResidentProtocol.STATUS)
                .i64(ProcessHandle.current().pid())
                .bytes(packageVersion == null ? null : packageVersion.getBytes(StandardCharsets.UTF_8))
                .i32(ResidentProtocol.VERSION)
                .i64((System.nanoTime() - startNanos) / 1_000_000)
                .i32(openConnections.getAsInt())
                .i64(connections.sum())
                .i64(refused.sum());
        List<Module> all = new ArrayList<>(modules.values());
        all.sort((a, b) -> a.name.compareTo(b.name));
        if (CallTimes.total(others.times.counts()) > 0) {
            all.add(others);
        }
        long[] allTimes = new long[CallTimes.BUCKETS];
        long failures = 0;
        long errors = 0;
        List<long[]> times = new ArrayList<>();
        for (Module m : all) {
            long[] counts = m.times.counts();
            times.add(counts);
            CallTimes.add(allTimes, counts);
            failures += m.failures.sum();
            errors += m.errors.sum();
        }
        figures(out, allTimes, failures, errors);
        out.i32(all.size());
        for (int i = 0; i < all.size(); i++) {
            Module m = all.get(i);
            out.bytes(m.name == null ? null : m.name.getBytes(StandardCharsets.UTF_8));
            figures(out, times.get(i), m.failures.sum(), m.errors.sum());
        }
        return out.i32(handlesWithData);
    }

    private static void figures(ResidentProtocol.Out out, long[] times, long failures, long errors) {
        out.i64(CallTimes.total(times)).i64(failures).i64(errors)
                .i64(CallTimes.percentile(times, 50)).i64(CallTimes.percentile(times, 99));
    }

    /**
     * What a STATUS answer says (its kind already read): the handles with Java data after the
     * modules when the service sends it (-1 when not); fields after those are a later version's, left.
     */
    static ResidentStatus.Report read(ResidentProtocol.In frame) throws IOException {
        long pid = frame.i64();
        byte[] version = frame.bytes();
        int protocol = frame.i32();
        long uptime = frame.i64();
        int open = frame.i32();
        long served = frame.i64();
        long refusals = frame.i64();
        ResidentStatus.Figures total = readFigures(frame, null);
        int n = frame.i32();
        if (n < 0 || n > MAX_MODULES + 1) {
            throw new IOException("a status of " + n + " modules");
        }
        List<ResidentStatus.Figures> modules = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] name = frame.bytes();
            modules.add(readFigures(frame, name == null ? null : new String(name, StandardCharsets.UTF_8)));
        }
        int handlesWithData = frame.remaining() >= 4 ? frame.i32() : -1;
        return new ResidentStatus.Report(pid, version == null ? null : new String(version, StandardCharsets.UTF_8),
                protocol, uptime, open, served, refusals, total, List.copyOf(modules), handlesWithData);
    }

    private static ResidentStatus.Figures readFigures(ResidentProtocol.In frame, String name) throws IOException {
        return new ResidentStatus.Figures(name, frame.i64(), frame.i64(), frame.i64(), frame.i64(), frame.i64());
    }
}

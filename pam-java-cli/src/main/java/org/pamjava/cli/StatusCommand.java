package org.pamjava.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pamjava.resident.ResidentStatus;
import org.pamjava.resident.ResidentStatus.Figures;
import org.pamjava.resident.ResidentStatus.Report;
import org.pamjava.resident.ResidentStatus.Status;

/** {@code pam-java status}: where root applications run their Java modules, and what the resident service has done. */
final class StatusCommand {
    static final String HELP = """
            usage: pam-java status [--config FILE] [--json]

            Tells whether this machine's root applications (su, sudo, sshd, login) run their Java
            modules in the resident service or in-process, and why, deciding as pam_java.so does:
            pam_java.conf's resident_socket (unset or empty: in-process), then the socket (root's, in
            a directory chain only root can write), a service running as root that greets within
            3 s and speaks this pam_java's protocol version. Applications that are not root by their
            effective uid always run modules in-process.

            From a service in use, over the same root-only socket: its pid, versions, uptime,
            connections, and its calls since it started, in all and per module: calls, failures,
            errors, and the p50 and p99 of the time per call.
              failures  calls whose result was not PAM_SUCCESS (a wrong password is one)
              errors    the failures that are no answer: PAM_SERVICE_ERR, PAM_SYSTEM_ERR, PAM_BUF_ERR,
                        PAM_OPEN_ERR, PAM_SYMBOL_ERR or PAM_ABORT (a module's exception, a module
                        that cannot be loaded, a missing operation, no memory), or an application
                        gone before the result (its timeout, its exit)
              time      the service's time for the call, the application's conversation (a person
                        typing) not counted; a p50 or p99 is at most 1/8 above the true figure
            The end hook (pam_end) is not a call. Only root can reach the socket: run by anyone
            else, it decides what the files say and tells why it cannot ask the service.

              --config FILE   the pam_java.conf to read (default: the one this installation's
                              pam_java.so reads)
              --json          one JSON object: config, socket, decision, why, service, noReport

            Exit status: 0 the service is in use and answered; 1 root applications run Java
            in-process; 2 a usage error; 3 pam_java.so refuses pam_java.conf, and every Java
            module's call fails with PAM_SERVICE_ERR; 4 not known in full: not run as root, or the
            service is in use but gave no status.
            """;

    static final int IN_PROCESS = 1;
    static final int REFUSED = 3;
    static final int NOT_KNOWN = 4;

    /** The pam_java.conf of this installation's pam_java.so: the launcher passes it. */
    static final String DEFAULT_CONFIG = System.getProperty("pamjava.config", "/etc/security/pam_java.conf");

    private StatusCommand() {}

    static int run(List<String> argv) throws UsageException {
        Arguments args = Arguments.parse("status", argv, Set.of("--config"), Set.of("--json"));
        if (args.help()) {
            System.out.print(HELP);
            return Main.OK;
        }
        if (!args.operands().isEmpty()) {
            throw new UsageException("status: takes no operands (see pam-java status --help)");
        }
        String config = args.value("--config");
        Status status = ResidentStatus.of(Path.of(config != null ? config : DEFAULT_CONFIG).toAbsolutePath());
        System.out.println(args.flag("--json") ? Json.writeObjectByLines(json(status)) : text(status));
        return exitStatus(status);
    }

    static int exitStatus(Status status) {
        return switch (status.decision()) {
            case SERVICE -> status.report() != null ? Main.OK : NOT_KNOWN;
            case IN_PROCESS -> IN_PROCESS;
            case REFUSED -> REFUSED;
            case UNKNOWN -> NOT_KNOWN;
        };
    }

    private static String decisionText(Status status) {
        return switch (status.decision()) {
            case SERVICE -> "root applications run their Java modules in the resident service";
            case IN_PROCESS -> "root applications run their Java modules in-process (a JVM in each process)";
            case REFUSED -> "every call of a Java module fails (PAM_SERVICE_ERR): pam_java.so refuses its configuration";
            case UNKNOWN -> "not known to this user: in the resident service if it answers, else in-process";
        };
    }

    static String text(Status status) {
        StringBuilder out = new StringBuilder();
        line(out, "pam_java.conf:", status.config().toString());
        line(out, "resident_socket:", status.socket() == null ? "(not set)" : status.socket().toString());
        line(out, "decision:", decisionText(status));
        line(out, "why:", status.why());
        Report report = status.report();
        if (status.noReport() != null) {
            line(out, "service:", "no status: " + status.noReport());
        }
        if (report == null) {
            return out.toString().stripTrailing();
        }
        line(out, "service:", "pid " + report.pid() + ", pam-java "
                + (report.packageVersion() == null ? "(version unknown)" : report.packageVersion())
                + ", protocol " + report.protocolVersion() + ", up " + uptime(report.uptimeMillis()));
        line(out, "connections:", report.connectionsOpen() + " open, " + report.connectionsServed()
                + " served since it started, " + report.connectionsRefused() + " refused");
        if (report.handlesWithData() >= 0) {
            // Each PAM handle in progress with Java data: one that stays after its pam_end would be a leak.
            line(out, "handle data:", plural(report.handlesWithData(), "PAM handle") + " in progress holding Java data");
        }
        Figures total = report.total();
        line(out, "calls:", total.calls() + ", " + plural(total.failures(), "failure") + ", "
                + plural(total.errors(), "error")
                + (total.calls() == 0 ? "" : "; time p50 " + duration(total.p50Nanos()) + ", p99 "
                        + duration(total.p99Nanos())));
        out.append('\n').append(String.format(Locale.ROOT, "%10s %10s %8s %10s %10s  %s%n", "calls", "failures",
                "errors", "p50", "p99", "module"));
        for (Figures m : report.modules()) {
            out.append(String.format(Locale.ROOT, "%10d %10d %8d %10s %10s  %s%n", m.calls(), m.failures(),
                    m.errors(), duration(m.p50Nanos()), duration(m.p99Nanos()),
                    m.module() == null ? "(the other modules, beyond the service's bound)" : printable(m.module())));
        }
        if (report.modules().isEmpty()) {
            out.append("  (no calls yet)\n");
        }
        out.append("""

                failures: calls whose result was not PAM_SUCCESS; errors: the failures that are no answer
                (an error code such as PAM_SERVICE_ERR, or the application gone before the result);
                time: the service's per call, the conversation not counted (pam-java status --help).""");
        return out.toString();
    }

    /** Where a value's line is wrapped, at a space: a reason can be long. */
    static final int WIDTH = 100;
    private static final int LABEL = 17;

    private static void line(StringBuilder out, String label, String value) {
        String rest = printable(value);
        String indent = String.format(Locale.ROOT, "%-" + LABEL + "s", label);
        while (LABEL + rest.length() > WIDTH) {
            int cut = rest.lastIndexOf(' ', WIDTH - LABEL);
            if (cut <= 0) {
                break;
            }
            out.append(indent).append(rest, 0, cut).append('\n');
            rest = rest.substring(cut + 1);
            indent = " ".repeat(LABEL);
        }
        out.append(indent).append(rest).append('\n');
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    /** What the terminal shows as is: control characters (from a module's path) escaped. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A time for people: ns, us, ms or s with three figures or so. */
    static String duration(long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return nanos / 1_000 + " us";
        }
        double ms = nanos / 1e6;
        if (ms < 1000) {
            return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
        }
        double s = ms / 1000;
        return String.format(Locale.ROOT, s < 100 ? "%.2f s" : "%.0f s", s);
    }

    static String uptime(long millis) {
        long seconds = millis / 1000;
        long days = seconds / 86_400;
        String clock = String.format(Locale.ROOT, "%02d:%02d:%02d", seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
        return days > 0 ? days + " d " + clock : clock;
    }

    static Map<String, Object> json(Status status) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("config", status.config().toString());
        o.put("socket", status.socket() == null ? null : status.socket().toString());
        o.put("decision", status.decision().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        o.put("why", status.why());
        Report r = status.report();
        if (r == null) {
            o.put("service", null);
        } else {
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("pid", r.pid());
            service.put("packageVersion", r.packageVersion());
            service.put("protocolVersion", r.protocolVersion());
            service.put("uptimeMillis", r.uptimeMillis());
            service.put("connectionsOpen", r.connectionsOpen());
            service.put("connectionsServed", r.connectionsServed());
            service.put("connectionsRefused", r.connectionsRefused());
            service.put("handlesWithData", r.handlesWithData() >= 0 ? r.handlesWithData() : null);
            service.putAll(figures(r.total()));
            service.remove("module");
            List<Object> modules = new ArrayList<>();
            for (Figures m : r.modules()) {
                modules.add(figures(m));
            }
            service.put("modules", modules);
            o.put("service", service);
        }
        o.put("noReport", status.noReport());
        return o;
    }

    private static Map<String, Object> figures(Figures f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("module", f.module()); // null: the modules beyond the service's bound
        m.put("calls", f.calls());
        m.put("failures", f.failures());
        m.put("errors", f.errors());
        m.put("p50Nanos", f.p50Nanos());
        m.put("p99Nanos", f.p99Nanos());
        return m;
    }
}

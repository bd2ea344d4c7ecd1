package org.pamjava.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;
import org.pamjava.it.PamTestBed.Host;

/** Shared set-up of the hardening tests (docs/security.md#threat-model, threats 1-8 of issue 5 "Trustworthy inside su, sshd and login"). */
final class Hardening {
    static final Path HOSTILE = PamTestBed.MODULES.resolve("HostileModule.java");
    /** The pam_java.so variant that reads NATIVE/pam_java.conf (timeouts, JVM options). */
    static final Path CONF_VARIANT = PamTestBed.NATIVE.resolve("confvariant/pam_java.so");
    static final Path VARIANT_CONF = PamTestBed.NATIVE.resolve("pam_java.conf");
    static final Path VARIANT_CACHE = PamTestBed.NATIVE.resolve("cache");

    private Hardening() {}

    static PamTestBed bed(String name) throws IOException {
        return PamPythonCasesTest.bed(name, Host.C);
    }

    /** A service whose auth rule runs HostileModule with how=HOW (and whose account rule succeeds). */
    static PamTestBed hostile(PamTestBed bed, String how, Path pamJava) throws IOException {
        String rule = pamJava + " " + HOSTILE;
        return bed.service("svc", "auth required " + rule + " how=" + how + " $OUT", "account required " + rule);
    }

    /** Writes the configuration of the variant module (owned by root, 0644, as required). */
    static void variantConfig(String... lines) throws IOException {
        Files.writeString(VARIANT_CONF, String.join("\n", lines) + "\n");
        Files.setPosixFilePermissions(VARIANT_CONF, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Compiles {@code sources} (name to text) into {@code dir}. */
    static void compile(Path dir, Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        List<String> args = new java.util.ArrayList<>(List.of("-d", dir.toString()));
        for (var e : sources.entrySet()) {
            Path file = src.resolve(e.getKey() + ".java");
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        if (ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)) != 0) {
            throw new IOException("cannot compile " + sources.keySet());
        }
    }

    /**
     * Makes {@code bed} run a setuid-root copy of the C host (with the syslog capture linked in, as
     * LD_PRELOAD does not reach a setuid process) as the unprivileged user nobody: su as an
     * attacker runs it. Needs root.
     */
    static void setuidHostRunByNobody(PamTestBed bed) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path host = bed.dir.resolve("pam_host");
        Files.copy(PamTestBed.NATIVE.resolve("pam_host_capture"), host);
        Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (new ProcessBuilder("chmod", "u+s", host.toString()).inheritIO().start().waitFor() != 0) {
            throw new IOException("cannot make " + host + " setuid");
        }
        bed.cHost = host;
        bed.wrapper.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}

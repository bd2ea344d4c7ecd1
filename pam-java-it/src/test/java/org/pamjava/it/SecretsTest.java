package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Threat 7 (docs/security.md#threat-7-secrets): a password typed into the conversation is gone from the host's memory after pam_end
 * (read from a core dump taken with gcore), in every encoding Java or C could hold it in, and
 * never reaches syslog.
 */
class SecretsTest {

    /** Occurrences of each pattern in the file, read in chunks with an overlap. */
    static Map<String, Integer> count(Path file, Map<String, byte[]> patterns) throws IOException {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        patterns.keySet().forEach(k -> counts.put(k, 0));
        int overlap = 64;
        byte[] buffer = new byte[(8 << 20) + overlap];
        int kept = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.readNBytes(buffer, kept, buffer.length - kept)) > 0) {
                int end = kept + read;
                for (var e : patterns.entrySet()) {
                    byte[] p = e.getValue();
                    for (int i = 0; i + p.length <= end; i++) {
                        // Count a match once: only if it ends past the carried-over part.
                        if (i + p.length > kept && matches(buffer, i, p)) {
                            counts.merge(e.getKey(), 1, Integer::sum);
                        }
                    }
                }
                kept = Math.min(overlap, end);
                System.arraycopy(buffer, end - kept, buffer, 0, kept);
            }
        }
        return counts;
    }

    private static boolean matches(byte[] b, int at, byte[] p) {
        for (int j = 0; j < p.length; j++) {
            if (b[at + j] != p[j]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aTypedPasswordIsNotInTheHostsMemoryAfterPamEnd() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcore")), "gcore (gdb) is needed");
        PamTestBed bed = Hardening.hostile(Hardening.bed("secret"), "secret", PamTestBed.PAM_JAVA);
        String marker = "Zq9-" + HexFormat.of().formatHex(new byte[] {(byte) new Random().nextInt(), 7, 42,
                (byte) System.nanoTime(), (byte) (System.nanoTime() >> 8)});
        Path out = bed.dir.resolve("out.txt");
        Process host = new ProcessBuilder(PamTestBed.NATIVE.resolve("pam_host").toString(), "--confdir",
                bed.confdir.toString(), "svc", "auth", "end", "sleep:30000")
                .redirectOutput(out.toFile()).redirectError(bed.dir.resolve("err.txt").toFile())
                .directory(bed.dir.toFile()).start();
        try {
            host.getOutputStream().write((marker + "\n").getBytes(StandardCharsets.UTF_8));
            host.getOutputStream().close();
            for (int i = 0; i < 400 && !Files.readString(out).contains("end 0"); i++) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(out).contains("auth 0 Success"), Files.readString(out));
            Path core = bed.dir.resolve("core");
            Process gcore = new ProcessBuilder("gcore", "-o", core.toString(), String.valueOf(host.pid()))
                    .redirectErrorStream(true).redirectOutput(bed.dir.resolve("gcore.txt").toFile()).start();
            assertTrue(gcore.waitFor(120, TimeUnit.SECONDS));
            Path dump = bed.dir.resolve("core." + host.pid());
            assertTrue(Files.size(dump) > 0, Files.readString(bed.dir.resolve("gcore.txt")));
            try {
                Map<String, Integer> found = count(dump, Map.of(
                        "UTF-8 and Latin-1", marker.getBytes(StandardCharsets.UTF_8),
                        "UTF-16LE", marker.getBytes(StandardCharsets.UTF_16LE),
                        "UTF-16BE", marker.getBytes(StandardCharsets.UTF_16BE)));
                assertEquals(Map.of("UTF-16BE", 0, "UTF-16LE", 0, "UTF-8 and Latin-1", 0), found);
            } finally {
                Files.deleteIfExists(dump);
            }
        } finally {
            host.destroyForcibly();
        }
    }

    @Test
    void secretsNeverReachSyslogEvenWhenTheModuleFails() throws Exception {
        // The module's reply comparison fails (wrong prefix); a failing module, then a throwing one.
        String marker = "Xk7-not-the-prefix-" + System.nanoTime();
        PamTestBed bed = Hardening.hostile(Hardening.bed("secret-log"), "secret", PamTestBed.PAM_JAVA);
        PamTestBed.Run run = bed.run(PamTestBed.Host.C, "svc", List.of(), marker + "\n", "auth");
        assertEquals(7, run.code("auth"));
        assertTrue(run.syslog().stream().noneMatch(l -> l.contains(marker)), run.syslog().toString());
        bed.rawStdin = (marker + "\u00ff\n").getBytes(StandardCharsets.ISO_8859_1);
        PamTestBed.Run bad = bed.run(PamTestBed.Host.C, "svc", "auth");
        assertEquals(3, bad.code("auth"));
        assertTrue(bad.syslog().stream().noneMatch(l -> l.contains(marker)), bad.syslog().toString());
    }
}

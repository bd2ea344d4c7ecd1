package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code dist/bin/pam-java} as a process, the way a user does. */
final class PamJavaCommand {

    /** What one run printed, and its exit status. */
    record Result(int status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private PamJavaCommand() {}

    /** Runs {@code pam-java args} in {@code workdir} with {@code stdin} as its input. */
    static Result runWithInput(Path workdir, String stdin, String... args) throws IOException, InterruptedException {
        return runAfter(List.of(), workdir, stdin, args);
    }

    /**
     * Runs {@code pam-java args} with {@code replacement} bind-mounted over {@code replaced} in a
     * mount namespace of its own (root only): the command sees the other file, nothing else
     * does, and nothing is left behind however the run ends.
     */
    static Result runWithFileOver(Path replacement, Path replaced, Path workdir, String... args)
            throws IOException, InterruptedException {
        return runAfter(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"", "sh", replacement.toString(), replaced.toString()),
                workdir, "", args);
    }

    /** Runs {@code pam-java args} as the user nobody (root only), in a {@code workdir} nobody may enter. */
    static Result runAsNobody(Path workdir, String... args) throws IOException, InterruptedException {
        return runAfter(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), workdir, "", args);
    }

    private static Result runAfter(List<String> prefix, Path workdir, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Dist.COMMAND.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile());
        pb.environment().put("LC_ALL", "C"); // pam_strerror's texts untranslated, as the engine has them
        Path err = Files.createTempFile(workdir, "stderr", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("pam-java did not finish: " + command);
        }
        String errText = Files.readString(err);
        Files.delete(err);
        return new Result(p.exitValue(), out, errText);
    }

    static Result run(Path workdir, String... args) throws IOException, InterruptedException {
        return runWithInput(workdir, "", args);
    }
}

package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code new} makes a project whose test builds and passes (and fails when the module breaks); {@code demo} runs. */
class NewAndDemoTest {
    @TempDir
    Path tmp;

    @Test
    void theSkeletonBuildsAndItsTestPassesThenCatchesABrokenModule() throws Exception {
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "new", "--dir", tmp.toString(), "OnlyStaff");
        assertEquals(0, r.status(), r.toString());
        Path project = tmp.resolve("OnlyStaff");
        Path module = project.resolve("src/main/java/OnlyStaff.java");
        assertTrue(Files.isRegularFile(module) && Files.isRegularFile(project.resolve("src/test/java/OnlyStaffTest.java")), r.toString());
        assertTrue(Files.readString(project.resolve("pom.xml")).contains("<artifactId>only-staff</artifactId>"));

        Maven passing = mavenTest(project);
        assertEquals(0, passing.status(), "the new project's test passes:\n" + passing.output());

        Files.writeString(module, Files.readString(module).replace("\"Welcome, \"", "\"Hello, \""));
        Maven failing = mavenTest(project);
        assertNotEquals(0, failing.status(), "the test sees the module change");
        assertTrue(failing.output().contains("expected: <[Welcome, alice.]> but was: <[Hello, alice.]>"), failing.output());

        PamJavaCommand.Result again = PamJavaCommand.run(tmp, "new", "--dir", tmp.toString(), "OnlyStaff");
        assertEquals(2, again.status(), "an existing project is never overwritten: " + again);
    }

    record Maven(int status, String output) {}

    /** {@code mvn -o test} in {@code project}: the local repository holds pam_java's artifacts (mvn install). */
    private static Maven mavenTest(Path project) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("mvn", "-o", "-q", "-B", "test").directory(project.toFile())
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "mvn test finished");
        return new Maven(p.exitValue(), out);
    }

    @Test
    void theDemoRunsARealTransactionWithTheTotpModule() throws Exception {
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "demo");
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.lines();
        assertTrue(lines.getFirst().startsWith("== PAM service ("), r.toString());
        int right = lines.indexOf(lines.stream().filter(l -> l.startsWith("== alice answers the module's prompt with the right code")).findFirst().orElseThrow());
        assertEquals(List.of("   conv 1 Verification code: ", "   auth 0 Success", "   acct 0 Success"), lines.subList(right + 1, right + 4));
        assertTrue(lines.get(right + 4).startsWith("== alice answers with a wrong code ("), r.toString());
        assertEquals(List.of("   conv 1 Verification code: ", "   auth 7 Authentication failure"), lines.subList(right + 5, lines.size()));
    }
}

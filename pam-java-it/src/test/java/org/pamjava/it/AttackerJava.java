package org.pamjava.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The Java variables a caller may set before running a PAM host, each chosen so that, if HotSpot
 * read it, it would leave a file behind: a real {@code -javaagent} jar whose premain writes a
 * marker, and {@code -Xlog} output files. JVM output itself goes to syslog, so files are what a
 * test can observe.
 */
final class AttackerJava {
    private AttackerJava() {}

    /** Builds, in {@code dir}, a jar whose Premain-Class writes "premain ran" to the file named by its argument. */
    static Path agentJar(Path dir) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Hardening.compile(classes, Map.of("MarkerAgent", """
                public class MarkerAgent {
                    public static void premain(String marker) throws Exception {
                        java.nio.file.Files.writeString(java.nio.file.Path.of(marker), "premain ran\\n");
                    }
                }
                """));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", "MarkerAgent");
        Path jar = dir.resolve("marker-agent.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("MarkerAgent.class"));
            out.write(Files.readAllBytes(classes.resolve("MarkerAgent.class")));
            out.closeEntry();
        }
        return jar;
    }

    /** The variables; what they would leave goes to {@code dir}. */
    static Map<String, String> variables(Path agent, Path dir) {
        return Map.of(
                "JAVA_TOOL_OPTIONS", "-javaagent:" + agent + "=" + dir.resolve("agent-ran")
                        + " -Xlog:gc:file=" + dir.resolve("java-tool-options.log"),
                "_JAVA_OPTIONS", "-Xlog:gc:file=" + dir.resolve("java-options.log"),
                "CLASSPATH", dir.toString(), "_JAVA_SR_SIGNUM", "14", "JAVA_HOME", "/nonexistent");
    }

    /** The files the variables would leave in {@code dir}. */
    static List<Path> traces(Path dir) {
        return List.of(dir.resolve("agent-ran"), dir.resolve("java-tool-options.log"), dir.resolve("java-options.log"));
    }

    /** Those of {@link #traces} that exist. */
    static List<Path> tracesLeft(Path dir) {
        List<Path> left = new ArrayList<>();
        for (Path p : traces(dir)) {
            if (Files.exists(p)) {
                left.add(p);
            }
        }
        return left;
    }
}

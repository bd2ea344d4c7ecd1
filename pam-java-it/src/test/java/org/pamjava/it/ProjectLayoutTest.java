package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layout docs/architecture.md describes, as checks: one role per Maven module, each depending
 * only on what its role needs, and one name per type. A change that breaks the layout fails here,
 * not in a later review.
 */
class ProjectLayoutTest {
    private static final Path PROJECT = PamTestBed.DIST.getParent();

    /**
     * What each Java module may depend on among pam_java's own: the API at the bottom, the runtime
     * both hosts share, the two hosts as leaves (the JNI natives stay out of the test kit and the
     * command; the command uses the root service's module only as its client, for pam-java status,
     * which reads pam_java.conf by the service's grammar and speaks its protocol).
     */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "pam-java-api", Set.of(),
            "pam-java-runtime", Set.of("pam-java-api"),
            "pam-java-host", Set.of("pam-java-runtime"),
            "pam-java-resident", Set.of("pam-java-runtime"),
            "pam-java-stack", Set.of("pam-java-api"),
            "pam-java-client", Set.of("pam-java-api"),
            "pam-java-testing", Set.of("pam-java-api", "pam-java-stack", "pam-java-runtime"),
            "pam-java-cli", Set.of("pam-java-api", "pam-java-stack", "pam-java-runtime", "pam-java-client",
                    "pam-java-resident"));

    private static final Pattern DEPENDENCY = Pattern.compile(
            "<dependency>\\s*<groupId>org\\.pamjava</groupId>\\s*<artifactId>([\\w-]+)</artifactId>(.*?)</dependency>",
            Pattern.DOTALL);

    @Test
    void eachModuleDependsOnlyOnWhatItsRoleNeeds() throws IOException {
        Map<String, Set<String>> found = new TreeMap<>();
        for (String module : ALLOWED.keySet()) {
            String pom = Files.readString(PROJECT.resolve(module).resolve("pom.xml"));
            Set<String> deps = new TreeSet<>();
            Matcher m = DEPENDENCY.matcher(pom);
            while (m.find()) {
                if (!m.group(2).contains("<scope>test</scope>")) {
                    deps.add(m.group(1));
                }
            }
            found.put(module, deps);
        }
        for (String module : ALLOWED.keySet()) {
            assertTrue(ALLOWED.get(module).containsAll(found.get(module)),
                    module + " depends on " + found.get(module) + "; its role allows " + ALLOWED.get(module));
        }
    }

    @Test
    void everyModuleOthersUseHasADescriptorAndNoInternalPackageIsExportedToAll() throws IOException {
        for (String module : ALLOWED.keySet()) {
            Path descriptor = PROJECT.resolve(module).resolve("src/main/java/module-info.java");
            assertTrue(Files.isRegularFile(descriptor), module + " has no module-info.java");
            String text = Files.readString(descriptor);
            Matcher m = Pattern.compile("exports\\s+([\\w.]+)\\s*(to\\b[^;]*)?;").matcher(text);
            while (m.find()) {
                boolean internal = m.group(1).equals("org.pamjava.runtime");
                assertTrue(!internal || m.group(2) != null,
                        module + " exports " + m.group(1) + " to everyone; it is pam_java's own (export it 'to' its users)");
            }
        }
    }

    @Test
    void noTwoTypesOfTheMainSourcesShareAName() throws IOException {
        Map<String, List<Path>> byName = new TreeMap<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(PROJECT, 8)) {
            sources = files.filter(p -> p.toString().contains("/src/main/java/") && p.toString().endsWith(".java"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .toList();
        }
        for (Path source : sources) {
            String name = source.getFileName().toString().replace(".java", "");
            if (!name.equals("module-info") && !name.equals("package-info")) {
                byName.computeIfAbsent(name, n -> new ArrayList<>()).add(PROJECT.relativize(source));
            }
        }
        assertTrue(sources.size() > 100, "the walk found the sources: " + sources.size());
        Map<String, List<Path>> duplicates = new TreeMap<>();
        byName.forEach((name, paths) -> {
            if (paths.size() > 1) {
                duplicates.put(name, paths);
            }
        });
        assertEquals(Map.of(), duplicates, "type names used twice");
    }
}

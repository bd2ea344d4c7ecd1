package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code .java} module compiles against what the effective uid can read: in a setuid host (su
 * run by an ordinary user) the real uid is the user's, and a class path jar in a directory only
 * root may enter (pam_java's runtime directory made 0700, a root-only {@code class_path} jar)
 * must still be read, as the class loader reads it. javac's own file manager asked
 * {@code access(2)}, which answers for the real uid, and the module "did not compile".
 */
class JavaSourceCompilerTest {
    private static final String POLICY = """
            package policy;
            public final class Policy { public static final int VERDICT = 0; }
            """;
    private static final String MODULE = """
            import java.util.List;
            import org.pamjava.*;
            public class ConstantModule implements PamModule {
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                    return policy.Policy.VERDICT;
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void aModuleCompilesAgainstJarsOnlyTheEffectiveUidCanRead() throws Exception {
        assumeTrue(TrustedPaths.runningAsRoot(), "a process with another real uid needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        Path rootOnly = Files.createDirectory(dir.resolve("root-only"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path api = Files.copy(Path.of(TestJars.API), rootOnly.resolve("pam-java-api.jar"));
        Files.createDirectory(dir.resolve("build"));
        Path policy = TestJars.jar(dir.resolve("build/policy.jar"), Map.of("policy.Policy", POLICY), null, null);
        policy = Files.move(policy, rootOnly.resolve("policy.jar"));
        Path module = Files.writeString(dir.resolve("ConstantModule.java"), MODULE);

        // The child JVM has the real uid of nobody and the effective uid root, as su run by a user.
        List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv", "--ruid=65534", "--rgid=65534",
                "--clear-groups", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CompileAsTheEffectiveUid.class.getName(),
                module.toString(), api.toString(), policy.toString()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not finish: " + out);
        List<String> lines = out.lines().toList();
        assertEquals(List.of("real 65534 effective 0", "compiled ConstantModule"), lines, out);
    }

    /** The child: its uids, then what compiling args[0] against args[1..] gave. */
    static final class CompileAsTheEffectiveUid {
        public static void main(String[] args) throws Exception {
            String uids = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
            String[] ids = uids.split("\\s+");
            System.out.println("real " + ids[1] + " effective " + ids[2]);
            Path file = Path.of(args[0]);
            List<Path> classPath = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                classPath.add(Path.of(args[i]));
            }
            try {
                CompiledModule compiled = new JavaSourceCompiler(classPath).compile(file, Files.readAllBytes(file));
                System.out.println("compiled " + compiled.mainClass());
            } catch (ModuleLoadException e) {
                System.out.println("failed: " + e.getMessage());
            }
        }

        private CompileAsTheEffectiveUid() {}
    }
}

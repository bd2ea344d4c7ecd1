package org.pamjava.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringTokenizer;
import org.pamjava.PamHandle;

/**
 * Where module code's process starts go: {@link ModuleCallRewriter} turns
 * {@code ProcessBuilder.start()}, {@code ProcessBuilder.startPipeline(List)} and every
 * {@code Runtime.exec} in module classes into calls of these methods (the module class loaders
 * let module classes see this class and no other of pam_java's), which start the same processes
 * with an environment always named.
 *
 * <p>Why: a ProcessBuilder whose environment nobody asked for hands the launcher none, and the child
 * inherits the process's {@code environ} as it is at that moment. pam_java.so gives {@code environ}
 * the module's environment only while a call's Java part runs; whenever host code runs (a module's
 * own thread during the conversation, between PAM calls, after a timeout) it is the host's, in a
 * setuid host the caller's: {@code PYTHONPATH=~/evil su} would reach a module's {@code python3}
 * running as root. Likewise the JDK looks a program named without a '/' up in the PATH the process
 * had when it first started a process, which may be the caller's.
 *
 * <p>The rule, in every host (a JVM pam_java.so created, a Java application's own, the resident
 * service), so a module behaves the same in each:
 * <ul>
 * <li>an environment the module chose is kept: the {@code environment()} of a ProcessBuilder when
 * it differs from the JVM's ({@code System.getenv()}), the {@code envp} given to {@code Runtime.exec};
 * <li>otherwise the child gets pam_exec(8)'s: {@code PATH} = {@link #FIXED_PATH} and, when this thread
 * runs a PAM call (an operation or the end hook), that handle's PAM environment without the
 * variables a dynamic loader or an interpreter takes code or settings from ({@link #isUnsafe};
 * the same list as pam_java.so's {@code environment.c}). A Java application that wants a variable
 * in its modules' children puts it in the PAM environment (pam_putenv(3)), as for pam_exec;
 * <li>a program named without a '/' is looked up in {@link #FIXED_PATH}, never in a PATH of the
 * caller's.
 * </ul>
 * The module's ProcessBuilder objects are not changed: a copy with the environment is started.
 */
public final class ModuleProcesses {
    /** The PATH of a module's child processes: pam_java.so's FIXED_PATH (environment.c). */
    static final String FIXED_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * PAM environment variables a child never gets: glibc's UNSECURE_ENVVARS (what ld.so drops for
     * a setuid program, which a root child of a setuid host is not), the interpreters' and the
     * JVM's code and option variables, the shells' start-up files and settings, and PATH (the
     * fixed one is used). Kept equal to environment.c's list.
     */
    private static final Set<String> UNSAFE_NAMES = Set.of("GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES",
            "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF",
            "RES_OPTIONS", "TMPDIR", "TZDIR", "NODE_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS", "CLASSPATH", "BASH_ENV", "ENV", "IFS", "SHELLOPTS", "BASHOPTS", "PS4", "PATH");
    /** Prefixes of such names: LD_* (the dynamic loader), MALLOC_* (glibc), PYTHON*, PERL5*, PERLLIB, RUBY*. */
    private static final String[] UNSAFE_PREFIXES = {"LD_", "MALLOC_", "PYTHON", "PERL5", "PERLLIB", "RUBY"};

    private static final Set<PosixFilePermission> EXECUTE = EnumSet.of(PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

    private ModuleProcesses() {}

    /** {@code builder.start()}, with an environment named (see the class comment). */
    public static Process start(ProcessBuilder builder) throws IOException {
        return launchable(builder, choseEnvironment(builder)).start();
    }

    /** {@code ProcessBuilder.startPipeline(builders)}, each with an environment named. */
    public static List<Process> startPipeline(List<ProcessBuilder> builders) throws IOException {
        List<ProcessBuilder> launchable = new ArrayList<>(builders.size());
        for (ProcessBuilder builder : builders) {
            launchable.add(launchable(builder, choseEnvironment(builder)));
        }
        return ProcessBuilder.startPipeline(launchable);
    }

    /** {@code runtime.exec(command)}. */
    public static Process exec(Runtime runtime, String command) throws IOException {
        return exec(runtime, command, null, null);
    }

    /** {@code runtime.exec(command, envp)}. */
    public static Process exec(Runtime runtime, String command, String[] envp) throws IOException {
        return exec(runtime, command, envp, null);
    }

    /** {@code runtime.exec(command, envp, dir)}: the command split at white space, as Runtime does. */
    public static Process exec(Runtime runtime, String command, String[] envp, File dir) throws IOException {
        Objects.requireNonNull(runtime);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("Empty command");
        }
        StringTokenizer words = new StringTokenizer(command);
        String[] cmdarray = new String[words.countTokens()];
        for (int i = 0; words.hasMoreTokens(); i++) {
            cmdarray[i] = words.nextToken();
        }
        return exec(runtime, cmdarray, envp, dir);
    }

    /** {@code runtime.exec(cmdarray)}. */
    public static Process exec(Runtime runtime, String[] cmdarray) throws IOException {
        return exec(runtime, cmdarray, null, null);
    }

    /** {@code runtime.exec(cmdarray, envp)}. */
    public static Process exec(Runtime runtime, String[] cmdarray, String[] envp) throws IOException {
        return exec(runtime, cmdarray, envp, null);
    }

    /** {@code runtime.exec(cmdarray, envp, dir)}: an {@code envp} is the module's choice and is kept. */
    public static Process exec(Runtime runtime, String[] cmdarray, String[] envp, File dir) throws IOException {
        Objects.requireNonNull(runtime);
        ProcessBuilder builder = new ProcessBuilder(cmdarray).directory(dir);
        if (envp != null) {
            Map<String, String> environment = builder.environment();
            environment.clear();
            for (String entry : envp) {
                // As Runtime.exec reads envp: junk after a NUL dropped, an entry without '=' ignored.
                int nul = entry.indexOf('\0');
                String variable = nul < 0 ? entry : entry.substring(0, nul);
                int equals = variable.indexOf('=');
                if (equals >= 0) {
                    environment.put(variable.substring(0, equals), variable.substring(equals + 1));
                }
            }
        }
        return launchable(builder, envp != null).start();
    }

    /** Whether the module changed the builder's environment (asking for it alone changes nothing). */
    private static boolean choseEnvironment(ProcessBuilder builder) {
        return !builder.environment().equals(System.getenv());
    }

    /** A copy of {@code builder} with an environment named and its program found in the fixed PATH. */
    private static ProcessBuilder launchable(ProcessBuilder builder, boolean environmentChosen) throws IOException {
        ProcessBuilder copy = new ProcessBuilder(inFixedPath(builder.command(), builder.directory()))
                .directory(builder.directory())
                .redirectInput(builder.redirectInput())
                .redirectOutput(builder.redirectOutput())
                .redirectError(builder.redirectError())
                .redirectErrorStream(builder.redirectErrorStream());
        Map<String, String> environment = copy.environment();
        environment.clear();
        if (environmentChosen) {
            environment.putAll(builder.environment());
        } else {
            environment.put("PATH", FIXED_PATH);
            addPamEnvironment(environment);
        }
        return copy;
    }

    private static void addPamEnvironment(Map<String, String> environment) throws IOException {
        PamHandle pamh = ModuleInvoker.handleOfThisThreadsCall();
        if (pamh == null) {
            return;
        }
        try {
            for (Map.Entry<String, String> variable : pamh.environment().entrySet()) {
                if (!isUnsafe(variable.getKey())) {
                    environment.put(variable.getKey(), variable.getValue());
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("cannot read the PAM environment for a child process: " + e.getMessage(), e);
        }
    }

    /** Whether a child never gets this PAM environment variable (see {@link #UNSAFE_NAMES}). */
    static boolean isUnsafe(String name) {
        if (UNSAFE_NAMES.contains(name)) {
            return true;
        }
        for (String prefix : UNSAFE_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The command with a program named without a '/' replaced by its path in the fixed PATH (the
     * first regular file there with an execute bit); one found nowhere there is not run at all.
     * Anything else (no program, a path) is left to ProcessBuilder, which reports it as usual.
     */
    private static List<String> inFixedPath(List<String> command, File dir) throws IOException {
        if (command.isEmpty() || command.get(0) == null) {
            return command;
        }
        String program = command.get(0);
        if (program.isEmpty() || program.indexOf('/') >= 0 || program.indexOf('\0') >= 0) {
            return command;
        }
        for (String directory : FIXED_PATH.split(":")) {
            Path candidate = Path.of(directory, program);
            if (isExecutableFile(candidate)) {
                List<String> resolved = new ArrayList<>(command);
                resolved.set(0, candidate.toString());
                return resolved;
            }
        }
        throw new IOException("Cannot run program \"" + program + "\""
                + (dir == null ? "" : " (in directory \"" + dir + "\")") + ": error=2, No such file or directory");
    }

    private static boolean isExecutableFile(Path candidate) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(candidate, PosixFileAttributes.class);
            return attributes.isRegularFile() && !Collections.disjoint(attributes.permissions(), EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * Logs in the ways a module does, as "how=" says, for ModuleLogsTest: System.out and System.err
 * (a println, a line in pieces), an exception's stack trace, a thread of its own, a static
 * initialiser; bursts of lines with or without libpam calls between them; a flood that goes on
 * until a file appears. "name=" starts each line, "out=FILE" receives its progress, "go=" and
 * "release=" name files it waits for. Every other operation succeeds.
 */
public class LoggingModule implements PamModule {
    static {
        System.out.println("LoggingModule's static initialiser");
    }

    private static Map<String, String> options(List<String> args) {
        Map<String, String> o = new HashMap<>();
        for (String a : args.subList(1, args.size())) {
            int eq = a.indexOf('=');
            o.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
        }
        return o;
    }

    private static void record(Map<String, String> o, String line) {
        if (o.containsKey("out")) {
            try {
                Files.writeString(Path.of(o.get("out")), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void await(String file) {
        while (!Files.exists(Path.of(file))) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        Map<String, String> o = options(args);
        String name = o.getOrDefault("name", "module");
        int lines = Integer.parseInt(o.getOrDefault("lines", "0"));
        switch (o.getOrDefault("how", "")) {
            case "chatty" -> {
                String user = pamh.getUser();
                System.out.println("hello from " + user);
                System.err.print("part one, ");
                System.err.println("part two");
                Thread own = new Thread(() -> System.out.println(name + " from a thread of its own"));
                own.start();
                try {
                    own.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                throw new IllegalStateException("refused " + user);
            }
            case "burst" -> {
                for (int i = 0; i < lines; i++) {
                    System.out.println(name + " line " + i);
                }
            }
            case "paced" -> {
                // A libpam call every 100 lines: each sends what waits ahead of its request.
                for (int i = 0; i < lines; i++) {
                    if (i % 100 == 0) {
                        pamh.getService();
                    }
                    System.out.println(name + " line " + i);
                }
            }
            case "together" -> {
                // Half the lines, then both applications' modules wait for each other, then the rest.
                for (int i = 0; i < lines; i++) {
                    if (i == lines / 2) {
                        record(o, "half");
                        await(o.get("go"));
                    }
                    if (i % 10 == 0) {
                        pamh.getUser();
                    }
                    System.out.println(name + " line " + i);
                }
            }
            case "flood" -> {
                // Prints without a pause until released, saying how far it got every 1000 lines.
                record(o, "started");
                await(o.get("go"));
                Path release = Path.of(o.get("release"));
                for (long i = 0; !Files.exists(release); i++) {
                    System.out.println(name + " line " + i + " " + "x".repeat(80));
                    if (i % 1000 == 0) {
                        record(o, "printed " + i);
                    }
                }
                System.out.println(name + " released");
            }
            default -> throw new IllegalArgumentException("how=" + o.get("how"));
        }
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }
}

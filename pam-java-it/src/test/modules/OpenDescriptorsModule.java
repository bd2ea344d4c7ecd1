import java.io.Closeable;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * Opens descriptors the ways module code does, and keeps them open for the life of the process:
 * "keep=FILE" is opened with FileInputStream, RandomAccessFile and Files.newByteChannel, and a pipe
 * and a datagram socket are made, at each authenticate. acctMgmt closes the last FileInputStream
 * and opens FILE again, which usually gets the same descriptor number back. With "later=DIR",
 * authenticate also starts a thread of the module's own that, once DIR/go exists (after the call),
 * opens DIR/go, keeps it and creates DIR/opened. Every call succeeds.
 */
public class OpenDescriptorsModule implements PamModule {
    /** Static: nothing the module opened may be closed by the garbage collector behind the test's back. */
    private static final List<Closeable> KEPT = new ArrayList<>();

    private static String keep(List<String> args) {
        for (String a : args) {
            if (a.startsWith("keep=")) {
                return a.substring(5);
            }
        }
        throw new IllegalArgumentException("keep=FILE is required");
    }

    private static void openLater(Path dir) {
        Thread later = new Thread(() -> {
            try {
                while (!Files.exists(dir.resolve("go"))) {
                    Thread.sleep(1);
                }
                synchronized (KEPT) {
                    KEPT.add(new FileInputStream(dir.resolve("go").toFile()));
                }
                Files.createFile(dir.resolve("opened"));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "opens-later");
        later.setDaemon(true);
        later.start();
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        for (String a : args) {
            if (a.startsWith("later=")) {
                openLater(Path.of(a.substring(6)));
            }
        }
        String file = keep(args);
        try {
            synchronized (KEPT) {
                KEPT.add(new FileInputStream(file));
                KEPT.add(new RandomAccessFile(file, "r"));
                KEPT.add(Files.newByteChannel(Path.of(file)));
                Pipe pipe = Pipe.open();
                KEPT.add(pipe.source());
                KEPT.add(pipe.sink());
                KEPT.add(DatagramChannel.open());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        try {
            synchronized (KEPT) {
                for (int i = KEPT.size() - 1; i >= 0; i--) {
                    if (KEPT.get(i) instanceof FileInputStream in) {
                        in.close();
                        KEPT.set(i, new FileInputStream(keep(args)));
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }
}

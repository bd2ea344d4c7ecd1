import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Response;

/**
 * The module RealHostsTest puts in the stacks of sudo, login, passwd and runuser: a password
 * module whose password is the content of the file "store=FILE", with a session that "out=FILE"
 * sees open and close, and a chauthtok that changes the stored password in libpam's two passes.
 * Every observation is a line in "out=FILE", so the test sees what the module saw and decided.
 * "session=deny" makes open_session refuse (the host must then not run the user's command).
 * Like a module that keeps its secrets at hand, it holds the store open from open_session to
 * close_session: the user's shell or command, which the host starts in between, must not get it.
 */
public class RealHostModule implements PamModule {
    private java.io.FileInputStream heldStore;

    private static String arg(List<String> args, String name) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return a.substring(name.length() + 1);
            }
        }
        return "";
    }

    private static void record(List<String> args, String line) {
        try {
            Files.writeString(Path.of(arg(args, "out")), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stored(List<String> args) {
        try {
            return Files.readString(Path.of(arg(args, "store"))).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Who and where: the items a host sets before it calls the module. */
    private static String items(PamHandle pamh) {
        return "service=" + pamh.getService() + " user=" + pamh.getUser() + " ruser=" + pamh.getRuser()
                + " tty=" + pamh.getTty();
    }

    /** What the module's process and a child of it see of the environment (ModuleEnvironmentTest's promise). */
    private static void environment(List<String> args, String when) {
        record(args, when + "-getenv " + new TreeMap<>(System.getenv()));
        try {
            Process child = new ProcessBuilder("/usr/bin/env").redirectErrorStream(true).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            child.waitFor();
            record(args, when + "-child " + String.join(" ", new TreeSet<>(out.strip().lines().toList())));
        } catch (IOException e) {
            record(args, when + "-child cannot start: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String ask(PamHandle pamh, String prompt) {
        Response reply = pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_OFF, prompt));
        return reply.resp() == null ? "" : reply.resp();
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        environment(args, "authenticate");
        boolean right = ask(pamh, "Password: ").equals(stored(args));
        record(args, "authenticate " + items(pamh) + " result=" + (right ? "right" : "wrong"));
        return right ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        environment(args, "open_session");
        try {
            heldStore = new java.io.FileInputStream(arg(args, "store"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean deny = "deny".equals(arg(args, "session"));
        record(args, "open_session " + items(pamh) + " pid=" + ProcessHandle.current().pid()
                + (deny ? " refused" : ""));
        return deny ? PamConstants.PAM_SESSION_ERR : PamConstants.PAM_SUCCESS;
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        record(args, "close_session " + items(pamh) + " pid=" + ProcessHandle.current().pid());
        end(pamh);
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public void end(PamHandle pamh) {
        try {
            if (heldStore != null) {
                heldStore.close();
                heldStore = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * First pass (PAM_PRELIM_CHECK): the current password, kept as PAM_OLDAUTHTOK. Second pass
     * (PAM_UPDATE_AUTHTOK): the new one twice; when they match it replaces the stored password.
     */
    @Override
    public int chauthtok(PamHandle pamh, int flags, List<String> args) {
        if ((flags & PamConstants.PAM_PRELIM_CHECK) != 0) {
            String old = ask(pamh, "Current password: ");
            boolean right = old.equals(stored(args));
            record(args, "chauthtok prelim " + items(pamh) + " old=" + (right ? "right" : "wrong")
                    + " pid=" + ProcessHandle.current().pid());
            if (!right) {
                return PamConstants.PAM_AUTH_ERR;
            }
            pamh.setOldauthtok(old);
            return PamConstants.PAM_SUCCESS;
        }
        if ((flags & PamConstants.PAM_UPDATE_AUTHTOK) == 0) {
            record(args, "chauthtok neither pass flags=" + flags);
            return PamConstants.PAM_SERVICE_ERR;
        }
        String old = pamh.getOldauthtok();
        String fresh = ask(pamh, "New password: ");
        String again = ask(pamh, "Retype new password: ");
        boolean match = fresh.equals(again) && !fresh.isEmpty();
        record(args, "chauthtok update " + items(pamh) + " old-item=" + (stored(args).equals(old) ? "kept" : "lost")
                + " new-length=" + fresh.length() + " retype=" + (match ? "match" : "mismatch")
                + " pid=" + ProcessHandle.current().pid());
        if (!match) {
            pamh.conversation(new Message(PamConstants.PAM_ERROR_MSG, "Sorry, passwords do not match."));
            return PamConstants.PAM_AUTHTOK_ERR;
        }
        pamh.setAuthtok(fresh);
        try {
            Files.writeString(Path.of(arg(args, "store")), fresh + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PamConstants.PAM_SUCCESS;
    }
}

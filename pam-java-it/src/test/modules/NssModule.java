import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.pamjava.GroupEntry;
import org.pamjava.Message;
import org.pamjava.Nss;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.UserEntry;

/**
 * Looks users and groups up through PamHandle.nss() and tells the application what it saw, one
 * PAM_TEXT_INFO message per answer. Arguments, in order: user=NAME, uid=N, group=NAME, gid=N,
 * groupsof=NAME, member=USER:GROUP, thread=NAME (the user looked up on a thread of the module's
 * own, not the call's), and backend=- (which back end answers: the lookups' toString). A lookup that fails is reported as "error CODE MESSAGE"; the call succeeds.
 */
public class NssModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        Nss nss = pamh.nss();
        for (String arg : args.subList(1, args.size())) {
            int eq = arg.indexOf('=');
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            String seen;
            try {
                seen = switch (key) {
                    case "user" -> user(nss.user(value));
                    case "uid" -> user(nss.user(Long.parseLong(value)));
                    case "group" -> group(nss.group(value));
                    case "gid" -> group(nss.group(Long.parseLong(value)));
                    case "groupsof" -> groups(pamh, arg, nss.groupsOf(value));
                    case "member" -> String.valueOf(nss.isMember(value.split(":")[0], value.split(":")[1]));
                    case "thread" -> onOwnThread(nss, value);
                    case "backend" -> nss.toString();
                    default -> throw new IllegalArgumentException(arg);
                };
            } catch (PamException e) {
                seen = "error " + e.pamCode() + " " + e.getMessage();
            }
            pamh.conversation(new Message(PamConstants.PAM_TEXT_INFO, arg + " -> " + seen));
        }
        return PamConstants.PAM_SUCCESS;
    }

    private static String user(Optional<UserEntry> u) {
        return u.map(e -> "name=" + e.name() + " uid=" + e.uid() + " gid=" + e.gid() + " gecos=" + e.gecos()
                + " home=" + e.home() + " shell=" + e.shell()).orElse("empty");
    }

    private static String group(Optional<GroupEntry> g) {
        return g.map(e -> "name=" + e.name() + " gid=" + e.gid() + " members=" + e.members().size()
                + (e.members().size() <= 5 ? " " + String.join(",", e.members())
                        : " first=" + e.members().getFirst() + " last=" + e.members().getLast())).orElse("empty");
    }

    /** The count here, each group in a message of its own (a conversation message is at most 512 bytes). */
    private static String groups(PamHandle pamh, String arg, List<GroupEntry> groups) {
        for (GroupEntry g : groups) {
            pamh.conversation(new Message(PamConstants.PAM_TEXT_INFO, arg + " : " + g.name() + " " + g.gid()));
        }
        return "count=" + groups.size();
    }

    private static String onOwnThread(Nss nss, String name) {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                seen.set(user(nss.user(name)));
            } catch (PamException e) {
                seen.set("error " + e.pamCode() + " " + e.getMessage());
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return seen.get();
    }
}

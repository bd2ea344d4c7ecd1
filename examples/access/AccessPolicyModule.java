import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * An account policy (pam_sm_acct_mgmt) as a pam_java module: who may log in, and when.
 *
 * <pre>
 * account required pam_java.so /usr/share/doc/pam-java/examples/access/AccessPolicyModule.java \
 *         users=alice,bob groups=wheel hours=08:00-18:00 days=MON-FRI
 * </pre>
 *
 * Arguments: {@code users=} and {@code groups=} (comma-separated; a user in either list passes;
 * no lists means everyone), {@code hours=HH:MM-HH:MM} (a window across midnight is allowed),
 * {@code days=MON-FRI} or {@code days=SAT,SUN}, {@code group_file=} (default /etc/group). A
 * denied user is told why through the conversation and gets PAM_PERM_DENIED; outside the hours,
 * PAM_PERM_DENIED as well (pam_time's convention).
 */
public class AccessPolicyModule implements PamModule {

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        Policy policy = Policy.parse(args);
        String user = pamh.getUser();
        if (user == null) {
            return PamConstants.PAM_USER_UNKNOWN;
        }
        String refusal;
        try {
            refusal = policy.refusal(user, LocalDateTime.now());
        } catch (IOException e) {
            System.err.println("access policy: cannot read " + policy.groupFile + ": " + e.getMessage());
            return PamConstants.PAM_AUTHINFO_UNAVAIL;
        }
        if (refusal == null) {
            return PamConstants.PAM_SUCCESS;
        }
        if ((flags & PamConstants.PAM_SILENT) == 0) {
            pamh.conversation(new Message(PamConstants.PAM_ERROR_MSG, refusal));
        }
        return PamConstants.PAM_PERM_DENIED;
    }

    record Policy(Set<String> users, Set<String> groups, LocalTime from, LocalTime to, Set<DayOfWeek> days,
                  Path groupFile) {

        /** Why {@code user} may not log in at {@code now}, or null when they may. */
        String refusal(String user, LocalDateTime now) throws IOException {
            if ((!users.isEmpty() || !groups.isEmpty()) && !users.contains(user) && !inGroups(user)) {
                return "Access denied: " + user + " may not log in here.";
            }
            if (!days.contains(now.getDayOfWeek())) {
                return "Access denied: logins are not allowed on " + now.getDayOfWeek() + ".";
            }
            LocalTime t = now.toLocalTime();
            boolean inside = from.equals(to)           // no hours= given: all day
                    || (from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to)
                                          : !t.isBefore(from) || t.isBefore(to));
            return inside ? null : "Access denied: logins are allowed from " + from + " to " + to + ".";
        }

        private boolean inGroups(String user) throws IOException {
            if (groups.isEmpty()) {
                return false;
            }
            for (String line : Files.readAllLines(groupFile)) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && groups.contains(f[0]) && List.of(f[3].split(",")).contains(user)) {
                    return true;
                }
            }
            return false;
        }

        static Policy parse(List<String> args) {
            Set<String> users = new HashSet<>();
            Set<String> groups = new HashSet<>();
            LocalTime from = LocalTime.MIDNIGHT;
            LocalTime to = LocalTime.MIDNIGHT;
            Set<DayOfWeek> days = Set.of(DayOfWeek.values());
            Path groupFile = Path.of("/etc/group");
            for (String arg : args.subList(1, args.size())) {
                String[] kv = arg.split("=", 2);
                String value = kv.length == 2 ? kv[1] : "";
                switch (kv[0]) {
                    case "users" -> users.addAll(List.of(value.split(",")));
                    case "groups" -> groups.addAll(List.of(value.split(",")));
                    case "hours" -> {
                        String[] range = value.split("-");
                        from = LocalTime.parse(range[0]);
                        to = LocalTime.parse(range[1]);
                    }
                    case "days" -> days = days(value);
                    case "group_file" -> groupFile = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            return new Policy(users, groups, from, to, days, groupFile);
        }

        private static Set<DayOfWeek> days(String spec) {
            Set<DayOfWeek> days = new HashSet<>();
            for (String part : spec.split(",")) {
                String[] range = part.split("-");
                DayOfWeek first = day(range[0]);
                DayOfWeek last = range.length > 1 ? day(range[1]) : first;
                for (DayOfWeek d = first; ; d = d.plus(1)) {
                    days.add(d);
                    if (d == last) {
                        break;
                    }
                }
            }
            return days;
        }

        private static DayOfWeek day(String name) {
            for (DayOfWeek d : DayOfWeek.values()) {
                if (d.name().startsWith(name.toUpperCase(java.util.Locale.ROOT)) && name.length() >= 3) {
                    return d;
                }
            }
            throw new IllegalArgumentException("not a day: " + name);
        }
    }
}

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * Members of one Unix group, during office hours, with a one-time PIN: an authentication module
 * (pam_sm_authenticate) written with pam_java's module API.
 *
 * <pre>
 * # the PIN instead of a password: it is the service's authentication token
 * auth required pam_java.so /usr/share/doc/pam-java/examples/officehours/OfficeHoursModule.java \
 *         group=staff hours=08:00-18:00 days=MON-FRI pins=/var/lib/pam-java/office-pins
 *
 * # the PIN after the password: a second factor, asked with a question of its own
 * auth required pam_unix.so
 * auth required pam_java.so /usr/share/doc/pam-java/examples/officehours/OfficeHoursModule.java \
 *         group=staff pins=/var/lib/pam-java/office-pins second_factor
 * </pre>
 *
 * <p>What it shows: the group is looked up through NSS ({@link PamHandle#nss()}), so members that
 * LDAP or sssd know are found as local ones are; the PIN is got the way pam_unix gets a password
 * ({@link PamHandle#getAuthtokChars(String)}: {@code use_first_pass} and {@code try_first_pass}
 * work, and the PIN becomes {@code PAM_AUTHTOK}), or, with {@code second_factor}, asked with
 * {@link PamHandle#prompt(int, String)} (echo off), since behind pam_unix {@code PAM_AUTHTOK} is
 * already the password and getAuthtok would hand that back; decisions go to syslog through
 * {@code System.Logger}, at LOG_WARNING for a refusal and LOG_DEBUG for the detail (written only
 * with the rule's {@code debug} argument).
 *
 * <p>Arguments: {@code group=} (required), {@code hours=HH:MM-HH:MM} (default all day; a window
 * across midnight is allowed), {@code days=MON-FRI} or {@code days=SAT,SUN} (default every day),
 * {@code second_factor} (ask the PIN with a question of its own, for a rule after pam_unix),
 * {@code use_first_pass} / {@code try_first_pass} (pam_get_authtok's, without {@code second_factor}),
 * {@code debug}, {@code pins=} (required): a file of {@code user:SHA-256-of-the-PIN-in-hex} lines, root's alone
 * (mode 0600), for example {@code echo "alice:$(printf %s 482913 | sha256sum | cut -c1-64)"}. A
 * PIN is good once: a successful login removes its line, so the file's directory must be writable
 * where the module runs: pam_java's resident service sees {@code /etc} read-only (its sandbox) and
 * may write {@code /var/lib/pam-java}, its state directory. Failures are PAM_AUTH_ERR (the user is
 * not told which check failed, only that it is outside the hours); a mistake in the rule or an
 * unreadable PIN file is PAM_SERVICE_ERR / PAM_AUTHINFO_UNAVAIL, never a success.
 */
public class OfficeHoursModule implements PamModule {
    private final System.Logger log = System.getLogger("officehours");

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        Rule rule = Rule.parse(args);
        String user;
        try {
            user = pamh.getUser(null);
        } catch (PamException e) {
            return e.pamCode();
        }
        try {
            if (!pamh.nss().isMember(user, rule.group)) {
                log.log(System.Logger.Level.WARNING, "refused " + user + ": not a member of " + rule.group);
                return PamConstants.PAM_AUTH_ERR;
            }
        } catch (PamException e) { // the directory failed (LDAP down): not a "no"
            log.log(System.Logger.Level.ERROR, "cannot look up group " + rule.group + ": " + e.getMessage());
            return e.pamCode();
        }
        LocalDateTime now = LocalDateTime.now();
        if (!rule.allows(now)) {
            log.log(System.Logger.Level.WARNING, "refused " + user + ": outside office hours");
            if ((flags & PamConstants.PAM_SILENT) == 0) {
                pamh.error("Logins are allowed " + rule.window() + ".");
            }
            return PamConstants.PAM_AUTH_ERR;
        }
        char[] pin;
        try {
            pin = rule.secondFactor ? askPin(pamh) : pamh.getAuthtokChars("PIN: ");
            if (pin == null) {
                log.log(System.Logger.Level.DEBUG, "no PIN from " + user);
                return PamConstants.PAM_AUTH_ERR;
            }
        } catch (PamException e) {
            log.log(System.Logger.Level.DEBUG, "no PIN from " + user + ": " + e.getMessage());
            return e.pamCode();
        }
        try {
            if (!new PinFile(rule.pins).useOnce(user, pin)) {
                log.log(System.Logger.Level.WARNING, "refused " + user + ": wrong or used PIN");
                return PamConstants.PAM_AUTH_ERR;
            }
        } catch (IOException e) {
            log.log(System.Logger.Level.ERROR, "cannot use " + rule.pins + ": " + e.getMessage());
            return PamConstants.PAM_AUTHINFO_UNAVAIL;
        } finally {
            Arrays.fill(pin, '\0');
        }
        log.log(System.Logger.Level.DEBUG, "accepted " + user + " (member of " + rule.group + ", PIN used)");
        return PamConstants.PAM_SUCCESS;
    }

    /** A question of this module's own: the answer, or null when the application gave none. */
    private static char[] askPin(PamHandle pamh) {
        String answer = pamh.prompt(PamConstants.PAM_PROMPT_ECHO_OFF, "PIN: "); // wiped at pam_end
        return answer == null ? null : answer.toCharArray();
    }

    /** A PIN establishes no credentials. */
    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    /** The rule's arguments; anything else is a mistake in the configuration (a runtime exception: PAM_SERVICE_ERR). */
    record Rule(String group, LocalTime from, LocalTime to, Set<DayOfWeek> days, Path pins, boolean secondFactor) {
        static Rule parse(List<String> args) {
            String group = null;
            LocalTime from = LocalTime.MIDNIGHT;
            LocalTime to = LocalTime.MIDNIGHT;
            Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
            Path pins = null;
            boolean secondFactor = false;
            for (String arg : args.subList(1, args.size())) {
                int eq = arg.indexOf('=');
                String key = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? "" : arg.substring(eq + 1);
                switch (key) {
                    case "group" -> group = value;
                    case "hours" -> {
                        String[] range = value.split("-", 2);
                        if (range.length != 2) {
                            throw new IllegalArgumentException("hours= needs HH:MM-HH:MM, not " + value);
                        }
                        from = LocalTime.parse(range[0]);
                        to = LocalTime.parse(range[1]);
                    }
                    case "days" -> days = days(value);
                    case "pins" -> pins = Path.of(value);
                    case "second_factor" -> secondFactor = true;
                    // pam_get_authtok's arguments, and the logging convention: read by pam_java.
                    case "debug", "use_first_pass", "try_first_pass" -> { }
                    default -> throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            if (group == null || group.isEmpty() || pins == null) {
                throw new IllegalArgumentException("group= and pins= are required");
            }
            return new Rule(group, from, to, days, pins, secondFactor);
        }

        private static Set<DayOfWeek> days(String spec) {
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (String part : spec.split(",")) {
                String[] range = part.split("-", 2);
                DayOfWeek first = day(range[0]);
                DayOfWeek last = range.length == 2 ? day(range[1]) : first;
                for (DayOfWeek d = first; ; d = d.plus(1)) {
                    days.add(d);
                    if (d == last) {
                        break;
                    }
                }
            }
            return days;
        }

        private static DayOfWeek day(String abbreviation) {
            for (DayOfWeek d : DayOfWeek.values()) {
                if (d.name().startsWith(abbreviation.toUpperCase()) && abbreviation.length() == 3) {
                    return d;
                }
            }
            throw new IllegalArgumentException("not a day: " + abbreviation);
        }

        boolean allows(LocalDateTime now) {
            if (!days.contains(now.getDayOfWeek())) {
                return false;
            }
            LocalTime t = now.toLocalTime();
            return from.equals(to)      // no hours= given: all day
                    || (from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to));
        }

        String window() {
            return from.equals(to) ? "on " + days : "from " + from + " to " + to + " on " + days;
        }
    }

    /** The file of one-time PINs: one {@code user:sha256hex} line per PIN, root's alone. */
    record PinFile(Path path) {
        /** Whether {@code pin} is one of {@code user}'s PINs; if so its line is removed, atomically, under a lock. */
        boolean useOnce(String user, char[] pin) throws IOException {
            String digest = sha256Hex(pin);
            Path lock = path.resolveSibling(path.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                channel.lock();     // held until the channel closes: one login at a time uses the file
                if (!Files.getPosixFilePermissions(path).equals(PosixFilePermissions.fromString("rw-------"))) {
                    throw new IOException("mode must be 0600 (a PIN file others can read is refused)");
                }
                List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
                List<String> kept = new ArrayList<>(lines.size());
                boolean found = false;
                for (String line : lines) {
                    boolean match = !found && line.length() == user.length() + 65 && line.startsWith(user + ":")
                            && MessageDigest.isEqual(line.substring(user.length() + 1).getBytes(StandardCharsets.US_ASCII),
                                                     digest.getBytes(StandardCharsets.US_ASCII));
                    found |= match;
                    if (!match) {
                        kept.add(line);
                    }
                }
                if (found) {
                    Path next = path.resolveSibling(path.getFileName() + ".new");
                    Files.write(next, kept, StandardCharsets.UTF_8);
                    Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
                    try {
                        Files.move(next, path, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        throw new IOException("cannot replace " + path + " atomically", e);
                    }
                }
                return found;
            }
        }

        private static String sha256Hex(char[] pin) {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pin));
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(bytes);
                return HexFormat.of().formatHex(sha.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            } finally {
                bytes.clear();
                while (bytes.hasRemaining()) {
                    bytes.put((byte) 0);
                }
            }
        }
    }
}

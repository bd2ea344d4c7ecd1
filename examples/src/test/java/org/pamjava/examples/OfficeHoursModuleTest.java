package org.pamjava.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.PamConstants.PAM_AUTHINFO_UNAVAIL;
import static org.pamjava.PamConstants.PAM_AUTH_ERR;
import static org.pamjava.PamConstants.PAM_PROMPT_ECHO_OFF;
import static org.pamjava.PamConstants.PAM_SERVICE_ERR;
import static org.pamjava.PamConstants.PAM_SUCCESS;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.Message;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Syslog;
import org.pamjava.stack.SyslogRecord;
import org.pamjava.testing.FakeNss;
import org.pamjava.testing.OperationResult;
import org.pamjava.testing.TestStack;
import org.pamjava.testing.TestTransaction;

/**
 * The office-hours example, loaded from its .java file as pam_java.so would, on the test kit: the
 * group from a {@link FakeNss} directory, the hours relative to now, the PIN file in a temporary
 * directory, its refusals read back from {@link TestTransaction#logRecords()}.
 */
class OfficeHoursModuleTest {
    private static final Path MODULE = Path.of("officehours/OfficeHoursModule.java").toAbsolutePath();
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");
    /** alice is in staff as a supplementary member, carol by her primary group, bob in neither. */
    private static final FakeNss DIRECTORY = FakeNss.builder()
            .user("alice", 1000, 1000).user("bob", 1001, 1001).user("carol", 1002, 50)
            .group("alice", 1000).group("bob", 1001).group("staff", 50, "alice")
            .build();

    @TempDir
    Path dir;
    private Path pins;

    @BeforeEach
    void pinFile() throws Exception {
        pins = dir.resolve("office-pins");
        Files.writeString(pins, "alice:" + sha256("482913") + "\ncarol:" + sha256("111111") + "\nalice:" + sha256("777777") + "\n");
        Files.setPosixFilePermissions(pins, PosixFilePermissions.fromString("rw-------"));
    }

    private static String sha256(String pin) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pin.getBytes(StandardCharsets.UTF_8)));
    }

    /** An hours= window from {@code fromHours} to {@code toHours} after now (wrapping past midnight). */
    private static String hoursFromNow(int fromHours, int toHours) {
        LocalDateTime now = LocalDateTime.now();
        return "hours=" + now.plusHours(fromHours).format(HH_MM) + "-" + now.plusHours(toHours).format(HH_MM);
    }

    /** days= naming the day {@code offset} days from today (three letters, as the module takes them). */
    private static String dayFromToday(int offset) {
        return "days=" + LocalDateTime.now().plusDays(offset).getDayOfWeek().name().substring(0, 3);
    }

    /** The module's rule for group staff, with the test's PIN file and {@code args}. */
    private TestStack stack(String args) {
        return TestStack.service("login", "auth required pam_java.so " + MODULE + " group=staff pins=" + pins
                + " " + args + "\n").nss(DIRECTORY);
    }

    private static List<String> messages(TestTransaction pam, int level) {
        return pam.logRecords().stream().filter(r -> r.level() == level).map(SyslogRecord::message).toList();
    }

    @Test
    void aMemberInOfficeHoursWithARightPinLogsInAndThePinIsUsedUp() throws Exception {
        String args = hoursFromNow(-1, 2);
        try (TestTransaction pam = stack(args).start("alice")) {
            pam.conversation().answer("482913");
            OperationResult result = pam.authenticate();
            assertEquals(PAM_SUCCESS, result.pamCode(), result.describe());
            assertEquals(PAM_PROMPT_ECHO_OFF, pam.conversation().prompts().getFirst().msgStyle());
            assertEquals("PIN: ", pam.conversation().prompts().getFirst().msg());
        }
        assertEquals(List.of("carol:" + sha256("111111"), "alice:" + sha256("777777")), Files.readAllLines(pins),
                "the used PIN's line is gone, the others kept");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pins)));
        try (TestTransaction pam = stack(args).start("alice")) {
            pam.conversation().answer("482913");
            assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode(), "a PIN is good once");
            assertEquals(List.of("refused alice: wrong or used PIN"), messages(pam, Syslog.LOG_WARNING));
        }
    }

    @Test
    void aMemberByPrimaryGroupIsAMember() {
        try (TestTransaction pam = stack("").start("carol")) {
            pam.conversation().answer("111111");
            OperationResult result = pam.authenticate();
            assertEquals(PAM_SUCCESS, result.pamCode(), result.describe());
        }
    }

    /** A pam_unix-like rule: asks for the password with getAuthtok, leaving it as PAM_AUTHTOK. */
    private static PamModule passwordModule() {
        return new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                return pamh.getAuthtok(null).equals("alice's password") ? PAM_SUCCESS : PAM_AUTH_ERR;
            }
        };
    }

    private TestStack behindAPasswordModule(String args) {
        return TestStack.service("login", "auth required password.java\nauth required pam_java.so " + MODULE
                        + " group=staff pins=" + pins + " " + args + "\n")
                .nss(DIRECTORY).module("password.java", OfficeHoursModuleTest::passwordModule);
    }

    @Test
    void behindAPasswordModuleSecondFactorAsksThePinWithAQuestionOfItsOwn() {
        try (TestTransaction pam = behindAPasswordModule("second_factor").start("alice")) {
            pam.conversation().answers("alice's password", "482913");
            OperationResult result = pam.authenticate();
            assertEquals(PAM_SUCCESS, result.pamCode(), result.describe());
            assertEquals(List.of("Password: ", "PIN: "), pam.conversation().prompts().stream().map(Message::msg).toList());
        }
    }

    @Test
    void withoutSecondFactorThePinIsTheTokenAsPamGetAuthtokGivesIt() {
        // try_first_pass, libpam's default: the token an earlier rule set is the PIN, nothing asked.
        try (TestTransaction pam = behindAPasswordModule("").start("alice")) {
            pam.conversation().answers("alice's password");
            assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode());
            assertEquals(List.of("Password: "), pam.conversation().prompts().stream().map(Message::msg).toList());
            assertEquals(List.of("refused alice: wrong or used PIN"), messages(pam, Syslog.LOG_WARNING));
        }
        // and a rule after it gets the PIN as PAM_AUTHTOK, as after pam_unix's password
        TestStack stack = TestStack.service("login", "auth required pam_java.so " + MODULE + " group=staff pins=" + pins
                        + "\nauth required pin-reader.java\n")
                .nss(DIRECTORY).module("pin-reader.java", () -> new PamModule() {
                    @Override
                    public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        return pamh.getAuthtok(null).equals("482913") ? PAM_SUCCESS : PAM_AUTH_ERR;
                    }
                });
        try (TestTransaction pam = stack.start("alice")) {
            pam.conversation().answers("482913");
            OperationResult result = pam.authenticate();
            assertEquals(PAM_SUCCESS, result.pamCode(), result.describe());
            assertEquals(1, pam.conversation().prompts().size());
        }
    }

    @Test
    void aNonMemberIsRefusedWithoutBeingAskedAndTheRefusalIsLogged() {
        try (TestTransaction pam = stack("").start("bob")) {
            assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode());
            assertEquals(List.of(), pam.conversation().prompts());
            assertEquals(List.of("refused bob: not a member of staff"), messages(pam, Syslog.LOG_WARNING));
        }
    }

    @Test
    void outsideTheHoursOrTheDaysAMemberIsRefusedAndToldWhen() {
        for (String args : List.of(hoursFromNow(2, 3), dayFromToday(1))) {
            try (TestTransaction pam = stack(args).start("alice")) {
                assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode(), args);
                assertEquals(List.of(), pam.conversation().prompts(), args);
                assertEquals(1, pam.conversation().errors().size(), args);
                assertTrue(pam.conversation().errors().getFirst().startsWith("Logins are allowed "), args);
                assertEquals(List.of("refused alice: outside office hours"), messages(pam, Syslog.LOG_WARNING), args);
            }
        }
    }

    @Test
    void aWrongPinIsRefusedAndLeavesTheFileAlone() throws Exception {
        List<String> before = Files.readAllLines(pins);
        try (TestTransaction pam = stack("").start("alice")) {
            pam.conversation().answer("111111"); // carol's PIN, not alice's
            assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode());
        }
        assertEquals(before, Files.readAllLines(pins));
    }

    @Test
    void theDetailIsLoggedOnlyWithTheDebugArgument() {
        try (TestTransaction pam = stack("").start("alice")) {
            pam.conversation().answer("482913");
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals(List.of(), messages(pam, Syslog.LOG_DEBUG));
        }
        try (TestTransaction pam = stack("debug").start("alice")) {
            pam.conversation().answer("777777");
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals(List.of("accepted alice (member of staff, PIN used)"), messages(pam, Syslog.LOG_DEBUG));
        }
    }

    @Test
    void aPinFileOthersCanReadIsRefusedAsUnavailable() throws Exception {
        Files.setPosixFilePermissions(pins, PosixFilePermissions.fromString("rw-r--r--"));
        try (TestTransaction pam = stack("").start("alice")) {
            pam.conversation().answer("482913");
            assertEquals(PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode());
            assertEquals(1, messages(pam, Syslog.LOG_ERR).size(), pam.logRecords().toString());
            assertTrue(messages(pam, Syslog.LOG_ERR).getFirst().contains("mode must be 0600"), pam.logRecords().toString());
        }
    }

    @Test
    void anUnavailableDirectoryIsNotANo() {
        TestStack down = TestStack.service("login", "auth required pam_java.so " + MODULE + " group=staff pins=" + pins + "\n")
                .nss(FakeNss.builder().unavailable("LDAP server down").build());
        try (TestTransaction pam = down.start("alice")) {
            assertEquals(PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode());
        }
    }

    @Test
    void mistakesInTheRuleFailClosed() {
        for (String rule : List.of("pins=" + dir.resolve("x"), "group=staff", "group=staff pins=/x hours=08:00",
                "group=staff pins=/x days=FUNDAY", "group=staff pins=/x colour=blue")) {
            TestStack stack = TestStack.service("login", "auth required pam_java.so " + MODULE + " " + rule + "\n").nss(DIRECTORY);
            try (TestTransaction pam = stack.start("alice")) {
                assertEquals(PAM_SERVICE_ERR, pam.authenticate().pamCode(), rule);
                assertEquals(List.of(), pam.conversation().prompts(), rule);
            }
        }
    }
}

package org.pamjava.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.PamConstants.PAM_PERM_DENIED;
import static org.pamjava.PamConstants.PAM_SERVICE_ERR;
import static org.pamjava.PamConstants.PAM_SILENT;
import static org.pamjava.PamConstants.PAM_SUCCESS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.testing.TestStack;
import org.pamjava.testing.TestTransaction;

/** The access-policy example, loaded from its .java file as pam_java.so would, on the test kit. */
class AccessPolicyModuleTest {
    private static final Path MODULE = Path.of("access/AccessPolicyModule.java").toAbsolutePath();

    @TempDir
    Path dir;

    private TestStack stack(String args) throws Exception {
        Path groups = dir.resolve("group");
        Files.writeString(groups, "wheel:x:10:carol,dave\nusers:x:100:erin\n");
        return TestStack.service("sshd", "auth required pam_permit.so\naccount required pam_java.so " + MODULE
                + " group_file=" + groups + " " + args + "\n");
    }

    private static int acct(TestStack stack, String user) {
        try (TestTransaction pam = stack.start(user)) {
            return pam.acctMgmt().pamCode();
        }
    }

    @Test
    void listedUsersAndGroupMembersPassOthersAreToldWhy() throws Exception {
        TestStack stack = stack("users=alice,bob groups=wheel");
        assertEquals(PAM_SUCCESS, acct(stack, "alice"));
        assertEquals(PAM_SUCCESS, acct(stack, "dave"));
        assertEquals(PAM_PERM_DENIED, acct(stack, "erin"));
        try (TestTransaction pam = stack.start("mallory")) {
            assertEquals(PAM_PERM_DENIED, pam.acctMgmt().pamCode());
            assertEquals(List.of("Access denied: mallory may not log in here."), pam.conversation().errors());
        }
        try (TestTransaction pam = stack.start("mallory")) {
            assertEquals(PAM_PERM_DENIED, pam.acctMgmt(PAM_SILENT).pamCode());
            assertTrue(pam.conversation().errors().isEmpty(), "PAM_SILENT: no message");
        }
    }

    @Test
    void hoursAndDaysAreEnforced() throws Exception {
        LocalDateTime now = LocalDateTime.now();
        DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
        String around = now.minusHours(1).format(hhmm) + "-" + now.plusHours(1).format(hhmm);
        String elsewhere = now.plusHours(2).format(hhmm) + "-" + now.plusHours(3).format(hhmm);
        String today = now.getDayOfWeek().name().substring(0, 3);
        String tomorrow = now.plusDays(1).getDayOfWeek().name().substring(0, 3);
        assertEquals(PAM_SUCCESS, acct(stack("hours=" + around + " days=" + today), "alice"));
        assertEquals(PAM_PERM_DENIED, acct(stack("hours=" + elsewhere), "alice"));
        assertEquals(PAM_PERM_DENIED, acct(stack("days=" + tomorrow), "alice"));
    }

    @Test
    void aMistakeInTheRuleFailsClosed() throws Exception {
        assertEquals(PAM_SERVICE_ERR, acct(stack("hours=late"), "alice"));
        assertEquals(PAM_SERVICE_ERR, acct(stack("colour=blue"), "alice"));
    }
}

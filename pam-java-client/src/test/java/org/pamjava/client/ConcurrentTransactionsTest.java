package org.pamjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.Message;
import org.pamjava.PamConstants;

/**
 * Many threads, each running its own transactions at once. pam_echo sends every transaction's own
 * user name through the conversation, so a message delivered to another transaction's callback,
 * or on another thread, is caught.
 */
class ConcurrentTransactionsTest implements PamConstants {
    static final int THREADS = 8;
    static final int TRANSACTIONS = 500;

    @TempDir
    Path tmp;

    @Test
    void eightThreadsRunFiveHundredTransactionsEach() throws IOException, InterruptedException {
        PamConfDir pamd = new PamConfDir(Files.createDirectory(tmp.resolve("pam.d")));
        pamd.service("busy", "auth optional pam_echo.so user %u", "auth required pam_permit.so",
                "account required pam_debug.so acct=perm_denied", "session required pam_permit.so");
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < TRANSACTIONS; i++) {
                    String user = "user-" + thread + "-" + i;
                    Thread caller = Thread.currentThread();
                    List<Message> shown = new ArrayList<>();
                    try (PamTransaction pam = pamd.start("busy", user, message -> {
                        if (Thread.currentThread() != caller) {
                            problems.add(user + ": conversation on another thread");
                        }
                        shown.add(message);
                        return null;
                    })) {
                        expect(problems, user, "auth", PAM_SUCCESS, pam.authenticate(0));
                        expect(problems, user, "acct", PAM_PERM_DENIED, pam.acctMgmt(0));
                        expect(problems, user, "open", PAM_SUCCESS, pam.openSession(0));
                        if (!user.equals(pam.getItem(PamItem.USER))) {
                            problems.add(user + ": PAM_USER is " + pam.getItem(PamItem.USER));
                        }
                    } catch (Throwable e) {
                        problems.add(user + ": " + e);
                    }
                    List<Message> expected = List.of(new Message(PAM_TEXT_INFO, "user " + user),
                            new Message(PAM_TEXT_INFO, "acct=perm_denied"));
                    if (!shown.equals(expected)) {
                        problems.add(user + ": messages " + shown);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), List.copyOf(problems).subList(0, Math.min(10, problems.size())));
    }

    private static void expect(ConcurrentLinkedQueue<String> problems, String user, String op, int expected, int actual) {
        if (expected != actual) {
            problems.add(user + ": " + op + " returned " + actual + ", not " + expected);
        }
    }
}

package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.client.Pam;
import org.pamjava.client.PamItem;
import org.pamjava.client.PamTransaction;

/**
 * pam-java-client driving the staged pam_java.so with a Java module, in this test's own JVM: the
 * JVM-host path of the native module (pam_java reuses the application's JVM). The module returns
 * the conversation's error codes unchanged, so what a failing callback gives is seen end to end.
 */
class ClientWithPamJavaTest implements PamConstants {
    @TempDir
    static Path tmp;
    static Path confdir;

    @BeforeAll
    static void services() throws IOException {
        confdir = tmp.resolve("pam.d");
        Dist.service(confdir, "javaapp",
                "auth    required $PAM_JAVA $MODULES/PasswordModule.java password=s3cret",
                "account required $PAM_JAVA $MODULES/PasswordModule.java");
    }

    static PamTransaction start(String user, Conversation conversation) {
        return PamTransaction.start("javaapp", user, conversation, confdir);
    }

    @Test
    void theModuleConversesWithTheApplicationAndSharesItemsAndEnvironment() {
        List<Message> prompts = new ArrayList<>();
        Thread caller = Thread.currentThread();
        List<Thread> conversationThreads = new ArrayList<>();
        try (PamTransaction pam = start("alice", message -> {
            prompts.add(message);
            conversationThreads.add(Thread.currentThread());
            return "s3cret".toCharArray();
        })) {
            pam.setItem(PamItem.TTY, "pts/4");
            assertEquals(PAM_SUCCESS, pam.authenticate(0));
            assertEquals(PAM_SUCCESS, pam.acctMgmt(0));
            assertEquals("false", pam.getenv("JVM_INITIALIZED"), "pam_java reuses the application's JVM");
            assertEquals("pts/4", pam.getenv("TTY_SEEN"));
            assertEquals("192.0.2.7", pam.getItem(PamItem.RHOST));
        }
        assertEquals(List.of(new Message(PAM_PROMPT_ECHO_OFF, "Password for alice: ")), prompts);
        assertEquals(List.of(caller), conversationThreads, "libpam's conversation runs on the application's thread");
    }

    @Test
    void aWrongPasswordIsAResultNotAnException() {
        try (PamTransaction pam = start("alice", message -> "guess".toCharArray())) {
            assertEquals(PAM_AUTH_ERR, pam.authenticate(0));
        }
    }

    @Test
    void aCallbackThatThrowsReachesTheModuleAsConvErrAndTheProcessGoesOn() {
        try (PamTransaction pam = start("alice", message -> {
            throw new IllegalStateException("the application's UI is gone");
        })) {
            assertEquals(PAM_CONV_ERR, pam.authenticate(0));
            assertEquals(Integer.toString(PAM_CONV_ERR), pam.getenv("CONVERSATION_FAILED"));
        }
        try (PamTransaction pam = start("alice", message -> {
            throw new PamException(PAM_CONV_AGAIN, "ask me later");
        })) {
            assertEquals(PAM_CONV_AGAIN, pam.authenticate(0));
        }
        try (PamTransaction pam = start("alice", message -> "s3cret".toCharArray())) {
            assertEquals(PAM_SUCCESS, pam.authenticate(0));
        }
    }

    @Test
    void loginChecksTheAccountTooSoARightPasswordForAnExpiredAccountFails() {
        assertEquals(PAM_SUCCESS, Pam.login("javaapp", "alice", "s3cret".toCharArray(), confdir));
        assertEquals(PAM_AUTH_ERR, Pam.login("javaapp", "alice", "wrong".toCharArray(), confdir));
        assertEquals(PAM_ACCT_EXPIRED, Pam.login("javaapp", "expired", "s3cret".toCharArray(), confdir));
    }

    @Test
    void eightThreadsRunFiveHundredTransactionsEachThroughPamJava() throws InterruptedException {
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    String user = "user-" + thread + "-" + i;
                    boolean right = i % 3 != 0;
                    List<String> prompts = new ArrayList<>();
                    try (PamTransaction pam = start(user, message -> {
                        prompts.add(message.msg());
                        return (right ? "s3cret" : "nope").toCharArray();
                    })) {
                        int rc = pam.authenticate(0);
                        if (rc != (right ? PAM_SUCCESS : PAM_AUTH_ERR)) {
                            problems.add(user + ": auth " + rc);
                        }
                        if (!prompts.equals(List.of("Password for " + user + ": "))) {
                            problems.add(user + ": prompts " + prompts);
                        }
                    } catch (Throwable e) {
                        problems.add(user + ": " + e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), problems.stream().limit(10).toList());
    }
}

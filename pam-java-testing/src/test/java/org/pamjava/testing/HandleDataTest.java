package org.pamjava.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * The test kit's Java data of a handle (PamHandle.getData/setData) has pam_java's rules: shared by
 * the modules of a transaction, replaced values cleaned with PAM_DATA_REPLACE, every cleanup at
 * pam_end with its status, a failing cleanup not stopping the others, a wrong type a
 * ClassCastException.
 */
class HandleDataTest implements PamConstants {
    /** What the cleanups saw, as "value status". */
    private final List<String> cleaned = new ArrayList<>();

    /** Stores "ticket" at authenticate, and what it is told to in the rule's arguments. */
    final class Writer implements PamModule {
        @Override
        public int authenticate(PamHandle pamh, int flags, List<String> args) {
            pamh.setData("ticket", "T-" + pamh.getUser(), (value, status) -> cleaned.add(value + " " + status));
            return PAM_SUCCESS;
        }
    }

    /** Grants the account only when the ticket a Writer stored is there. */
    static final class Reader implements PamModule {
        @Override
        public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
            return ("T-" + pamh.getUser()).equals(pamh.getData("ticket", String.class)) ? PAM_SUCCESS : PAM_PERM_DENIED;
        }
    }

    private TestStack stack() {
        return TestStack.service("login", """
                auth    required pam_java.so Writer.java
                account required pam_java.so Reader.java
                """).module("Writer.java", Writer::new).module("Reader.java", Reader::new);
    }

    @Test
    void oneModuleStoresAnotherReadsAndTheCleanupGetsPamEndsStatus() {
        try (TestTransaction pam = stack().start("alice")) {
            assertEquals(PAM_PERM_DENIED, pam.acctMgmt().pamCode(), "nothing stored yet");
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals(PAM_SUCCESS, pam.acctMgmt().pamCode());
            assertEquals(List.of(), cleaned, "nothing is cleaned before pam_end");
            pam.end(PAM_AUTH_ERR | PAM_DATA_SILENT);
        }
        assertEquals(List.of("T-alice " + (PAM_AUTH_ERR | PAM_DATA_SILENT)), cleaned);
    }

    @Test
    void closeEndsWithSuccess() {
        try (TestTransaction pam = stack().start("bob")) {
            pam.authenticate();
        }
        assertEquals(List.of("T-bob " + PAM_SUCCESS), cleaned);
    }

    @Test
    void eachTransactionHasItsOwnData() {
        try (TestTransaction first = stack().start("alice"); TestTransaction second = stack().start("alice")) {
            first.authenticate();
            assertEquals(PAM_PERM_DENIED, second.acctMgmt().pamCode());
        }
    }

    @Test
    void replacingCleansTheOldValueWithDataReplaceAndRemovingToo() {
        try (TestTransaction pam = stack().start("carol")) {
            PamHandle h = pam.handle();
            h.setData("n", "one", (v, s) -> cleaned.add(v + " " + s));
            h.setData("n", "two", (v, s) -> cleaned.add(v + " " + s));
            assertEquals(List.of("one " + (PAM_DATA_REPLACE | PAM_SUCCESS)), cleaned);
            String same = h.getData("n", String.class);
            h.setData("n", same, (v, s) -> cleaned.add("again " + v + " " + s));
            assertEquals(1, cleaned.size(), "the very object stored again does not go away");
            h.setData("n", null);
            assertEquals("again two " + (PAM_DATA_REPLACE | PAM_SUCCESS), cleaned.get(1));
            assertNull(h.getData("n", String.class));
            pam.end(PAM_SUCCESS);
        }
        assertEquals(2, cleaned.size(), "a removed value is not cleaned again at pam_end");
    }

    @Test
    void aWrongTypeIsAClassCastExceptionAndNamesTheTypes() {
        try (TestTransaction pam = stack().start("dave")) {
            pam.handle().setData("count", 3);
            ClassCastException e = assertThrows(ClassCastException.class, () -> pam.handle().getData("count", String.class));
            assertTrue(e.getMessage().contains("java.lang.Integer") && e.getMessage().contains("java.lang.String"),
                    e.getMessage());
            assertEquals(3, pam.handle().getData("count", Number.class));
            assertNull(pam.handle().getData("other", Map.class));
        }
    }

    @Test
    void aCleanupThatThrowsDoesNotStopTheOthers() {
        try (TestTransaction pam = stack().start("erin")) {
            pam.handle().setData("a", "a", (v, s) -> cleaned.add(v));
            pam.handle().setData("b", "b", (v, s) -> {
                throw new IllegalStateException("broken cleanup");
            });
            pam.handle().setData("c", "c", (v, s) -> cleaned.add(v));
        }
        assertEquals(List.of("a", "c"), cleaned);
    }

    @Test
    void theHandleEndedTakesNoMoreData() {
        TestTransaction pam = stack().start("frank");
        PamHandle h = pam.handle();
        h.setData("late", "v", (v, s) -> {
            cleaned.add(v);
            h.setData("later", "x"); // refused: a cleanup cannot store what no cleanup would release
        });
        pam.end(PAM_SUCCESS);
        assertEquals(List.of("v"), cleaned);
        assertNull(h.getData("late", Object.class), "pam_end released it");
        assertNull(h.getData("later", Object.class));
        assertThrows(IllegalStateException.class, () -> h.setData("after", "x"));
    }

    @Test
    void namesAreRequired() {
        try (TestTransaction pam = stack().start("gina")) {
            assertThrows(NullPointerException.class, () -> pam.handle().setData(null, "x"));
            assertThrows(NullPointerException.class, () -> pam.handle().getData(null, String.class));
        }
    }
}

package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;

/**
 * The service's statistics: what counts as a failure and as an error, the bound on the modules
 * named (the rest counted together, whatever the race), and counts that add up under concurrency.
 * (ResidentStatusRequestTest reads them over the wire.)
 */
class ServiceStatisticsTest {
    @Test
    void aFailureIsAnyResultButSuccessAndAnErrorIsOneThatIsNoAnswer() {
        ServiceStatistics stats = new ServiceStatistics(() -> 0);
        ServiceStatistics.Module m = stats.module("/etc/security/M.java");
        stats.record(m, PamConstants.PAM_SUCCESS, false, 1000);
        stats.record(m, PamConstants.PAM_AUTH_ERR, false, 1000); // a wrong password: a failure, no error
        stats.record(m, PamConstants.PAM_IGNORE, false, 1000);
        stats.record(m, PamConstants.PAM_SERVICE_ERR, false, 1000); // a module's exception
        stats.record(m, PamConstants.PAM_SUCCESS, true, 1000); // the application gave up before the result
        assertEquals(5, CallTimes.total(m.times.counts()));
        assertEquals(4, m.failures.sum());
        assertEquals(2, m.errors.sum());
        for (int rc : new int[] {PamConstants.PAM_OPEN_ERR, PamConstants.PAM_SYMBOL_ERR, PamConstants.PAM_SERVICE_ERR,
                PamConstants.PAM_SYSTEM_ERR, PamConstants.PAM_BUF_ERR, PamConstants.PAM_ABORT}) {
            assertTrue(ServiceStatistics.isError(rc), "code " + rc);
        }
        for (int rc : new int[] {PamConstants.PAM_SUCCESS, PamConstants.PAM_AUTH_ERR, PamConstants.PAM_USER_UNKNOWN,
                PamConstants.PAM_IGNORE, PamConstants.PAM_AUTHINFO_UNAVAIL, PamConstants.PAM_NEW_AUTHTOK_REQD,
                PamConstants.PAM_PERM_DENIED, PamConstants.PAM_MAXTRIES}) {
            assertFalse(ServiceStatistics.isError(rc), "code " + rc);
        }
    }

    @Test
    void aModuleIsCountedUnderItsNameUpToTheBoundAndTheRestTogether() {
        ServiceStatistics stats = new ServiceStatistics(() -> 0);
        List<ServiceStatistics.Module> named = new ArrayList<>();
        for (int i = 0; i < ServiceStatistics.MAX_MODULES; i++) {
            named.add(stats.module("/m/" + i + ".java"));
        }
        assertSame(named.get(3), stats.module("/m/3.java"), "the same module, the same figures");
        ServiceStatistics.Module beyond = stats.module("/m/one-too-many.java");
        assertNull(beyond.name);
        assertSame(beyond, stats.module("/m/and-another.java"));
        assertNotSame(beyond, stats.module("/m/0.java"), "a module counted before stays by name");
        ServiceStatistics fresh = new ServiceStatistics(() -> 0);
        assertNull(fresh.module("/" + "x".repeat(ServiceStatistics.MAX_NAME_BYTES)).name, "a name too long");
        assertTrue(fresh.module("/" + "x".repeat(ServiceStatistics.MAX_NAME_BYTES - 1)).name != null);
    }

    @Test
    void threadsNamingNewModulesAtOnceNeverPassTheBoundAndLoseNoCall() throws Exception {
        ServiceStatistics stats = new ServiceStatistics(() -> 0);
        int threads = 8;
        int modulesEach = 40; // 320 modules in all, 64 by name
        int callsEach = 50;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            running.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int call = 0; call < callsEach; call++) {
                    for (int m = 0; m < modulesEach; m++) {
                        // Every thread also calls module 0 to 7 of the others: shared names race too.
                        String name = m < 8 ? "/shared/" + m : "/t" + thread + "/" + m;
                        stats.record(stats.module(name), call % 5 == 0 ? PamConstants.PAM_AUTH_ERR
                                : PamConstants.PAM_SUCCESS, false, 1000 + call);
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : running) {
            t.join();
        }
        Set<ServiceStatistics.Module> all = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            for (int m = 0; m < modulesEach; m++) {
                all.add(stats.module(m < 8 ? "/shared/" + m : "/t" + t + "/" + m));
            }
        }
        long named = all.stream().filter(m -> m.name != null).count();
        assertEquals(ServiceStatistics.MAX_MODULES, named, "modules by name");
        long calls = 0;
        long failures = 0;
        for (ServiceStatistics.Module m : all) {
            calls += CallTimes.total(m.times.counts());
            failures += m.failures.sum();
        }
        assertEquals((long) threads * modulesEach * callsEach, calls);
        assertEquals((long) threads * modulesEach * (callsEach / 5), failures);
    }
}

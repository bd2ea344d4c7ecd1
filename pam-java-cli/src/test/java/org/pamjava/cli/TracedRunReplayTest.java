package org.pamjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;
import org.pamjava.PamOperation;
import org.pamjava.stack.Control;
import org.pamjava.stack.ModuleType;
import org.pamjava.stack.PamRule;

/**
 * run --trace's replay of libpam's recorded calls through the engine: which engine trace row each
 * recorded call (so each conversation message sent during it) belongs to, also after a disagreement.
 */
class TracedRunReplayTest {
    private static PamRule rule(int line, ModuleType type) {
        return new PamRule("svc", line, type, PamRule.Kind.MODULE, 0, Control.REQUIRED, "pam_permit.so", List.of());
    }

    private static TracedRun.Call recorded(int line, PamOperation op) {
        return new TracedRun.Call(new TracedRun.RuleRef("svc", line), op, 0, PamConstants.PAM_SUCCESS);
    }

    @Test
    void aRecordedCallTheEngineDidNotRunHasNoRowAndTheLaterRecordsKeepTheirs() {
        List<String> disagreements = new ArrayList<>();
        TracedRun.Replay replay = new TracedRun.Replay(disagreements);
        int[] traceSize = {0};
        replay.traceSize = () -> traceSize[0];

        // libpam called rules 1 and 2 for auth; the engine stopped after rule 1 (row 0)
        replay.expect(List.of(recorded(1, PamOperation.AUTHENTICATE), recorded(2, PamOperation.AUTHENTICATE)));
        replay.result(rule(1, ModuleType.AUTH), PamOperation.AUTHENTICATE, 0);
        traceSize[0] = 4;
        replay.finish(PamOperation.AUTHENTICATE);
        // acct: rule 3, the engine's row 4
        replay.expect(List.of(recorded(3, PamOperation.ACCT_MGMT)));
        replay.result(rule(3, ModuleType.ACCOUNT), PamOperation.ACCT_MGMT, 0);
        replay.finish(PamOperation.ACCT_MGMT);

        assertEquals(1, disagreements.size(), disagreements.toString());
        assertEquals(0, replay.traceIndexOf(0), "auth's rule 1");
        assertEquals(Integer.MAX_VALUE, replay.traceIndexOf(1), "auth's rule 2, which the engine did not run");
        assertEquals(4, replay.traceIndexOf(2), "acct's rule 3");
    }
}

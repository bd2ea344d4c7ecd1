import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/** The benchmark's trivial module: every operation succeeds at once (pam_permit in Java). */
public class TrivialModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }
}

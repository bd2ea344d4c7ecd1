import java.util.List;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Response;

/**
 * The benchmark's conversing module, the same steps as conversing.py: asks for a password and
 * checks it with the user, checks the user in account management, and sets then removes a PAM
 * environment variable in the session.
 */
public class ConversingModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        String user = pamh.getUser(null);
        Response answer = pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_OFF, "Password: "));
        return "bench".equals(user) && "bench-secret".equals(answer.resp())
                ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return "bench".equals(pamh.getUser()) ? PamConstants.PAM_SUCCESS : PamConstants.PAM_USER_UNKNOWN;
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        pamh.environment().put("BENCH_SESSION", "open");
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        return "open".equals(pamh.environment().remove("BENCH_SESSION")) ? PamConstants.PAM_SUCCESS
                : PamConstants.PAM_SESSION_ERR;
    }
}

import java.util.List;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Response;

/**
 * A test module for applications: asks for a password and compares it with its password=
 * argument, returning the conversation's own error code when the conversation fails; records in
 * the PAM environment what it saw; acct_mgmt refuses the user "expired".
 */
public class PasswordModule implements PamModule {

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        String expected = args.stream().filter(a -> a.startsWith("password=")).map(a -> a.substring(9)).findFirst().orElse("");
        Response reply;
        try {
            reply = pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_OFF, "Password for " + pamh.getUser() + ": "));
        } catch (PamException e) {
            pamh.environment().put("CONVERSATION_FAILED", Integer.toString(e.pamCode()));
            return e.pamCode();
        }
        pamh.environment().put("JVM_INITIALIZED", Boolean.toString(pamh.jvmInitialized()));
        pamh.environment().put("TTY_SEEN", String.valueOf(pamh.getTty()));
        pamh.setRhost("192.0.2.7"); // an address: libpam resolves a host name for its audit record
        return expected.equals(reply.resp()) ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return "expired".equals(pamh.getUser()) ? PamConstants.PAM_ACCT_EXPIRED : PamConstants.PAM_SUCCESS;
    }
}

import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/** Lets in the members of its group= argument, looked up through PamHandle.nss(). */
public class GroupMemberModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        String group = args.get(1).substring("group=".length());
        return pamh.nss().isMember(pamh.getUser(null), group) ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;
    }
}

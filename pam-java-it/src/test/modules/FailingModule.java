import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/** Fails in the way its "how=" argument says: throw, oom, code42. */
public class FailingModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        String how = args.size() > 1 ? args.get(1) : "";
        switch (how) {
            case "how=throw" -> throw new IllegalStateException("the module failed on purpose");
            case "how=oom" -> {
                long[] tooBig = new long[Integer.MAX_VALUE - 2];
                return tooBig.length > 0 ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;
            }
            case "how=code42" -> {
                return 42;
            }
            default -> {
                return PamConstants.PAM_SUCCESS;
            }
        }
    }
}

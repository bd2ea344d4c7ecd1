import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.pamjava.ModuleState;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.SharedState;

/**
 * The benchmark's HTTP module, with its client as shared state: authenticate asks the run's local
 * server (url=) whether the user may log in, over the one pooled HttpClient of this version of the
 * module (kept connections, one selector thread); the other operations succeed at once.
 * HttpPerHandleModule is the same with a new client per handle.
 */
@SharedState(HttpSharedModule.Pool.class)
public class HttpSharedModule implements PamModule {
    /** The pooled client, for every handle. */
    public static final class Pool implements ModuleState {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();

        @Override
        public void close() {
            http.close();
        }
    }

    private final Pool pool;

    public HttpSharedModule(Pool pool) {
        this.pool = pool;
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        String url = args.stream().filter(a -> a.startsWith("url=")).findFirst().orElseThrow().substring(4);
        try {
            HttpResponse<String> answer = pool.http.send(HttpRequest.newBuilder(URI.create(url + pamh.getUser(null)))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 && answer.body().equals("allow") ? PamConstants.PAM_SUCCESS
                    : PamConstants.PAM_AUTH_ERR;
        } catch (java.io.IOException e) {
            return PamConstants.PAM_AUTHINFO_UNAVAIL;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PamConstants.PAM_AUTHINFO_UNAVAIL;
        }
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

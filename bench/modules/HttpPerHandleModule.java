import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * HttpSharedModule without shared state: the same request, over a new HttpClient made for the
 * handle and closed with it (a new connection, a new selector thread, each time), which is what a
 * module has to do when nothing it holds outlives its handle.
 */
public class HttpPerHandleModule implements PamModule {
    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        String url = args.stream().filter(a -> a.startsWith("url=")).findFirst().orElseThrow().substring(4);
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url + pamh.getUser(null)))
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

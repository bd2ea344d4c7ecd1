import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.pamjava.Message;
import org.pamjava.ModuleState;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.SharedState;

/**
 * An account check (pam_sm_acct_mgmt) that asks an HTTP endpoint whether the user may log in,
 * over one pooled {@link HttpClient} kept across logins as the module's shared state.
 *
 * <pre>
 * account required pam_java.so /usr/share/doc/pam-java/examples/httpallow/HttpAllowModule.java \
 *         url=https://authz.example.org/pam/allow timeout_ms=2000
 * </pre>
 *
 * For each handle it sends {@code GET URL?user=USER&service=SERVICE} (both URL-encoded). A 200
 * whose body is {@code allow} gives PAM_SUCCESS; any other answer gives PAM_PERM_DENIED (the
 * user is told, unless PAM_SILENT); an endpoint that cannot be reached or does not answer within
 * {@code timeout_ms} (default 2000) gives PAM_AUTHINFO_UNAVAIL, so the rule fails closed, as
 * pam_sss does when sssd is down. A missing or malformed {@code url=} is PAM_SERVICE_ERR.
 *
 * <p>Why shared state: a client made per handle opens a new connection (a TLS handshake for
 * https) and starts a selector thread at every login; the shared one keeps its connections to the
 * endpoint between logins, in the application's process or, for root applications, in pam_java's
 * resident service, where every login on the machine uses it. {@link HttpClient} is thread-safe,
 * as shared state must be. It is closed when this file changes and the last login of the old
 * version has ended, or when the service stops.
 */
@SharedState(HttpAllowModule.Client.class)
public final class HttpAllowModule implements PamModule {

    /** The one client of this version of the module, for every handle. */
    public static final class Client implements ModuleState {
        final HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER) // an answer is the endpoint's own
                .build();

        /** Closes the client's connections and its selector thread. */
        @Override
        public void close() {
            http.close();
        }
    }

    private final Client client;

    /** The runtime gives every handle's instance the one client. */
    public HttpAllowModule(Client client) {
        this.client = client;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        String url = argument(args, "url=", null);
        long timeoutMillis;
        URI uri;
        String user = pamh.getUser();
        if (user == null) {
            return PamConstants.PAM_USER_UNKNOWN;
        }
        try {
            timeoutMillis = Long.parseLong(argument(args, "timeout_ms=", "2000"));
            String service = pamh.getService() == null ? "" : pamh.getService();
            uri = URI.create(url + (url.contains("?") ? "&" : "?") + "user=" + encode(user) + "&service=" + encode(service));
        } catch (RuntimeException e) { // no url=, a malformed one, a bad timeout_ms=
            System.err.println("HttpAllowModule: bad arguments " + args + ": " + e.getMessage());
            return PamConstants.PAM_SERVICE_ERR;
        }
        HttpResponse<String> answer;
        try {
            answer = client.http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(timeoutMillis)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            System.err.println("HttpAllowModule: " + uri.getHost() + " did not answer: " + e);
            return PamConstants.PAM_AUTHINFO_UNAVAIL;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PamConstants.PAM_AUTHINFO_UNAVAIL;
        }
        if (answer.statusCode() == 200 && answer.body().strip().equals("allow")) {
            return PamConstants.PAM_SUCCESS;
        }
        if ((flags & PamConstants.PAM_SILENT) == 0) {
            pamh.conversation(new Message(PamConstants.PAM_ERROR_MSG, "Access denied: " + user + " may not log in here."));
        }
        return PamConstants.PAM_PERM_DENIED;
    }

    private static String argument(List<String> args, String prefix, String otherwise) {
        for (String a : args) {
            if (a.startsWith(prefix)) {
                return a.substring(prefix.length());
            }
        }
        if (otherwise == null) {
            throw new IllegalArgumentException("no " + prefix + " argument");
        }
        return otherwise;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

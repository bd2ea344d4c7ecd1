package org.pamjava.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.pamjava.PamConstants.PAM_AUTHINFO_UNAVAIL;
import static org.pamjava.PamConstants.PAM_ERROR_MSG;
import static org.pamjava.PamConstants.PAM_PERM_DENIED;
import static org.pamjava.PamConstants.PAM_SERVICE_ERR;
import static org.pamjava.PamConstants.PAM_SUCCESS;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pamjava.Message;
import org.pamjava.testing.OperationResult;
import org.pamjava.testing.TestStack;
import org.pamjava.testing.TestTransaction;

/** The HTTP allow-list example on the test kit, against a local HTTP server; its client is shared state. */
class HttpAllowModuleTest {
    private static final Path MODULE = Path.of("httpallow/HttpAllowModule.java").toAbsolutePath();

    private HttpServer server;
    /** Each request the server got: its query, and the client's port (one kept connection keeps its port). */
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void endpoint() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/allow", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            queries.add(query);
            clientPorts.add(exchange.getRemoteAddress().getPort());
            byte[] body = (query.startsWith("user=alice&") ? "allow" : "deny").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(query.startsWith("user=alice&") ? 200 : 403, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "url=http://127.0.0.1:" + server.getAddress().getPort() + "/allow";
    }

    private static TestStack stack(String args) {
        return TestStack.service("sshd", "account required pam_java.so " + MODULE + " " + args + "\n");
    }

    private static OperationResult account(TestStack stack, String user) {
        try (TestTransaction pam = stack.start(user)) {
            return pam.acctMgmt();
        }
    }

    @Test
    void anAllowedUserPassesAndTheEndpointIsToldWhoAndWhere() {
        try (TestStack stack = stack(url())) {
            OperationResult result = account(stack, "alice");
            assertEquals(PAM_SUCCESS, result.pamCode(), result.describe());
        }
        assertEquals(List.of("user=alice&service=sshd"), queries);
    }

    @Test
    void aRefusedUserIsDeniedAndTold() {
        try (TestStack stack = stack(url())) {
            OperationResult result = account(stack, "mallory");
            assertEquals(PAM_PERM_DENIED, result.pamCode(), result.describe());
            assertEquals(List.of(new Message(PAM_ERROR_MSG, "Access denied: mallory may not log in here.")), result.messages());
        }
    }

    @Test
    void loginsShareOnePooledClientUntilTheStackCloses() {
        try (TestStack stack = stack(url())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(PAM_SUCCESS, account(stack, "alice").pamCode());
            }
        }
        assertEquals(3, clientPorts.size());
        assertEquals(1, clientPorts.stream().distinct().count(), "one kept connection for every login " + clientPorts);
        try (TestStack stack = stack(url())) {
            assertEquals(PAM_SUCCESS, account(stack, "alice").pamCode());
        }
        assertNotEquals(clientPorts.getFirst(), clientPorts.getLast(), "another stack (process), another client");
    }

    @Test
    void anEndpointThatIsDownFailsClosed() {
        int port = server.getAddress().getPort();
        server.stop(0);
        try (TestStack stack = stack("url=http://127.0.0.1:" + port + "/allow timeout_ms=500")) {
            assertEquals(PAM_AUTHINFO_UNAVAIL, account(stack, "alice").pamCode());
        }
    }

    @Test
    void aMissingUrlIsAServiceError() {
        try (TestStack stack = stack("timeout_ms=500")) {
            assertEquals(PAM_SERVICE_ERR, account(stack, "alice").pamCode());
        }
    }
}

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmark's local HTTP endpoint for the shared-state case (bench/run.sh): answers "allow"
 * to every GET, with keep-alive, on 127.0.0.1 and a port of the kernel's choosing, which it
 * writes to the file given as its argument once it listens. Runs until killed.
 */
public class HttpAllowServer {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        byte[] allow = "allow".getBytes(StandardCharsets.US_ASCII);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, allow.length);
            try (var body = exchange.getResponseBody()) {
                body.write(allow);
            }
        });
        server.start();
        Path port = Path.of(args[0]);
        Files.writeString(port.resolveSibling(port.getFileName() + ".new"), server.getAddress().getPort() + "\n");
        Files.move(port.resolveSibling(port.getFileName() + ".new"), port);
    }
}

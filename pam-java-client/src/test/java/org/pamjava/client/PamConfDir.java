package org.pamjava.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pamjava.Conversation;

/** A private pam.d directory for pam_start_confdir(3), so no test touches /etc/pam.d. */
final class PamConfDir {
    final Path dir;

    PamConfDir(Path dir) {
        this.dir = dir;
    }

    /** Writes the service file {@code name}, one rule per line. */
    PamConfDir service(String name, String... rules) throws IOException {
        Files.writeString(dir.resolve(name), String.join("\n", rules) + "\n");
        return this;
    }

    PamTransaction start(String service, String user, Conversation conversation) {
        return PamTransaction.start(service, user, conversation, dir);
    }
}

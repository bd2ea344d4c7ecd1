/** Java bindings for PAM applications: a transaction through the system's real libpam. */
module org.pamjava.client {
    requires transitive org.pamjava;

    exports org.pamjava.client;
}

/** The PAM stack engine: libpam's configuration grammar and control flow in Java. */
module org.pamjava.stack {
    requires transitive org.pamjava;

    exports org.pamjava.stack;
}

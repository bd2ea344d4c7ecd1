/** The pam-java command. Exports nothing. */
module org.pamjava.cli {
    requires org.pamjava.stack;
    requires org.pamjava.client;
    requires org.pamjava.runtime;
    requires org.pamjava.resident;
    requires java.compiler;
}

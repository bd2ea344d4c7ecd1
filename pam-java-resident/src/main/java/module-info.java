/** The resident service (pam-java-resident): runs Java modules for root applications over a Unix socket. Exports nothing. */
module org.pamjava.resident {
    requires org.pamjava.runtime;
    requires jdk.net; // SO_PEERCRED: who is calling
    requires jdk.management; // the service's own file-descriptor count
}

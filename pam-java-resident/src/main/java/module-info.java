/**
 * The resident service (pam-java-resident): runs Java modules for root applications over a Unix
 * socket. Exports only to the pam-java command, whose status subcommand asks the service
 * (ResidentStatus).
 */
module org.pamjava.resident {
    exports org.pamjava.resident to org.pamjava.cli;
    requires org.pamjava.runtime;
    requires jdk.net; // SO_PEERCRED: who is calling
    requires jdk.management; // the service's own file-descriptor count
}

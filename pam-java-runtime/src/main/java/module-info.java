/**
 * The module runtime both hosts share: loading module code (trust walk, class loaders, the
 * compiled-class cache, static state), dispatching operations, and the PamHandle over the
 * PamCalls port. Internal: exported only to pam_java's own modules (pam_java.so runs these jars on
 * the class path; this descriptor keeps the boundary at compile time).
 */
module org.pamjava.runtime {
    requires transitive org.pamjava;
    requires java.compiler;
    requires java.logging;

    exports org.pamjava.runtime to org.pamjava.host, org.pamjava.resident, org.pamjava.testing, org.pamjava.cli;
}

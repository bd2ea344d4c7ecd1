/** The test kit: runs a Java module on a stack in a JUnit test, with no libpam and no root. */
module org.pamjava.testing {
    requires transitive org.pamjava;
    requires transitive org.pamjava.stack;
    requires org.pamjava.runtime;
    requires java.logging;

    exports org.pamjava.testing;
}

/** The in-process host: the JNI entry pam_java.so calls inside the PAM application. Exports nothing. */
module org.pamjava.host {
    requires org.pamjava.runtime;
    requires java.compiler; // AotTraining compiles its training module at build time
    requires java.logging; // and logs a record, so a module's first one finds JUL in the AOT cache
}

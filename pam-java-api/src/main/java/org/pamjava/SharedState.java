package org.pamjava;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a module keeps state across PAM handles, in the {@link ModuleState} class named
 * here. The module class then needs a public constructor taking that class (instead of the
 * no-argument one), which the runtime calls for each handle with the one shared instance:
 *
 * <pre>{@code
 * @SharedState(Directory.Pool.class)
 * public final class Directory implements PamModule {
 *     public static final class Pool implements ModuleState {
 *         final HttpClient http = HttpClient.newHttpClient();   // thread-safe, kept
 *         @Override public void close() { http.close(); }
 *     }
 *     private final Pool pool;
 *     public Directory(Pool pool) { this.pool = pool; }
 *     ...
 * }
 * }</pre>
 *
 * <p>A module that declares shared state is defined in one class loader per version of its file,
 * whatever static state its classes have: its static fields are then shared by every handle too,
 * as the state is, and so are those of the jars it brings ({@code Class-Path}, the configured
 * {@code class_path}), which are defined in that loader as well. Without this annotation a module
 * keeps pam_python's isolation: nothing it holds outlives its handle.
 *
 * <p>The annotation is all it takes, for a {@code .java} file as for a jar (no manifest attribute).
 * The state class must be public (a nested one static), concrete, implement {@link ModuleState}
 * and have a public no-argument constructor; the module class needs a public constructor with one
 * parameter the state can be passed as. Anything else fails the module's load with
 * {@code PAM_SERVICE_ERR} and a syslog line saying what is missing.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SharedState {
    /** The state's class: public, with a public no-argument constructor. */
    Class<? extends ModuleState> value();
}

/**
 * The API a PAM module written in Java compiles against.
 *
 * <p>A module implements {@link org.pamjava.PamModule}; a PAM rule names {@code pam_java.so} and the
 * module (a {@code .java} file or a jar), for example:
 * <pre>{@code
 * auth required pam_java.so /etc/security/otp.jar digits=6
 * }</pre>
 * The module talks to libpam through {@link org.pamjava.PamHandle}.
 *
 * <p>Null policy: parameters are non-null unless documented otherwise. PAM items use {@code null}
 * for the C {@code NULL} in both directions (an unset item reads as {@code null}; setting
 * {@code null} clears it). A failing libpam call throws {@link org.pamjava.PamException}.
 */
package org.pamjava;

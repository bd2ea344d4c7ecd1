/**
 * The module API: what a PAM module written in Java implements ({@link org.pamjava.PamModule}) and
 * the handle it is given ({@link org.pamjava.PamHandle}).
 */
module org.pamjava {
    exports org.pamjava;
}

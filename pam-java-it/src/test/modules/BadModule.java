public class BadModule implements org.pamjava.PamModule {
    int broken( { return 0; }
}

package org.pamjava.cli;



/** The files {@code pam-java new} writes. */
final class ModuleSkeleton {
    private ModuleSkeleton() {}

    static String pom(String artifactId, String pamJavaVersion) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>local.pam</groupId>
                  <artifactId>ARTIFACT</artifactId>
                  <version>1.0-SNAPSHOT</version>
                  <description>A PAM module written in Java, run by pam_java.so.</description>

                  <properties>
                    <maven.compiler.release>25</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <pam-java.version>VERSION</pam-java.version>
                  </properties>

                  <dependencies>
                    <!-- pam_java.so provides the API at run time -->
                    <dependency>
                      <groupId>org.pamjava</groupId>
                      <artifactId>pam-java-api</artifactId>
                      <version>${pam-java.version}</version>
                      <scope>provided</scope>
                    </dependency>
                    <dependency>
                      <groupId>org.pamjava</groupId>
                      <artifactId>pam-java-testing</artifactId>
                      <version>${pam-java.version}</version>
                      <scope>test</scope>
                    </dependency>
                    <dependency>
                      <groupId>org.junit.jupiter</groupId>
                      <artifactId>junit-jupiter</artifactId>
                      <version>5.11.4</version>
                      <scope>test</scope>
                    </dependency>
                  </dependencies>

                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>3.3.1</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.14.0</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>3.5.2</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.replace("ARTIFACT", artifactId).replace("VERSION", pamJavaVersion);
    }

    static String module(String name) {
        return """
                import java.util.Arrays;
                import java.util.List;
                import org.pamjava.Message;
                import org.pamjava.PamConstants;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;

                /**
                 * A PAM module for pam_java.so: lets in the users named by its allow= argument.
                 *
                 * <pre>
                 * auth    required /path/to/pam_java.so /path/to/NAME.java allow=alice,bob
                 * account required /path/to/pam_java.so /path/to/NAME.java allow=alice,bob
                 * </pre>
                 *
                 * One instance serves one PAM transaction; args.get(0) is this file's path.
                 */
                public class NAME implements PamModule {

                    @Override
                    public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        String user = pamh.getUser(null); // asks for it if the application gave none
                        if (!allowed(user, args)) {
                            return PamConstants.PAM_AUTH_ERR;
                        }
                        if ((flags & PamConstants.PAM_SILENT) == 0) {
                            pamh.conversation(new Message(PamConstants.PAM_TEXT_INFO, "Welcome, " + user + "."));
                        }
                        return PamConstants.PAM_SUCCESS;
                    }

                    @Override
                    public int setcred(PamHandle pamh, int flags, List<String> args) {
                        return PamConstants.PAM_SUCCESS;
                    }

                    @Override
                    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
                        return allowed(pamh.getUser(), args) ? PamConstants.PAM_SUCCESS : PamConstants.PAM_PERM_DENIED;
                    }

                    private static boolean allowed(String user, List<String> args) {
                        return user != null && args.stream()
                                .filter(arg -> arg.startsWith("allow="))
                                .flatMap(arg -> Arrays.stream(arg.substring("allow=".length()).split(",")))
                                .anyMatch(user::equals);
                    }
                }
                """.replace("NAME", name);
    }

    static String test(String name) {
        return """
                import static org.junit.jupiter.api.Assertions.assertEquals;

                import java.util.List;
                import org.junit.jupiter.api.Test;
                import org.pamjava.PamConstants;
                import org.pamjava.testing.OperationResult;
                import org.pamjava.testing.TestStack;
                import org.pamjava.testing.TestTransaction;

                /** NAME in a PAM stack, on pam_java's test kit: the engine runs it as libpam and pam_java.so would. */
                class NAMETest {
                    static final TestStack LOGIN = TestStack.service("login", \"""
                            auth    required pam_java.so NAME.java allow=alice,bob
                            account required pam_java.so NAME.java allow=alice,bob
                            \""").module("NAME.java", NAME::new);

                    @Test
                    void anAllowedUserLogsInAndIsWelcomed() {
                        try (TestTransaction pam = LOGIN.start("alice")) {
                            OperationResult auth = pam.authenticate();
                            assertEquals(PamConstants.PAM_SUCCESS, auth.pamCode(), auth.describe());
                            assertEquals(List.of("Welcome, alice."), pam.conversation().infos());
                            assertEquals(PamConstants.PAM_SUCCESS, pam.acctMgmt().pamCode());
                        }
                    }

                    @Test
                    void anyoneElseIsRefused() {
                        try (TestTransaction pam = LOGIN.start("mallory")) {
                            assertEquals(PamConstants.PAM_AUTH_ERR, pam.authenticate().pamCode());
                            assertEquals(PamConstants.PAM_PERM_DENIED, pam.acctMgmt().pamCode());
                        }
                    }

                    @Test
                    void theUserIsAskedForWhenTheApplicationGaveNone() {
                        try (TestTransaction pam = LOGIN.start()) {
                            pam.conversation().answer("bob");
                            assertEquals(PamConstants.PAM_SUCCESS, pam.authenticate().pamCode());
                            assertEquals("bob", pam.handle().getUser());
                        }
                    }
                }
                """.replace("NAME", name);
    }
}

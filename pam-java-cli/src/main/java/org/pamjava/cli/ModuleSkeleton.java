package org.pamjava.cli;

/** The files {@code pam-java new} writes. */
final class ModuleSkeleton {
    private ModuleSkeleton() {}

    /**
     * The project's pom.xml. Its plugins and Commons Codec, at these versions, are also in
     * pam-java-app-it's pom.xml, so that the build puts them in the local repository for the tests
     * that build generated projects offline. It compiles and runs the tests on {@code jdk} (property
     * {@code pam-java.jdk}), whatever JDK Maven itself runs on, and finds pam_java's artifacts in
     * {@code repository}, the installed Maven repository; with {@code jar}, it also packages the
     * module as target/ARTIFACT.jar with its dependencies in target/lib/.
     */
    static String pom(String artifactId, String pamJavaVersion, String repository, String jdk, String moduleClass, boolean jar) {
        String dependencies = jar ? """

                    <!-- a third-party library: packaged in target/lib/, named by the jar's Class-Path -->
                    <dependency>
                      <groupId>commons-codec</groupId>
                      <artifactId>commons-codec</artifactId>
                      <version>1.17.1</version>
                    </dependency>""" : "";
        String archive = jar ? """

                        <!-- target/@ARTIFACT@.jar: the module pam_java.so loads (Pam-Module-Class), with
                             its dependencies in lib/ beside it (Class-Path: lib/...); install them together. -->
                        <configuration>
                          <archive>
                            <manifest>
                              <addClasspath>true</addClasspath>
                              <classpathPrefix>lib/</classpathPrefix>
                            </manifest>
                            <manifestEntries>
                              <Pam-Module-Class>@MODULE_CLASS@</Pam-Module-Class>
                            </manifestEntries>
                          </archive>
                        </configuration>""" : "";
        String packaging = jar ? """

                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-dependency-plugin</artifactId>
                        <version>3.8.1</version>
                        <executions>
                          <execution>
                            <id>module-lib</id>
                            <phase>package</phase>
                            <goals><goal>copy-dependencies</goal></goals>
                            <configuration>
                              <includeScope>runtime</includeScope>
                              <outputDirectory>${project.build.directory}/lib</outputDirectory>
                            </configuration>
                          </execution>
                        </executions>
                      </plugin>""" : "";
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>local.pam</groupId>
                  <artifactId>@ARTIFACT@</artifactId>
                  <version>1.0-SNAPSHOT</version>
                  <description>A PAM module written in Java, run by pam_java.so.</description>

                  <properties>
                    <maven.compiler.release>@MODULE_JDK@</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <pam-java.version>@VERSION@</pam-java.version>
                    <!-- The JDK that compiles the module and runs its tests: the one pam_java ran on when
                         'pam-java new' wrote this file, whatever JDK Maven itself runs on. Another:
                         mvn -Dpam-java.jdk=/path/to/jdk-@MODULE_JDK@ test -->
                    <pam-java.jdk>@JDK@</pam-java.jdk>
                  </properties>

                  <!-- pam_java's artifacts, from the repository pam_java installed (read offline as well:
                       .mvn/maven.config lets 'mvn -o' read file: repositories); a development
                       version is looked up there at every build, so a rebuilt one is seen at once. -->
                  <repositories>
                    <repository>
                      <id>pam-java-installed</id>
                      <url>@REPOSITORY@</url>
                      <releases><checksumPolicy>ignore</checksumPolicy></releases>
                      <snapshots><updatePolicy>always</updatePolicy><checksumPolicy>ignore</checksumPolicy></snapshots>
                    </repository>
                  </repositories>

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
                    </dependency>@DEPENDENCIES@
                  </dependencies>

                  <build>@FINAL_NAME@
                    <plugins>
                      <!-- A missing pam-java.jdk is said in one line, before anything else runs. -->
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-enforcer-plugin</artifactId>
                        <version>3.5.0</version>
                        <executions>
                          <execution>
                            <id>pam-java-jdk</id>
                            <goals><goal>enforce</goal></goals>
                            <configuration>
                              <rules>
                                <requireFilesExist>
                                  <files>
                                    <file>${pam-java.jdk}/bin/javac</file>
                                    <file>${pam-java.jdk}/bin/java</file>
                                  </files>
                                  <message>pam-java.jdk: no JDK at ${pam-java.jdk}. Name a JDK @MODULE_JDK@: mvn -Dpam-java.jdk=/path/to/jdk-@MODULE_JDK@ ..., or set pam-java.jdk in pom.xml.</message>
                                </requireFilesExist>
                              </rules>
                            </configuration>
                          </execution>
                        </executions>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>3.3.1</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.14.0</version>
                        <configuration>
                          <fork>true</fork>
                          <executable>${pam-java.jdk}/bin/javac</executable>
                        </configuration>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>3.5.2</version>
                        <configuration>
                          <jvm>${pam-java.jdk}/bin/java</jvm>
                        </configuration>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-jar-plugin</artifactId>
                        <version>3.4.2</version>@JAR_ARCHIVE@
                      </plugin>@PACKAGING@
                    </plugins>
                  </build>
                </project>
                """.replace("@DEPENDENCIES@", indented(dependencies, 4))
                .replace("@MODULE_JDK@", Integer.toString(NewCommand.MODULE_JDK))
                .replace("@FINAL_NAME@", jar ? "\n    <finalName>${project.artifactId}</finalName>" : "")
                .replace("@JAR_ARCHIVE@", indented(archive, 8))
                .replace("@PACKAGING@", indented(packaging, 6))
                .replace("@MODULE_CLASS@", moduleClass)
                .replace("@ARTIFACT@", artifactId).replace("@VERSION@", pamJavaVersion)
                .replace("@REPOSITORY@", xml(repository)).replace("@JDK@", xml(jdk));
    }

    /**
     * .mvn/maven.config: 'mvn -o' reads no repository but the local one unless told which protocols
     * are local; file: is (pam_java's installed repository).
     */
    static String mavenConfig() {
        return "-Daether.offline.protocols=file\n";
    }

    /** {@code text} with each of its non-blank lines indented by {@code spaces}. */
    private static String indented(String text, int spaces) {
        return text.lines().map(line -> line.isBlank() ? line : " ".repeat(spaces) + line)
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
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

    /** The {@code --jar} module: its PIN check uses the dependency (Apache Commons Codec). */
    static String jarModule(String name) {
        return """
                import java.io.IOException;
                import java.nio.charset.StandardCharsets;
                import java.nio.file.Files;
                import java.nio.file.LinkOption;
                import java.nio.file.Path;
                import java.nio.file.attribute.PosixFileAttributes;
                import java.nio.file.attribute.PosixFilePermission;
                import java.security.MessageDigest;
                import java.util.List;
                import org.apache.commons.codec.DecoderException;
                import org.apache.commons.codec.binary.Hex;
                import org.apache.commons.codec.digest.DigestUtils;
                import org.pamjava.PamConstants;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;
                import org.pamjava.Syslog;

                /**
                 * A PAM module for pam_java.so, deployed as a jar with its dependency (Apache Commons Codec in
                 * lib/, named by the jar's Class-Path): asks for a PIN and lets the user in when its SHA-256 is
                 * the one the pins= file holds for them, in lines of "user:SHA-256 in hex".
                 *
                 * <pre>
                 * auth required /path/to/pam_java.so /path/to/NAME.jar pins=/etc/security/NAME.pins
                 * </pre>
                 *
                 * The pins file says who gets in, so it must be root's and mode 0600, in a directory of
                 * root's that nobody else can write: anyone else who can write it gives themselves a PIN,
                 * and anyone who can read it finds a short PIN from its unsalted SHA-256 in moments. A file
                 * that is not so lets nobody in (PAM_AUTHINFO_UNAVAIL, and a syslog line saying why).
                 * Add a PIN as root without it showing on screen or in the shell's history:
                 *
                 * <pre>{@code
                 * (umask 077; read -rs -p 'PIN for alice: ' pin; echo >&2;
                 *  printf 'alice:%s\\n' "$(printf %s "$pin" | sha256sum | cut -d' ' -f1)") >> /etc/security/NAME.pins
                 * chown root:root /etc/security/NAME.pins && chmod 0600 /etc/security/NAME.pins
                 * }</pre>
                 *
                 * One instance serves one PAM transaction; args.get(0) is the jar's path.
                 */
                public class NAME implements PamModule {
                    /** Whose pins files are believed: root's, when pam_java runs the module. */
                    private final String trustedOwner;

                    public NAME() {
                        this("root");
                    }

                    /** A module that believes {@code trustedOwner}'s pins files: for tests, which cannot make root's. */
                    NAME(String trustedOwner) {
                        this.trustedOwner = trustedOwner;
                    }

                    @Override
                    public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        String pins = args.stream().filter(arg -> arg.startsWith("pins="))
                                .map(arg -> arg.substring("pins=".length())).findFirst().orElse(null);
                        if (pins == null) {
                            pamh.syslog(Syslog.LOG_ERR, "the rule names no pins=FILE");
                            return PamConstants.PAM_SERVICE_ERR;
                        }
                        String user = pamh.getUser(null); // asks for it if the application gave none
                        byte[] expected;
                        try {
                            String untrusted = untrusted(Path.of(pins));
                            if (untrusted != null) {
                                pamh.syslog(Syslog.LOG_ERR, "refusing " + pins + ": " + untrusted);
                                return PamConstants.PAM_AUTHINFO_UNAVAIL;
                            }
                            expected = expectedDigest(Path.of(pins), user);
                        } catch (IOException | DecoderException e) {
                            pamh.syslog(Syslog.LOG_ERR, "cannot read " + pins + ": " + e);
                            return PamConstants.PAM_AUTHINFO_UNAVAIL;
                        }
                        // Asked whether the user has a PIN or not: the prompt does not tell who has one.
                        String pin = pamh.prompt(PamConstants.PAM_PROMPT_ECHO_OFF, "PIN: ");
                        byte[] given = DigestUtils.sha256(pin == null ? "" : pin);
                        return expected != null && MessageDigest.isEqual(expected, given)
                                ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;
                    }

                    @Override
                    public int setcred(PamHandle pamh, int flags, List<String> args) {
                        return PamConstants.PAM_SUCCESS;
                    }

                    /**
                     * Why the pins file cannot be believed, or null when it can: it and its directory must be
                     * the trusted owner's (no symbolic link another user could point elsewhere), the directory
                     * writable by nobody else (or the file could be replaced), the file neither readable nor
                     * writable by group or others.
                     */
                    private String untrusted(Path file) throws IOException {
                        Path directory = file.toAbsolutePath().getParent();
                        for (Path path : List.of(file, directory)) {
                            PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                            if (attributes.isSymbolicLink()) {
                                return path + " is a symbolic link";
                            }
                            if (!attributes.owner().getName().equals(trustedOwner)) {
                                return path + " is owned by " + attributes.owner().getName() + ", not " + trustedOwner;
                            }
                            for (PosixFilePermission permission : attributes.permissions()) {
                                boolean others = permission.name().startsWith("GROUP_") || permission.name().startsWith("OTHERS_");
                                if (path == file && others) {
                                    return path + " is readable or writable by group or others (make it mode 0600)";
                                }
                                if (path == directory && (permission == PosixFilePermission.GROUP_WRITE || permission == PosixFilePermission.OTHERS_WRITE)) {
                                    return path + " is writable by group or others";
                                }
                            }
                        }
                        return null;
                    }

                    /** The PIN's SHA-256 the file holds for {@code user}, or null when it has none. */
                    private static byte[] expectedDigest(Path file, String user) throws IOException, DecoderException {
                        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                            int colon = line.indexOf(':');
                            if (colon > 0 && line.substring(0, colon).equals(user)) {
                                return Hex.decodeHex(line.substring(colon + 1).strip());
                            }
                        }
                        return null;
                    }
                }
                """.replace("NAME", name);
    }

    static String jarTest(String name) {
        return """
                import static org.junit.jupiter.api.Assertions.assertEquals;
                import static org.junit.jupiter.api.Assertions.assertTrue;

                import java.io.IOException;
                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.nio.file.attribute.PosixFilePermissions;
                import java.util.function.Supplier;
                import org.apache.commons.codec.digest.DigestUtils;
                import org.junit.jupiter.api.Test;
                import org.junit.jupiter.api.io.TempDir;
                import org.pamjava.PamConstants;
                import org.pamjava.testing.OperationResult;
                import org.pamjava.testing.TestStack;
                import org.pamjava.testing.TestTransaction;

                /** NAME in a PAM stack, on pam_java's test kit: the engine runs it as libpam and pam_java.so would. */
                class NAMETest {
                    /** The user running the tests: the owner of the pins files they write, which root's module would refuse. */
                    private static final String ME = System.getProperty("user.name");

                    @TempDir
                    Path tmp;

                    private TestStack login(String pins) {
                        return login(pins, () -> new NAME(ME));
                    }

                    private TestStack login(String pins, Supplier<NAME> module) {
                        return TestStack.service("login", "auth required pam_java.so NAME.jar pins=" + pins + "\\n")
                                .module("NAME.jar", module);
                    }

                    /** alice's PIN 4711, in a file only its owner may read and write, as root's must be. */
                    private String pinsFile() throws IOException {
                        Path pins = Files.writeString(tmp.resolve("pins"), "alice:" + DigestUtils.sha256Hex("4711") + "\\n");
                        Files.setPosixFilePermissions(pins, PosixFilePermissions.fromString("rw-------"));
                        return pins.toString();
                    }

                    @Test
                    void theRightPinLetsTheUserIn() throws IOException {
                        try (TestStack stack = login(pinsFile()); TestTransaction pam = stack.start("alice")) {
                            pam.conversation().answer("4711");
                            OperationResult auth = pam.authenticate();
                            assertEquals(PamConstants.PAM_SUCCESS, auth.pamCode(), auth.describe());
                        }
                    }

                    @Test
                    void aWrongPinOrAUserWithoutOneIsRefused() throws IOException {
                        String pins = pinsFile();
                        try (TestStack stack = login(pins); TestTransaction pam = stack.start("alice")) {
                            pam.conversation().answer("1234");
                            assertEquals(PamConstants.PAM_AUTH_ERR, pam.authenticate().pamCode());
                        }
                        try (TestStack stack = login(pins); TestTransaction pam = stack.start("mallory")) {
                            pam.conversation().answer("4711");
                            assertEquals(PamConstants.PAM_AUTH_ERR, pam.authenticate().pamCode());
                        }
                    }

                    @Test
                    void withoutItsPinsFileNobodyGetsIn() {
                        try (TestStack stack = login(tmp.resolve("missing").toString()); TestTransaction pam = stack.start("alice")) {
                            assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode());
                        }
                    }

                    @Test
                    void aPinsFileOthersCouldReadWriteOrReplaceOrSomeoneElsesLetsNobodyIn() throws IOException {
                        String pins = pinsFile();
                        for (String mode : new String[] {"rw----r--", "rw--w----", "rw-r-----"}) {
                            Files.setPosixFilePermissions(Path.of(pins), PosixFilePermissions.fromString(mode));
                            try (TestStack stack = login(pins); TestTransaction pam = stack.start("alice")) {
                                pam.conversation().answer("4711");
                                assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode(), "mode " + mode);
                            }
                        }
                        Files.setPosixFilePermissions(Path.of(pins), PosixFilePermissions.fromString("rw-------"));
                        // A link the linker could point at a file of their own, a directory others could swap the file in.
                        Path link = Files.createSymbolicLink(tmp.resolve("link"), Path.of(pins));
                        try (TestStack stack = login(link.toString()); TestTransaction pam = stack.start("alice")) {
                            pam.conversation().answer("4711");
                            assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode(), "a symbolic link");
                            assertTrue(pam.logRecords().stream().anyMatch(record -> record.message().endsWith(link + " is a symbolic link")),
                                    pam.logRecords().toString());
                        }
                        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx-w--wx"));
                        try (TestStack stack = login(pins); TestTransaction pam = stack.start("alice")) {
                            pam.conversation().answer("4711");
                            assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode(), "a directory others can write");
                        } finally {
                            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
                        }
                        String someoneElse = ME.equals("root") ? "nobody" : "root"; // what pam_java's instance believes
                        try (TestStack stack = login(pins, () -> new NAME(someoneElse)); TestTransaction pam = stack.start("alice")) {
                            pam.conversation().answer("4711");
                            assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode());
                        }
                    }
                }
                """.replace("NAME", name);
    }
}

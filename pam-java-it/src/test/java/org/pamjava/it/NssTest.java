package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;
import org.pamjava.itsupport.PrivateSystem;

/**
 * Issue 17, item 4: PamHandle.nss() through the real libpam, in a C application's JVM, in a Java
 * application's own JVM and in the resident service. NssModule looks up users and groups this test
 * adds to the private system's /etc/passwd and /etc/group, and ones only systemd's userdb knows
 * (JSON records in /run/userdb, which glibc's nss-systemd reads when /etc/nsswitch.conf names
 * {@code systemd}): no parser of /etc files could find those, so it is NSS that answers. A user in
 * 301 groups outgrows getgrouplist's first buffer (64), a group of 20000 members the first
 * getgrnam_r buffer (1 KiB), and a group larger than the 1 MiB cap is an error, not a cut list.
 */
class NssTest {
    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Path GROUP = Path.of("/etc/group");
    private static final Path NSSWITCH = Path.of("/etc/nsswitch.conf");
    private static final Path USERDB = Path.of("/run/userdb");
    private static final int MANY_GROUPS = 300;
    private static final int BIG_MEMBERS = 20000;

    private static String passwd;
    private static String group;
    private static String nsswitch;
    /** Where the resident service's log stood before this class ran: what follows is this class's. */
    private static long serviceLogStart;

    /** The test's users and groups, in the private system only; the files are put back afterwards. */
    @BeforeAll
    static void privateDirectory() throws IOException {
        assumeTrue(Hardening.isRoot(), "writing /etc/passwd and /etc/group needs root");
        PrivateSystem.require("add users and groups to /etc/passwd, /etc/group and /run/userdb");
        serviceLogStart = Files.exists(ResidentFixture.LOG) ? Files.size(ResidentFixture.LOG) : 0;
        passwd = Files.readString(PASSWD);
        group = Files.readString(GROUP);
        nsswitch = Files.readString(NSSWITCH);
        for (String id : List.of(":45101:", ":45102:", ":45110:", ":45120:", ":45200:", ":45201:", ":46000:")) {
            assumeTrue(!passwd.contains(id) && !group.contains(id), "ids 45101-46299 are taken on this machine");
        }
        Files.writeString(PASSWD, passwd
                + "pjnss-ann:x:45101:45101:Ann Files:/home/pjnss-ann:/bin/bash\n"
                + "pjnss-many:x:45102:45102::/home/pjnss-many:/bin/sh\n");
        StringBuilder groups = new StringBuilder(group);
        groups.append("pjnss-ann:x:45101:\n").append("pjnss-many:x:45102:\n")
                .append("pjnss-team:x:45110:pjnss-ann,pjnss-many\n");
        for (int i = 0; i < MANY_GROUPS; i++) {
            groups.append(String.format("pjnss-g%03d:x:%d:pjnss-many%n", i, 46000 + i));
        }
        groups.append("pjnss-big:x:45120:").append(IntStream.range(0, BIG_MEMBERS)
                .mapToObj(i -> String.format("pjnss-m%05d", i)).collect(Collectors.joining(","))).append('\n');
        Files.writeString(GROUP, groups);
        // The systemd source after the files, for users and groups (Debian's default when
        // libnss-systemd is installed), whatever this machine's file says.
        Files.writeString(NSSWITCH, "passwd: files systemd\ngroup: files systemd\n"
                + nsswitch.lines().filter(l -> !l.startsWith("passwd:") && !l.startsWith("group:"))
                        .collect(Collectors.joining("\n", "", "\n")));
        Files.createDirectories(USERDB);
        Files.writeString(USERDB.resolve("pjnss-dropin.user"), """
                {"userName":"pjnss-dropin","uid":45201,"gid":45200,"realName":"Drop In","homeDirectory":"/srv/dropin","shell":"/bin/zsh"}
                """);
        Files.writeString(USERDB.resolve("pjnss-dropgrp.group"), """
                {"groupName":"pjnss-dropgrp","gid":45200,"members":["pjnss-ann"]}
                """);
        // nss-systemd finds a record by id through a link named after it.
        Files.createSymbolicLink(USERDB.resolve("45201.user"), Path.of("pjnss-dropin.user"));
        Files.createSymbolicLink(USERDB.resolve("45200.group"), Path.of("pjnss-dropgrp.group"));
    }

    @AfterAll
    static void systemBackToNormal() throws IOException {
        if (passwd != null) {
            Files.writeString(PASSWD, passwd);
            Files.writeString(GROUP, group);
            Files.writeString(NSSWITCH, nsswitch);
            for (String f : List.of("pjnss-dropin.user", "pjnss-dropgrp.group", "45201.user", "45200.group")) {
                Files.deleteIfExists(USERDB.resolve(f));
            }
        }
    }

    /** A bed whose module runs where {@code host} says: in process (C or Java application) or in the resident service. */
    private static PamTestBed bed(String name, Host host, String args) throws IOException {
        PamTestBed bed = PamPythonCasesTest.bed(name, host);
        if (host != Host.RESIDENT) {
            bed.inProcess();
        }
        return bed.service("svc", "auth required $PAM_JAVA $MODULES/NssModule.java " + args);
    }

    /** What the module told the application: the text of its PAM_TEXT_INFO messages. */
    private static List<String> seen(Run run) {
        List<String> seen = new ArrayList<>();
        for (String line : run.lines()) {
            if (line.startsWith("conv 4 ")) {
                seen.add(line.substring("conv 4 ".length()));
            }
        }
        return seen;
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void usersAndGroupsOfTheFilesThroughNss(Host host) throws Exception {
        PamTestBed bed = bed("nss-files", host, "user=pjnss-ann uid=45101 user=pjnss-nobody uid=45999"
                + " group=pjnss-team gid=45110 group=pjnss-nogroup gid=45998 groupsof=pjnss-nobody"
                + " member=pjnss-ann:pjnss-team member=pjnss-ann:pjnss-g000 group=pjnss-big thread=pjnss-ann");
        Run run = bed.run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        String ann = "name=pjnss-ann uid=45101 gid=45101 gecos=Ann Files home=/home/pjnss-ann shell=/bin/bash";
        assertEquals(List.of(
                "user=pjnss-ann -> " + ann,
                "uid=45101 -> " + ann,
                "user=pjnss-nobody -> empty",
                "uid=45999 -> empty",
                "group=pjnss-team -> name=pjnss-team gid=45110 members=2 pjnss-ann,pjnss-many",
                "gid=45110 -> name=pjnss-team gid=45110 members=2 pjnss-ann,pjnss-many",
                "group=pjnss-nogroup -> empty",
                "gid=45998 -> empty",
                "groupsof=pjnss-nobody -> count=0",
                "member=pjnss-ann:pjnss-team -> true",
                "member=pjnss-ann:pjnss-g000 -> false",
                "group=pjnss-big -> name=pjnss-big gid=45120 members=" + BIG_MEMBERS + " first=pjnss-m00000 last=pjnss-m"
                        + (BIG_MEMBERS - 1),
                "thread=pjnss-ann -> " + ann), seen(run), run.lines() + "\nsyslog: " + run.syslog());
        assertNoNativeAccessWarning(run, host);
    }

    /**
     * The JDK warns once per JVM, on the JVM's initial stderr, about a restricted method called
     * without native access: in process that is the application's terminal; in the service, its
     * log. pam_java.so and the service's launcher enable native access, so neither gets one.
     */
    private static void assertNoNativeAccessWarning(Run run, Host host) throws IOException {
        assertEquals("", run.stderr());
        if (host == Host.RESIDENT) {
            byte[] log = Files.readAllBytes(ResidentFixture.LOG);
            String ours = new String(log, (int) Math.min(serviceLogStart, log.length),
                    (int) (log.length - Math.min(serviceLogStart, log.length)), java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(ours.contains("restricted method"), "the service's JVM warned about native access: " + ours);
        }
    }

    /**
     * In process (a C application's JVM that pam_java.so made, a Java application's own JVM) the
     * lookups are pam_java.so's JNI natives: java.lang.foreign's first downcall costs a cold JVM
     * some 0.2 s per login. The resident service, with no pam_java.so in it, uses java.lang.foreign.
     */
    @ParameterizedTest
    @EnumSource(Host.class)
    void inProcessTheLookupsArePamJavaSosNatives(Host host) throws Exception {
        Run run = bed("nss-backend", host, "user=pjnss-ann backend=-").run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of("user=pjnss-ann -> name=pjnss-ann uid=45101 gid=45101 gecos=Ann Files home=/home/pjnss-ann"
                        + " shell=/bin/bash",
                "backend=- -> Nss[" + (host == Host.RESIDENT ? "java.lang.foreign" : "pam_java.so's JNI natives") + "]"),
                seen(run), run.lines() + "\nsyslog: " + run.syslog());
        assertNoNativeAccessWarning(run, host);
    }

    /** 301 groups: getgrouplist's first buffer (64) is too small, and the retry gets them all, primary first. */
    @ParameterizedTest
    @EnumSource(Host.class)
    void aUserInManyGroups(Host host) throws Exception {
        Run run = bed("nss-many", host, "groupsof=pjnss-many member=pjnss-many:pjnss-g299").run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        List<String> expected = new ArrayList<>(List.of("groupsof=pjnss-many : pjnss-many 45102",
                "groupsof=pjnss-many : pjnss-team 45110"));
        for (int i = 0; i < MANY_GROUPS; i++) {
            expected.add(String.format("groupsof=pjnss-many : pjnss-g%03d %d", i, 46000 + i));
        }
        expected.add("groupsof=pjnss-many -> count=" + (MANY_GROUPS + 2));
        expected.add("member=pjnss-many:pjnss-g299 -> true");
        assertEquals(expected, seen(run), run.lines() + "\nsyslog: " + run.syslog());
        assertNoNativeAccessWarning(run, host);
    }

    /**
     * A user and a group that only systemd's userdb knows, found by name and by id, and the user's
     * primary group (a userdb group) first among its groups: NSS answers, as nsswitch.conf says.
     */
    @ParameterizedTest
    @EnumSource(Host.class)
    void aSourceOtherThanTheFiles(Host host) throws Exception {
        assumeTrue(Files.exists(Path.of("/lib/x86_64-linux-gnu/libnss_systemd.so.2"))
                || Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libnss_systemd.so.2")), "libnss-systemd is not installed");
        assertFalse(Files.readString(PASSWD).contains("pjnss-dropin") || Files.readString(GROUP).contains("pjnss-drop"));
        Run run = bed("nss-dropin", host, "user=pjnss-dropin uid=45201 group=pjnss-dropgrp gid=45200 groupsof=pjnss-dropin")
                .run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        String dropin = "name=pjnss-dropin uid=45201 gid=45200 gecos=Drop In home=/srv/dropin shell=/bin/zsh";
        String dropgrp = "name=pjnss-dropgrp gid=45200 members=1 pjnss-ann";
        assertEquals(List.of("user=pjnss-dropin -> " + dropin, "uid=45201 -> " + dropin, "group=pjnss-dropgrp -> " + dropgrp,
                "gid=45200 -> " + dropgrp, "groupsof=pjnss-dropin : pjnss-dropgrp 45200", "groupsof=pjnss-dropin -> count=1"),
                seen(run), run.lines() + "\nsyslog: " + run.syslog());
        assertNoNativeAccessWarning(run, host);
    }

    /**
     * Text that is not UTF-8 (Latin-1 from an old directory): in the gecos it becomes U+FFFD; in a
     * name it fails the lookup, since a replaced byte could make two names one.
     */
    @ParameterizedTest
    @EnumSource(Host.class)
    void textThatIsNotUtf8(Host host) throws Exception {
        byte[] passwdBefore = Files.readAllBytes(PASSWD);
        byte[] groupBefore = Files.readAllBytes(GROUP);
        try {
            Files.write(PASSWD, concat(passwdBefore, latin1("pjnss-latin:x:45140:45101:Ren\u00e9:/home/pjnss-latin:/bin/sh\n")));
            Files.write(GROUP, concat(groupBefore, latin1("pjnss-caf\u00e9:x:45141:\npjnss-mixed:x:45142:pjnss-ann,caf\u00e9\n")));
            Run run = bed("nss-latin1", host, "user=pjnss-latin gid=45141 group=pjnss-mixed").run(host, "svc", "auth");
            assertCodes(run, "auth", 0);
            assertEquals(List.of(
                    "user=pjnss-latin -> name=pjnss-latin uid=45140 gid=45101 gecos=Ren\ufffd home=/home/pjnss-latin shell=/bin/sh",
                    "gid=45141 -> error 9 getgrgid_r(45141): gr_name is not valid UTF-8",
                    "group=pjnss-mixed -> error 9 getgrnam_r(pjnss-mixed): a member in gr_mem is not valid UTF-8"),
                    seen(run), run.lines() + "\nsyslog: " + run.syslog());
        } finally {
            Files.write(PASSWD, passwdBefore);
            Files.write(GROUP, groupBefore);
        }
    }

    private static byte[] latin1(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /**
     * A group whose entry needs more than the 1 MiB cap (90000 members) fails the lookup with
     * PAM_AUTHINFO_UNAVAIL: a module never sees a cut member list. The line is the last of
     * /etc/group, and removed again: the files source fails every lookup that reads past it.
     */
    @ParameterizedTest
    @EnumSource(Host.class)
    void aGroupLargerThanTheCapIsAnError(Host host) throws Exception {
        String before = Files.readString(GROUP);
        try {
            Files.writeString(GROUP, before + "pjnss-huge:x:45130:" + IntStream.range(0, 90000)
                    .mapToObj(i -> String.format("pjnss-h%05d", i)).collect(Collectors.joining(",")) + "\n");
            Run run = bed("nss-huge", host, "group=pjnss-huge").run(host, "svc", "auth");
            assertCodes(run, "auth", 0);
            assertEquals(List.of("group=pjnss-huge -> error 9 getgrnam_r(pjnss-huge): the entry needs more than 1048576"
                    + " bytes (Numerical result out of range)"), seen(run), run.lines() + "\nsyslog: " + run.syslog());
        } finally {
            Files.writeString(GROUP, before);
        }
    }
}

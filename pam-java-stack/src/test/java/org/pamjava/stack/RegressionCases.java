package org.pamjava.stack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-written stacks run against libpam by {@link DifferentialTest}: corners the generator
 * rarely reaches, and every mismatch the differential test has found.
 */
final class RegressionCases {

    private RegressionCases() {}

    static List<StackGenerator.Case> all(Path root) {
        List<StackGenerator.Case> cases = new ArrayList<>();
        Builder b = new Builder(root, cases);
        b.add("dash type with missing module fails as module_unknown",
                "login", "-auth required pam_missing.so\nauth optional pam_permit.so\n");
        b.add("@include at the top pulls in every type",
                "login", "@include $DIR/common\naccount required pam_permit.so\n",
                "common", "auth required pam_debug.so auth=auth_err\nsession required pam_permit.so\nbogus required pam_permit.so\n");
        b.add("@include of a missing file at the top aborts pam_start",
                "login", "@include $DIR/nothere\nauth required pam_permit.so\n");
        b.add("@include inside an include takes the requested type only",
                "login", "auth include $DIR/inc\nsession required pam_deny.so\n",
                "inc", "@include $DIR/common\n",
                "common", "auth required pam_debug.so auth=auth_err\nsession required pam_permit.so\n");
        b.add("dash @include",
                "login", "-@include $DIR/common\n", "common", "auth required pam_permit.so\n");
        b.add("file ending in a backslash aborts pam_start",
                "login", "auth required pam_permit.so\nauth required pam_permit.so \\\n");
        b.add("continuation across a blank line and a comment",
                "login", "auth \\\n\n# comment\n  required pam_debug.so \\\n auth=perm_denied\n");
        b.add("hash inside brackets ends the line",
                "login", "auth [success=ok # default=bad] pam_permit.so\nauth required pam_permit.so\n");
        b.add("bracketed type and module path",
                "login", "[auth] [required] [pam_debug.so] [auth=maxtries]\n");
        b.add("escaped bracket in arguments",
                "login", "auth required pam_debug.so [auth=auth_err\\]]\nauth required pam_debug.so auth=cred_err\n");
        b.add("jump past the end of the stack",
                "login", "auth [success=3 default=ignore] pam_permit.so\nauth required pam_permit.so\n");
        b.add("jump over a substack counts it as one rule",
                "login", "auth [success=1 default=bad] pam_permit.so\nauth substack $DIR/sub\nauth required pam_debug.so auth=user_unknown\n",
                "sub", "auth required pam_deny.so\nauth required pam_deny.so\n");
        b.add("jump inside a substack cannot leave it",
                "login", "auth substack $DIR/sub\nauth required pam_permit.so\n",
                "sub", "auth [success=2 default=bad] pam_permit.so\nauth required pam_permit.so\n");
        b.add("die in a substack ends only the substack",
                "login", "auth substack $DIR/sub\nauth required pam_debug.so auth=cred_expired\n",
                "sub", "auth requisite pam_deny.so\nauth required pam_permit.so\n");
        b.add("done in a substack ends only the substack",
                "login", "auth substack $DIR/sub\nauth required pam_debug.so auth=cred_expired\n",
                "sub", "auth sufficient pam_permit.so\nauth required pam_deny.so\n");
        b.add("reset in a substack goes back to the state at its entry",
                "login", "auth required pam_debug.so auth=acct_expired\nauth substack $DIR/sub\n",
                "sub", "auth required pam_deny.so\nauth [default=reset] pam_debug.so auth=ignore\nauth optional pam_permit.so\n");
        b.add("reset at the top forgets an earlier failure",
                "login", "auth required pam_deny.so\nauth [default=reset] pam_debug.so auth=ignore\nauth required pam_permit.so\n");
        StringBuilder deep = new StringBuilder();
        List<String> files = new ArrayList<>(List.of("login", "auth substack $DIR/s1\n"));
        for (int i = 1; i <= 17; i++) {
            files.add("s" + i);
            files.add("auth required pam_permit.so\nauth substack $DIR/s" + (i + 1) + "\n");
        }
        deep.append("substacks nested past the limit");
        b.add(deep.toString(), files.toArray(String[]::new));
        b.add("only ignore: the sanity check fails the stack",
                "login", "auth optional pam_debug.so auth=ignore\nauth [default=ignore] pam_deny.so\n");
        b.add("ok keeps the first non-success value",
                "login", "auth [default=ok] pam_debug.so auth=new_authtok_reqd\nauth required pam_permit.so\n");
        b.add("bad with ignore gives perm_denied",
                "login", "auth [ignore=bad] pam_debug.so auth=ignore\nauth required pam_permit.so\n");
        b.add("setcred replays the frozen chain of authenticate",
                "login", "auth [success=1 default=ignore] pam_debug.so auth=success cred=cred_err\n"
                        + "auth required pam_deny.so\nauth required pam_debug.so cred=cred_expired\n", "asas");
        b.add("setcred before authenticate runs unfrozen", "login",
                "auth sufficient pam_debug.so auth=auth_err cred=success\nauth required pam_debug.so cred=cred_unavail\n", "sasm");
        b.add("close_session replays open_session's chain", "login",
                "session [success=done default=ignore] pam_debug.so open_session=success close_session=session_err\n"
                        + "session required pam_debug.so close_session=bad_item\n", "ocoocc");
        b.add("incomplete resumes at the module that returned it", "login",
                "auth required pam_debug.so auth=perm_denied\nauth required pam_debug.so auth=incomplete\n", "aaamasa");
        b.add("chauthtok stops after a failed preliminary check", "login",
                "password required pam_debug.so prechauthtok=try_again chauthtok=authtok_err\n", "pp");
        b.add("chauthtok update pass", "login",
                "password required pam_debug.so prechauthtok=success chauthtok=authtok_lock_busy\n", "p");
        b.add("no rules of a type fall back to other per type", "login",
                "auth required pam_permit.so\n", "other", "account required pam_debug.so acct=acct_expired\n");
        b.add("other alone", "other", "auth required pam_debug.so auth=maxtries\nsession required pam_permit.so\n");
        b.add("neither service nor other: pam_start aborts", "unrelated", "auth required pam_permit.so\n");
        b.add("malformed lines fail as perm_denied", "login",
                "auth\nauth required\nauht required pam_permit.so\naccount required\npassword [success=okk] pam_permit.so\n");
        b.add("default fills only unset values", "login",
                "auth [default=die success=ok default=ignore auth_err=bad] pam_debug.so auth=auth_err\n"
                        + "auth required pam_debug.so auth=maxtries\n");
        b.add("prefix-matched control without spaces", "login",
                "auth [success=okdefault=die] pam_debug.so auth=try_again\nauth required pam_permit.so\n");
        b.add("pam_debug takes the first matching argument only", "login",
                "auth required pam_debug.so auth=bogus auth=auth_err\nauth required pam_debug.so auth=maxtries\n");
        b.add("include of a missing file is a failing rule", "login",
                "auth include $DIR/none\nauth required pam_permit.so\n");
        String longArgs = "x ".repeat(400);
        b.add("a logical line longer than 1023 bytes is split", "login",
                "auth optional pam_permit.so \\\n" + longArgs + "\\\n" + longArgs + "\nauth required pam_permit.so\n");
        b.add("a physical line longer than 1023 bytes is split", "login",
                "auth optional pam_debug.so " + "y ".repeat(600) + "auth=perm_denied\n");
        b.add("user prompt when PAM_USER is unset", "login", "auth required pam_permit.so\n", "-");
        b.add("include without a file name crashes libpam", "login",
                "auth include\naccount required pam_permit.so\n");
        b.add("substack without a file name crashes libpam", "login",
                "auth required pam_permit.so\nauth substack\n");
        b.add("@include without a file name crashes libpam", "login", "@include \n");
        b.add("include without a file name in other crashes libpam", "login",
                "account required pam_permit.so\n", "other", "session include\n");
        b.add("include without a file name of another type is never reached", "login",
                "auth include $DIR/inc\naccount required pam_permit.so\n",
                "inc", "account include\nauth required pam_permit.so\n");
        files = new ArrayList<>(List.of("login", "auth substack $DIR/s1\n"));
        for (int i = 1; i <= 14; i++) {
            files.add("s" + i);
            files.add("auth substack $DIR/s" + (i + 1) + "\n");
        }
        files.add("s15"); // read at level 15: its substack would be level 16, yet libpam looks at the name first
        files.add("auth substack\n");
        b.add("a substack without a name at the level limit crashes libpam before the level check", files.toArray(String[]::new));
        files = new ArrayList<>(List.of("login", "auth substack $DIR/s1\n"));
        for (int i = 1; i <= 13; i++) {
            files.add("s" + i);
            files.add("auth substack $DIR/s" + (i + 1) + "\n");
        }
        files.add("s14"); // read at level 14: its substack would be level 15
        files.add("auth substack\n");
        b.add("a substack without a name within the level limit crashes libpam", files.toArray(String[]::new));
        // Found by ConfigParserFuzzTest: Debian's @include does not reset libpam's actions[], so a
        // failing one inherits the control of the line before it in the same file.
        b.add("a failing @include inside an include inherits the control of the line before", "login",
                "auth include $DIR/inc\n", "inc", "auth optional pam_permit.so\n@include /nonexistent\nauth required pam_permit.so\n");
        b.add("a failing @include after a default=ignore line is ignored", "login",
                "auth include $DIR/inc\n",
                "inc", "auth [default=ignore] pam_debug.so auth=user_unknown\n@include /nonexistent\nauth required pam_permit.so\n");
        b.add("a failing @include after an include line is bad", "login",
                "auth include $DIR/inc\n", "inc", "auth include $DIR/leaf\n@include /nonexistent\nauth optional pam_permit.so\n",
                "leaf", "auth optional pam_permit.so\n");
        b.add("a module path that does not exist is unknown", "login",
                "session optional pam_permit.so\nsession required /lib/x86_64-lrequiredinux-gnu/security/pam_debug.so\n");
        b.add("a doubling include chain libpam still reads", doublingChain(9, "auth required pam_deny.so\n"));
        // Found by ConfigParserJazzerTest: the engine answered pam_java's PAM_OPEN_ERR for a rule
        // whose pam_java.so libpam cannot load (none in this machine's module directory).
        b.add("pam_java.so that is not installed is an unknown module", "login",
                "auth required pam_java.so pam_debug.so auth=maxtries\nauth optional pam_permit.so\n"
                        + "account required /usr/lib/security/pam_java.so Nope.java\n");
        return cases;
    }

    /**
     * {@code login} includes {@code f0} once, each {@code fI} includes {@code fI+1} twice, and
     * {@code fLEVELS} holds {@code leaf}: 2^LEVELS copies of the leaf's rules.
     */
    static String[] doublingChain(int levels, String leaf) {
        List<String> files = new ArrayList<>(List.of("login", "auth include $DIR/f0\naccount required pam_permit.so\n"));
        for (int i = 0; i < levels; i++) {
            files.add("f" + i);
            files.add("auth include $DIR/f" + (i + 1) + "\nauth include $DIR/f" + (i + 1) + "\n");
        }
        files.add("f" + levels);
        files.add(leaf);
        return files.toArray(String[]::new);
    }

    /** Adds a case: a name, then file-name/content pairs, then optionally the ops and "-" for no user. */
    private record Builder(Path root, List<StackGenerator.Case> cases) {
        void add(String name, String... parts) {
            int id = 100000 + cases.size();
            Path dir = root.resolve(String.format("%02d-%s", cases.size(), name.replaceAll("[^a-zA-Z0-9]+", "-")));
            Map<String, String> files = new LinkedHashMap<>();
            String ops = "asmocp";
            String user = "tester";
            int i = 0;
            for (; i + 1 < parts.length; i += 2) {
                files.put(parts[i], parts[i + 1].replace("$DIR", dir.toString()));
            }
            if (i < parts.length) {
                if (parts[i].equals("-")) {
                    user = "-";
                } else {
                    ops = parts[i];
                }
            }
            cases.add(new StackGenerator.Case(id, dir, files, "login", user, ops));
        }
    }
}

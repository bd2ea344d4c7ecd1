# pam-java-conf.sh: pam_java.conf's grammar for the two launchers (pam-java-resident and
# pam-java source it from the runtime directory), read as pam_java.so reads it
# (pam-java-shim/src/config.c) and as the service reads it (PamJavaConf); pam-java-it's
# ConfigGrammarTest holds the three readers to one table (pam_java(8), CONFIGURATION FILE).
#
# read_conf FILE prints the java_home, jvm_options and cache_dir the file gives (empty: the
# default), one a line, then a line ".", or says FILE:LINE: what is wrong and fails. timeout and
# class_path are left to the parsers that use them.
read_conf() {
    if [ ! -e "$1" ]; then
        printf '\n\n\n.\n'
        return 0
    fi
    unterminated=0
    if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' \n')" != 0a ]; then
        unterminated=$(($(wc -l < "$1") + 1))
    fi
    # NUL becomes \001 (awk cannot hold NUL): a control character either way.
    LC_ALL=C tr '\000' '\001' < "$1" | LC_ALL=C awk -v file="$1" -v unterminated="$unterminated" '
    function fail(problem) {
        printf "%s:%d: %s\n", file, NR, problem > "/dev/stderr"
        failed = 1
        exit 2
    }
    function trim(s) {
        sub(/^[ \t]+/, "", s)
        sub(/[ \t]+$/, "", s)
        return s
    }
    BEGIN {
        utf8 = "^([\001-\177]|[\302-\337][\200-\277]|\340[\240-\277][\200-\277]|[\341-\354\356\357][\200-\277][\200-\277]|\355[\200-\237][\200-\277]|\360[\220-\277][\200-\277][\200-\277]|[\361-\363][\200-\277][\200-\277][\200-\277]|\364[\200-\217][\200-\277][\200-\277])*$"
        split("java_home jvm_options class_path cache_dir timeout resident_socket", names, " ")
        for (i in names)
            known[names[i]] = 1
    }
    {
        line = $0
        if (NR != unterminated)
            sub(/\r$/, "", line)
        if (length(line) > 8192)
            fail("line longer than 8192 bytes")
        if (line ~ /[\001-\010\012-\037\177]/)
            fail("control character")
        if (line !~ utf8)
            fail("not UTF-8")
        sub(/#.*/, "", line)
        line = trim(line)
        if (line == "")
            next
        eq = index(line, "=")
        if (eq == 0)
            fail("expected '\''name = value'\''")
        key = trim(substr(line, 1, eq - 1))
        value = trim(substr(line, eq + 1))
        if (!(key in known))
            fail("unknown setting '\''" key "'\''")
        if (key in seen)
            fail(key " is set twice (first on line " seen[key] ")")
        seen[key] = NR
        if (value == "")
            next
        if (length(value) > 4095)
            fail("value too long (at most 4095 bytes)")
        if ((key == "java_home" || key == "cache_dir" || key == "resident_socket") && value !~ /^\//)
            fail(key " must be an absolute path")
        got[key] = value
    }
    END {
        if (failed)
            exit 2
        print got["java_home"]
        print got["jvm_options"]
        print got["cache_dir"]
        print "."
    }'
}

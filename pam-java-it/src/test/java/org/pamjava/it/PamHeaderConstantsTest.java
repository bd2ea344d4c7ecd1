package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The header reader behind {@code PamPythonCasesTest.constantsAreExactlyThoseOfTheInstalledHeaders}:
 * it takes the integer macros, whatever their spelling, and nothing else, and refuses what it
 * cannot evaluate rather than drop a constant.
 */
class PamHeaderConstantsTest {
    private static Map<String, String> read(String... lines) {
        return PamHeaderConstants.integers(PamHeaderConstants.definitions(List.of(lines)));
    }

    @Test
    void integerMacrosAreReadInEverySpellingAndAliasesFollowed() {
        assertEquals(Map.of("PAM_DEC", "12", "PAM_HEX", "32768", "PAM_OCT", "8", "PAM_NEG", "-3",
                        "PAM_PAREN", "-16", "PAM_ALIAS", "-16", "PAM_FORWARD", "7", "PAM_LATER", "7", "_PAM_LONG", "5",
                        "PAM_CONT", "9"),
                read("#define PAM_DEC 12\t\t/* a comment */",
                        "#define PAM_HEX 0x8000U",
                        "#  define PAM_OCT 010",
                        "#define PAM_NEG -3",
                        "#define PAM_PAREN (-(0x10))",
                        "#define PAM_ALIAS PAM_PAREN",
                        "#define PAM_FORWARD PAM_LATER",
                        "#define PAM_LATER 7",
                        "#define _PAM_LONG 5UL // a comment",
                        "#define PAM_CONT \\",
                        "        9"));
    }

    @Test
    void macrosThatAreNotIntegersAreNotConstants() {
        // libpam0g-dev 1.5.2-6+deb12u3's _pam_types.h, whose PAM_DEPRECATED broke the old reader.
        assertEquals(Map.of(), read("#ifndef _SECURITY__PAM_TYPES_H", "#define _SECURITY__PAM_TYPES_H",
                "#if PAM_GNUC_PREREQ(3,0)", "# define PAM_DEPRECATED __attribute__((__deprecated__))", "#else",
                "# define PAM_DEPRECATED", "#endif",
                "# define PAM_GNUC_PREREQ(maj, min) \\", "        ((__GNUC__ << 16) + __GNUC_MINOR__ >= ((maj) << 16) + (min))",
                "# define PAM_FORMAT(params) __attribute__((__format__ params))",
                "#define PAM_EXTERN extern", "#define PAM_NAME_OF_SOMETHING PAM_FORMAT"));
    }

    @Test
    void anIntegerExpressionItCannotEvaluateIsAnErrorNotASkip() {
        for (String value : List.of("(1 << 4)", "PAM_A | 0x2", "-(PAM_A + 1)")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> read("#define PAM_A 1", "#define PAM_B " + value));
            assertTrue(e.getMessage().contains("PAM_B"), e.getMessage());
        }
        assertThrows(IllegalStateException.class,
                () -> read("#ifdef X", "#define PAM_C 1", "#else", "#define PAM_C 2", "#endif"));
    }

    @Test
    void theInstalledHeadersGiveTheirIntegerConstants() throws Exception {
        Map<String, String> installed = PamHeaderConstants.installed();
        assertEquals("0", installed.get("PAM_SUCCESS"));
        assertEquals("32768", installed.get("PAM_SILENT"));
        assertEquals(installed.get("PAM_AUTHTOK_RECOVERY_ERR"), installed.get("PAM_AUTHTOK_RECOVER_ERR"));
        assertTrue(installed.keySet().stream().noneMatch(n -> n.equals("PAM_DEPRECATED") || n.equals("PAM_EXTERN")),
                installed.toString());
    }
}

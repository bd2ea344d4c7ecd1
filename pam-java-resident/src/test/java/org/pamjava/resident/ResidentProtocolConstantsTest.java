package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The wire's constants are defined on both sides: pam-java-shim/src/wire.h (every PJ_WIRE_
 * #define) and the service's Java classes. Each C constant must have its Java twin with the same
 * value, and each request kind of the service's channel its C twin: a difference fails here, not
 * on a production machine half way through an upgrade.
 */
class ResidentProtocolConstantsTest {
    private static final Path WIRE_H = Path.of("..", "pam-java-shim", "src", "wire.h");
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define PJ_WIRE_(\\w+) +(\\d+)u?\\s*$");

    /** PJ_WIRE_X's Java twin, where it is not ResidentProtocol.X or (a request kind) ResidentChannel.X. */
    private static final Map<String, String> ELSEWHERE = Map.of(
            "STALL_MS", "ResidentProtocol$Connection.STALL_MILLIS",
            "IDLE_MS", "ResidentSession.IDLE_MILLIS");

    private static Map<String, Long> cConstants() throws Exception {
        String header = Files.readString(WIRE_H);
        Map<String, Long> c = new TreeMap<>();
        Matcher m = DEFINE.matcher(header);
        while (m.find()) {
            c.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertTrue(c.size() > 20, "PJ_WIRE_ constants found in " + WIRE_H.toAbsolutePath() + ": " + c);
        return c;
    }

    /** The static final int and long fields of a class, by name. */
    private static Map<String, Long> javaConstants(Class<?> type) throws IllegalAccessException {
        Map<String, Long> constants = new LinkedHashMap<>();
        for (Field f : type.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && (f.getType() == int.class || f.getType() == long.class)) {
                f.setAccessible(true);
                constants.put(f.getName(), ((Number) f.get(null)).longValue());
            }
        }
        return constants;
    }

    private static Class<?> classNamed(String simpleName) throws ClassNotFoundException {
        return Class.forName(ResidentProtocol.class.getPackageName() + "." + simpleName);
    }

    @Test
    void everyConstantOfWireHIsTheJavaSidesAndEveryRequestKindIsWireHs() throws Exception {
        Map<String, Long> c = cConstants();
        Map<String, Long> protocol = javaConstants(ResidentProtocol.class);
        Map<String, Long> requests = javaConstants(ResidentChannel.class);
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Long> e : c.entrySet()) {
            String name = e.getKey();
            Long java;
            String where;
            if (ELSEWHERE.containsKey(name)) {
                where = ELSEWHERE.get(name);
                String[] classAndField = where.split("\\.");
                java = javaConstants(classNamed(classAndField[0])).get(classAndField[1]);
            } else if (protocol.containsKey(name)) {
                where = "ResidentProtocol." + name;
                java = protocol.get(name);
            } else {
                where = "ResidentChannel." + name;
                java = requests.get(name);
            }
            long cValue = name.equals("NULL_LENGTH") ? (int) (long) e.getValue() : e.getValue(); // a u32 on the wire
            if (java == null || java != cValue) {
                differences.add("PJ_WIRE_" + name + " = " + e.getValue() + " but " + where + " = " + java);
            }
        }
        for (String name : requests.keySet()) {
            if (!c.containsKey(name)) {
                differences.add("ResidentChannel." + name + " has no PJ_WIRE_" + name + " in wire.h");
            }
        }
        assertEquals(List.of(), differences, "wire.h and the Java side differ");
    }
}

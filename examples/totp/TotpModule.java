import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Response;

/**
 * A TOTP second factor (RFC 6238, the codes of authenticator apps) as a pam_java module.
 *
 * <pre>
 * auth required pam_java.so /usr/share/doc/pam-java/examples/totp/TotpModule.java secrets=/etc/security/totp.secrets
 * </pre>
 *
 * Arguments: {@code secrets=FILE} (required; lines {@code user:BASE32SECRET}, owned by the
 * process's user and readable by nobody else), {@code digits=6}, {@code step=30} (seconds),
 * {@code window=1} (steps of clock drift accepted each way), {@code nouser=ignore} to return
 * PAM_IGNORE instead of PAM_AUTH_ERR for users without a secret.
 *
 * <p>Run it as a program to print the current code of a secret:
 * {@code java -cp pam-java-api.jar TotpModule.java code BASE32SECRET}.
 */
public class TotpModule implements PamModule {

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        Options options = Options.parse(args);
        String user = pamh.getUser(null);
        byte[] secret;
        try {
            secret = secretOf(options.secrets, user);
        } catch (IOException e) {
            System.err.println("totp: cannot read " + options.secrets + ": " + e.getMessage());
            return PamConstants.PAM_AUTHINFO_UNAVAIL;
        }
        if (secret == null) {
            return options.ignoreUnknownUsers ? PamConstants.PAM_IGNORE : PamConstants.PAM_AUTH_ERR;
        }
        try {
            Response reply = pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_OFF, "Verification code: "));
            String code = reply.resp() == null ? "" : reply.resp().strip();
            long step = Instant.now().getEpochSecond() / options.step;
            for (long drift = -options.window; drift <= options.window; drift++) {
                String expected = code(secret, step + drift, options.digits);
                if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                        code.getBytes(StandardCharsets.US_ASCII))) {
                    return PamConstants.PAM_SUCCESS;
                }
            }
            pamh.failDelay(2_000_000);
            return PamConstants.PAM_AUTH_ERR;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    /** The secret of {@code user}, or null; refuses a file others could read or write. */
    static byte[] secretOf(Path file, String user) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            throw new IOException("must not be accessible by group or others");
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equals(user)) {
                return base32(line.substring(colon + 1).strip());
            }
        }
        return null;
    }

    /** RFC 6238 with HMAC-SHA1 (RFC 4226's dynamic truncation). */
    static String code(byte[] secret, long step, int digits) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            byte[] hash = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(step).array());
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                    | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
            return String.format("%0" + digits + "d", binary % (int) Math.pow(10, digits));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 4648 base32, as authenticator apps show secrets (padding and spaces ignored). */
    static byte[] base32(String text) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        String clean = text.replace("=", "").replace(" ", "").toUpperCase(java.util.Locale.ROOT);
        byte[] out = new byte[clean.length() * 5 / 8];
        long buffer = 0;
        int bits = 0;
        int n = 0;
        for (char c : clean.toCharArray()) {
            int v = alphabet.indexOf(c);
            if (v < 0) {
                throw new IllegalArgumentException("not base32: " + c);
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return out;
    }

    private record Options(Path secrets, int digits, long step, int window, boolean ignoreUnknownUsers) {
        static Options parse(List<String> args) {
            Path secrets = null;
            int digits = 6;
            long step = 30;
            int window = 1;
            boolean ignore = false;
            for (String arg : args.subList(1, args.size())) {
                String[] kv = arg.split("=", 2);
                String value = kv.length == 2 ? kv[1] : "";
                switch (kv[0]) {
                    case "secrets" -> secrets = Path.of(value);
                    case "digits" -> digits = Integer.parseInt(value);
                    case "step" -> step = Long.parseLong(value);
                    case "window" -> window = Integer.parseInt(value);
                    case "nouser" -> ignore = value.equals("ignore");
                    default -> throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            if (secrets == null) {
                throw new IllegalArgumentException("secrets=FILE is required");
            }
            return new Options(secrets, digits, step, window, ignore);
        }
    }

    /** {@code code BASE32SECRET}: prints the current code (for enrolment checks and the demo). */
    public static void main(String[] argv) {
        if (argv.length != 2 || !argv[0].equals("code")) {
            System.err.println("usage: java -cp pam-java-api.jar TotpModule.java code BASE32SECRET");
            System.exit(2);
        }
        System.out.println(code(base32(argv[1]), Instant.now().getEpochSecond() / 30, 6));
    }
}

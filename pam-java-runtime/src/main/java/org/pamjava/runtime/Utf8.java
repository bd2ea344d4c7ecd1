package org.pamjava.runtime;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * The one place where C strings become Java text and back: strict UTF-8 both ways, so bytes that
 * are not UTF-8 become a clear error instead of replacement characters, and a NUL (which C would
 * silently cut at) is refused.
 */
public final class Utf8 {
    private Utf8() {}

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** Decodes {@code bytes} (what libpam gave for {@code what}) or throws PAM_BAD_ITEM. */
    public static String decode(byte[] bytes, String what) {
        if (ascii(bytes)) {
            // Most of what libpam hands over (arguments, user names, items): no decoder needed.
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            return decoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PamException(PamConstants.PAM_BAD_ITEM, what + " is not valid UTF-8");
        }
    }

    private static boolean ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes a secret into a char[] the caller wipes. The work buffer is sized once (UTF-8 never
     * gives more chars than bytes) so no copy is left behind by a resize; it and {@code bytes} are
     * wiped.
     */
    public static char[] decodeSecret(byte[] bytes, String what) {
        CharBuffer out = CharBuffer.allocate(bytes.length);
        try {
            CharsetDecoder decoder = decoder();
            CoderResult result = decoder.decode(ByteBuffer.wrap(bytes), out, true);
            if (!result.isError()) {
                result = decoder.flush(out);
            }
            if (result.isError()) {
                throw new PamException(PamConstants.PAM_BAD_ITEM, what + " is not valid UTF-8");
            }
            return Arrays.copyOf(out.array(), out.position());
        } finally {
            Arrays.fill(bytes, (byte) 0);
            Arrays.fill(out.array(), '\0');
        }
    }

    /**
     * Encodes {@code text} for C; a NUL character is refused. The work buffer is sized for the worst
     * case (3 bytes per char) so it is never reallocated, and it is wiped: the text may be a secret.
     */
    public static byte[] encode(String text, String what) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain a NUL character");
        }
        ByteBuffer out = ByteBuffer.allocate(text.length() * 3);
        try {
            CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            CoderResult result = encoder.encode(CharBuffer.wrap(text), out, true);
            if (!result.isError()) {
                result = encoder.flush(out);
            }
            if (result.isError()) {
                throw new IllegalArgumentException(what + " is not valid Unicode (unpaired surrogate)");
            }
            return Arrays.copyOf(out.array(), out.position());
        } finally {
            Arrays.fill(out.array(), (byte) 0);
        }
    }
}

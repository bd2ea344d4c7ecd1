package org.pamjava.internal.bridge;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
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
final class Utf8 {
    private Utf8() {}

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** Decodes {@code bytes} (what libpam gave for {@code what}) or throws PAM_BAD_ITEM. */
    static String decode(byte[] bytes, String what) {
        try {
            return decoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PamException(PamConstants.PAM_BAD_ITEM, what + " is not valid UTF-8");
        }
    }

    /** Decodes a secret into a char[] the caller wipes, wiping {@code bytes} and every copy made. */
    static char[] decodeSecret(byte[] bytes, String what) {
        CharBuffer chars = null;
        try {
            chars = decoder().decode(ByteBuffer.wrap(bytes));
            char[] result = new char[chars.remaining()];
            chars.get(result);
            return result;
        } catch (CharacterCodingException e) {
            throw new PamException(PamConstants.PAM_BAD_ITEM, what + " is not valid UTF-8");
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (chars != null && chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
        }
    }

    /** Encodes {@code text} for C; a NUL character is refused. */
    static byte[] encode(String text, String what) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain a NUL character");
        }
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid Unicode (unpaired surrogate)");
        }
    }
}

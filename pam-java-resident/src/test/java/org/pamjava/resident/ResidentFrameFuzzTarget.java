package org.pamjava.resident;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The service's frame decoder under a fuzzer: the bytes are what an application sent on a real
 * Unix socket, then it closed its side; the service reads frames until the end or an error, and
 * decodes each as the service and its channel do (a CALL's header, a REPLY's code, strings, a
 * conversation, an environment list). The property: any bytes give frames or a clean
 * {@link IOException} (the protocol's error: the connection is dropped), never another exception,
 * and the decoder allocates in proportion to the bytes that came, never to what a length claims.
 *
 * <p>{@link #fuzzerTestOneInput} is Jazzer's entry point (scripts/fuzz-java-resident.sh);
 * ResidentFrameFuzzTest runs it from a fixed seed in the suite.
 */
public final class ResidentFrameFuzzTarget {
    /** The most an input may cost in allocation: a few times its size, plus a fixed part (exceptions, buffers). */
    static long allocationCap(int inputLength) {
        return 8L * inputLength + 256 * 1024;
    }

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private ResidentFrameFuzzTarget() {}

    /**
     * Jazzer calls this once before the first input: the decoder's paths run a few times, so the
     * classes they load (and the fuzzer's hooks in them) are not counted as an input's allocation.
     */
    public static void fuzzerInitialize() {
        byte[][] warmUp = {
            {0, 0, 0, 6, 2, 0, 0, 0, 0, 0}, {0, 0, 0, 1, 5}, {0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0},
            {0, 0, 0, 13, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}, {0x7f, 0, 0, 0, 1},
        };
        for (int round = 0; round < 3; round++) {
            for (byte[] input : warmUp) {
                try {
                    decode(input, false);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Jazzer's entry point: one input. */
    public static void fuzzerTestOneInput(byte[] input) {
        try {
            decode(input);
        } catch (IOException e) {
            throw new UncheckedIOException("the harness's own socket failed", e);
        }
    }

    /** Feeds {@code input} to a new connection; returns how many frames decoded whole. */
    static int decode(byte[] input) throws IOException {
        return decode(input, true);
    }

    private static int decode(byte[] input, boolean checkAllocation) throws IOException {
        Path dir = Files.createTempDirectory("resident-fuzz");
        Path path = dir.resolve("s");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    ResidentProtocol.Connection service = new ResidentProtocol.Connection(listener.accept(), 2_000)) {
                ByteBuffer b = ByteBuffer.wrap(input);
                while (b.hasRemaining()) {
                    client.write(b);
                }
                client.shutdownOutput();
                return readAll(service, checkAllocation ? allocationCap(input.length) : Long.MAX_VALUE, input.length);
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    private static int readAll(ResidentProtocol.Connection service, long cap, int inputLength) {
        long before = MX.getCurrentThreadAllocatedBytes();
        int frames = 0;
        try {
            ResidentProtocol.In frame;
            while ((frame = service.receive(0)) != null) {
                frames++;
                interpret(frame);
            }
        } catch (IOException protocolError) {
            // the clean outcome for bytes that are not frames: the service drops the connection
        }
        long allocated = MX.getCurrentThreadAllocatedBytes() - before;
        if (allocated > cap) {
            throw new AssertionError(inputLength + " bytes made the decoder allocate " + allocated);
        }
        return frames;
    }

    /** Decodes a frame as its kind's reader would; IOException for what does not fit. */
    private static void interpret(ResidentProtocol.In frame) throws IOException {
        int kind = frame.u8();
        switch (kind) {
            case ResidentProtocol.CALL -> ResidentProtocol.Call.read(frame);
            case ResidentProtocol.REPLY -> {
                frame.i32();
                int n = frame.i32();
                // An environment list's count, or a conversation's first reply and code.
                if (n >= 0 && n <= frame.remaining() / 4) {
                    for (int i = 0; i < n; i++) {
                        frame.bytes();
                    }
                } else {
                    frame.i32();
                }
                while (frame.remaining() > 0) {
                    frame.bytes();
                }
            }
            default -> {
                while (frame.remaining() > 0) {
                    frame.u8();
                }
            }
        }
        frame.wipe();
    }
}

package org.pamjava.client;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.pamjava.Conversation;

/**
 * The process's allocator. Conversation replies must come from it: libpam (or the module) hands
 * them to free(3).
 */
final class LibC {
    private static final Linker LINKER = Linker.nativeLinker();

    /** calloc(3): {@code void *calloc(size_t nmemb, size_t size)}, zeroed; NULL when out of memory. */
    private static final MethodHandle CALLOC = LINKER.downcallHandle(global("calloc"),
            FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG));
    /** free(3): {@code void free(void *ptr)}. */
    private static final MethodHandle FREE = LINKER.downcallHandle(global("free"), FunctionDescriptor.ofVoid(ADDRESS));

    /**
     * dlsym(RTLD_DEFAULT, name): the definition the module's own free(3) binds to. With an allocator
     * preloaded into the process (LD_PRELOAD of jemalloc, or a sanitizer's runtime), that is the
     * preloaded one; the linker's default lookup searches the C library only and would give glibc's
     * calloc, whose memory the module's free then does not know (AddressSanitizer: bad-free).
     */
    private static MemorySegment global(String name) {
        MethodHandle dlsym = LINKER.downcallHandle(LINKER.defaultLookup().find("dlsym").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment symbol = (MemorySegment) dlsym.invokeExact(MemorySegment.NULL, arena.allocateFrom(name));
            return symbol.equals(MemorySegment.NULL) ? LINKER.defaultLookup().find(name).orElseThrow() : symbol;
        } catch (Throwable t) {
            throw new IllegalStateException("dlsym(" + name + ") failed", t);
        }
    }

    private LibC() {}

    /** Zeroed C memory of {@code count * size} bytes, as a segment of that size. */
    static MemorySegment calloc(long count, long size) {
        MemorySegment memory;
        try {
            memory = (MemorySegment) CALLOC.invokeExact(count, size);
        } catch (Throwable t) {
            throw new IllegalStateException("calloc failed", t);
        }
        if (memory.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("calloc(" + count + ", " + size + ") returned NULL");
        }
        return memory.reinterpret(count * size);
    }

    /** Releases C memory; NULL is allowed. */
    static void free(MemorySegment memory) {
        try {
            FREE.invokeExact(memory);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}

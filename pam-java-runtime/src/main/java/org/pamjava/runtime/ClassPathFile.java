package org.pamjava.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.tools.JavaFileObject;

/**
 * A file on the compiler's class path as {@link ClassPathFileManager} serves it: a jar entry or a
 * file in a directory, named as javac names its own. Its binary name is its path in the entry (in
 * a multi-release jar, the unversioned one) without the extension. Not a SimpleJavaFileObject: a
 * jar entry's URI ({@code jar:file:...!/p/C.class}) has no path.
 */
final class ClassPathFile implements JavaFileObject {
    /** How the file's bytes are read when javac asks. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    /** javac's kind of a file, by its name (BaseFileManager.getKind). */
    static Kind kindOf(String name) {
        for (Kind kind : List.of(Kind.CLASS, Kind.SOURCE, Kind.HTML)) {
            if (name.endsWith(kind.extension)) {
                return kind;
            }
        }
        return Kind.OTHER;
    }

    final String binaryName;
    private final URI uri;
    private final String displayName;
    private final String fileName;
    private final Kind kind;
    private final long lastModified;
    private final Opener opener;

    ClassPathFile(URI uri, String displayName, String name, long lastModified, Opener opener) {
        this.uri = uri;
        this.kind = kindOf(name);
        int dot = name.lastIndexOf('.'); // javac's PathFileObject.toBinaryName, whatever the kind
        this.binaryName = (dot < 0 ? name : name.substring(0, dot)).replace('/', '.');
        this.displayName = displayName;
        this.fileName = name.substring(name.lastIndexOf('/') + 1);
        this.lastModified = lastModified;
        this.opener = opener;
    }

    @Override
    public URI toUri() {
        return uri;
    }

    @Override
    public String getName() {
        return displayName;
    }

    @Override
    public Kind getKind() {
        return kind;
    }

    @Override
    public boolean isNameCompatible(String simpleName, Kind kind) {
        return this.kind == kind && fileName.equals(simpleName + kind.extension);
    }

    @Override
    public NestingKind getNestingKind() {
        return null; // not known without reading the file, as for javac's own
    }

    @Override
    public Modifier getAccessLevel() {
        return null;
    }

    @Override
    public InputStream openInputStream() throws IOException {
        return opener.open();
    }

    @Override
    public Reader openReader(boolean ignoreEncodingErrors) throws IOException {
        return new StringReader(getCharContent(ignoreEncodingErrors).toString());
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) throws IOException {
        try (InputStream in = openInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public OutputStream openOutputStream() {
        throw new UnsupportedOperationException("the class path is read only");
    }

    @Override
    public Writer openWriter() {
        throw new UnsupportedOperationException("the class path is read only");
    }

    @Override
    public long getLastModified() {
        return lastModified;
    }

    @Override
    public boolean delete() {
        return false;
    }

    @Override
    public String toString() {
        return displayName;
    }
}

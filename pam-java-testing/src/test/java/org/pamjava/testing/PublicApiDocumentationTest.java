package org.pamjava.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.tools.DocumentationTool;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import jdk.javadoc.doclet.Doclet;
import jdk.javadoc.doclet.DocletEnvironment;
import jdk.javadoc.doclet.Reporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every public type, constructor and method of what module authors program against (the module
 * API and this test kit) has a Javadoc comment: the generated HTML, installed by the package in
 * /usr/share/doc/pam-java/api, is part of the product. Overriding methods inherit their comment;
 * members the compiler writes (a record's accessors, an enum's values()) need none. Constants are
 * left out: PamConstants mirrors the C headers, whose man pages document them.
 */
class PublicApiDocumentationTest {

    /** Collects what lacks a comment; javadoc runs one doclet per call, in this thread. */
    public static final class UndocumentedElements implements Doclet {
        static final List<String> FOUND = new ArrayList<>();

        @Override public void init(Locale locale, Reporter reporter) {}
        @Override public String getName() { return "UndocumentedElements"; }
        @Override public Set<? extends Option> getSupportedOptions() { return Set.of(); }
        @Override public SourceVersion getSupportedSourceVersion() { return SourceVersion.latest(); }

        @Override
        public boolean run(DocletEnvironment env) {
            Elements elements = env.getElementUtils();
            for (TypeElement type : ElementFilter.typesIn(env.getIncludedElements())) {
                if (!isPublic(type)) {
                    continue;
                }
                check(env, elements, type);
                for (Element member : type.getEnclosedElements()) {
                    boolean callable = member.getKind() == ElementKind.METHOD || member.getKind() == ElementKind.CONSTRUCTOR;
                    if (callable && isPublic(member) && elements.getOrigin(member) == Elements.Origin.EXPLICIT
                            && member.getAnnotation(Override.class) == null && !writtenByCompiler(type, member)) {
                        check(env, elements, member);
                    }
                }
            }
            return true;
        }

        /**
         * What javadoc documents from the type itself: a record's accessors, canonical constructor,
         * equals, hashCode and toString (its {@code @param} tags), an enum's values and valueOf.
         * The language model reports them as explicit when they come from source.
         */
        private static boolean writtenByCompiler(TypeElement type, Element member) {
            String name = member.getSimpleName().toString();
            if (type.getKind() == ElementKind.RECORD) {
                boolean component = type.getRecordComponents().stream().anyMatch(c -> c.getSimpleName().contentEquals(name));
                return component || member.getKind() == ElementKind.CONSTRUCTOR
                        || Set.of("equals", "hashCode", "toString").contains(name);
            }
            return type.getKind() == ElementKind.ENUM && Set.of("values", "valueOf").contains(name);
        }

        private static boolean isPublic(Element e) {
            return e.getModifiers().contains(Modifier.PUBLIC)
                    || (e.getEnclosingElement() != null && e.getEnclosingElement().getKind().isInterface()
                            && !e.getModifiers().contains(Modifier.PRIVATE));
        }

        private static void check(DocletEnvironment env, Elements elements, Element e) {
            if (env.getDocTrees().getDocCommentTree(e) == null) {
                String owner = e instanceof TypeElement t ? t.getQualifiedName().toString()
                        : ((TypeElement) e.getEnclosingElement()).getQualifiedName() + "." + e;
                FOUND.add(owner);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pam-java-api", "pam-java-testing"})
    void everyPublicTypeAndMethodHasJavadoc(String module) throws Exception {
        Path sources = Path.of("..", module, "src", "main", "java");
        assertTrue(Files.isDirectory(sources), sources + " (run from the module's directory, as Maven does)");
        List<File> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java"))
                    .map(Path::toFile).toList();
        }
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        UndocumentedElements.FOUND.clear();
        StringWriter out = new StringWriter();
        try (StandardJavaFileManager fm = javadoc.getStandardFileManager(null, Locale.ROOT, null)) {
            List<String> options = List.of("-quiet", "-classpath", System.getProperty("java.class.path"));
            boolean ok = javadoc.getTask(out, fm, null, UndocumentedElements.class, options, fm.getJavaFileObjectsFromFiles(files)).call();
            assertTrue(ok, "javadoc failed: " + out);
        }
        assertEquals(List.of(), UndocumentedElements.FOUND, "public types and methods of " + module + " without Javadoc");
    }
}

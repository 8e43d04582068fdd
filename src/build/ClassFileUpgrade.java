import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites the class files of a jar that are older than Java 6 (picocli ships Java 5 ones) as Java 8 class
 * files with stack map frames, in place; every other entry is copied as it is, in its order, with its time.
 *
 * <p>Why: the JDK's class-data sharing and AOT caches leave out classes that only the old, inferring
 * verifier accepts, so every run of the command line loaded, parsed and verified picocli's 170-odd classes
 * from the jar (about 60 ms of `pie-client ping`'s 0.34 s on JDK 25). With frames, the split verifier checks
 * them once, when the cache is made, and later runs map them from it. Version 52 rather than 50: a frame
 * that is wrong then fails the class's loading, where version 50 would quietly fall back to the old verifier.
 *
 * <p>Run by the build after the shade plugin (pom.xml): {@code java -cp asm.jar ClassFileUpgrade.java
 * <jar>}. The jar itself is on the class path that computes frames, for the common superclasses they need.
 */
public final class ClassFileUpgrade {
    private static final int OLDEST_WITH_FRAMES = Opcodes.V1_6;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) throw new IllegalArgumentException("usage: ClassFileUpgrade <jar>");
        Path jar = Path.of(args[0]);
        Path upgraded = jar.resolveSibling(jar.getFileName() + ".upgrading");
        try (URLClassLoader classes = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null);
             InputStream file = Files.newInputStream(jar);
             ZipInputStream in = new ZipInputStream(file);
             OutputStream target = Files.newOutputStream(upgraded);
             ZipOutputStream out = new ZipOutputStream(target)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().endsWith(".class") && version(bytes) < OLDEST_WITH_FRAMES) {
                    bytes = withFrames(bytes, classes);
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        Files.move(upgraded, jar, StandardCopyOption.REPLACE_EXISTING);
        // Silent when it worked, like the rest of a quiet build; CliJarIT checks the result.
    }

    private static int version(byte[] classFile) throws IOException {
        if (classFile.length < 8) throw new IOException("not a class file: " + classFile.length + " bytes");
        return (classFile[6] & 0xff) << 8 | classFile[7] & 0xff;
    }

    private static byte[] withFrames(byte[] classFile, ClassLoader classes) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return classes;
            }
        };
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }
}

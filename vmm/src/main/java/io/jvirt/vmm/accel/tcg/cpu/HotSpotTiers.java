package io.jvirt.vmm.accel.tcg.cpu;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.ObjectName;

/**
 * Keeps HotSpot's optimizing compiler (C2) away from the quick tier's translations, so that
 * HotSpot compiles them with C1 alone: C1 compiles a region about ten times faster, and its
 * code, though slower than C2's, is several times faster than interpreting. Only the hot tier's
 * classes ({@link Translator#HOT_NAME}) reach C2.
 *
 * <p>The translator itself (the JDK's ClassFile API and the classes that drive it) is kept
 * away from C2 as well. It runs on its own thread, and C2 spent a quarter of its time on it
 * (JFR, a Linux boot: 2.0 of 4.5 s) while vCPU code and hot regions waited in C2's queue on a
 * 2-core host; in C1 code it translates more slowly, but the boot to the shell got faster
 * (5.64 -> 5.50 s, 10 interleaved pairs, twice).
 *
 * <p>The means is a compiler directive (JEP 165) that excludes C2 for the quick tier's class
 * name and for the translator's code, added at run time the way
 * {@code jcmd PID Compiler.directives_add FILE} adds it, through the platform's
 * DiagnosticCommand MBean, so the launcher needs no JVM flags. A JVM
 * without that MBean still works; C2 then compiles the quick tier too (slower boots, same
 * results).
 */
final class HotSpotTiers {
    private static final System.Logger LOG = System.getLogger(HotSpotTiers.class.getName());
    /** Code that runs only on the translator thread: the ClassFile API and our bytecode emitters. */
    private static final List<String> TRANSLATOR_CODE = List.of("java/lang/classfile/*.*",
            "jdk/internal/classfile/*.*", "jdk/internal/constant/*.*", emitter(Translator.class),
            emitter(DataEmitter.class), emitter(BitsEmitter.class), emitter(Emit.class), emitter(FlagFusion.class));
    /** Directive syntax: HotSpot's compiler-directives JSON (JEP 165); class names with '/'. */
    private static final String DIRECTIVE = "[ { match: \"" + Emit.PKG.replace('.', '/') + Translator.QUICK_NAME
            + "*.*\", c2: { Exclude: true } },\n"
            + "  { match: [" + String.join(", ", TRANSLATOR_CODE.stream().map(c -> "\"" + c + "\"").toList())
            + "], c2: { Exclude: true } } ]\n";
    /** Whether the directive was added: null until {@link #install} first runs. */
    private static Boolean added;

    private HotSpotTiers() {
    }

    /** The directive pattern for every method of {@code c}. */
    private static String emitter(Class<?> c) {
        return c.getName().replace('.', '/') + ".*";
    }

    /**
     * Adds the directive once per JVM (later calls do nothing) and says whether HotSpot took it;
     * a failure is logged once and not retried.
     */
    static synchronized boolean install() {
        if (added != null) {
            return added;
        }
        added = false;
        Path file = null;
        try {
            file = Files.createTempFile("jvirt-tiers", ".json");
            Files.writeString(file, DIRECTIVE);
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[]{new String[]{file.toString()}}, new String[]{String[].class.getName()});
            if (!String.valueOf(out).contains("added")) { // else "Parsing of compiler directives failed ..."
                throw new IllegalStateException(String.valueOf(out).trim());
            }
            added = true;
        } catch (Exception | LinkageError e) {
            LOG.log(Level.WARNING, "tcg: cannot keep HotSpot's C2 off quick translations (" + e
                    + "); C2 compiles them too, which slows boots but changes no result");
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (java.io.IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
        return added;
    }
}

package io.jvirt.vmm.accel.tcg.cpu;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps HotSpot's optimizing compiler (C2) away from the quick tier's translations, so that
 * HotSpot compiles them with C1 alone: C1 compiles a region about ten times faster, and its
 * code, though slower than C2's, is several times faster than interpreting. Only the hot tier's
 * classes ({@link Translator#HOT_NAME}) reach C2.
 *
 * <p>The means is a compiler directive (JEP 165) that excludes C2 for the quick tier's class
 * name, added at run time the way {@code jcmd PID Compiler.directives_add FILE} adds it,
 * through the platform's DiagnosticCommand MBean, so the launcher needs no JVM flags. A JVM
 * without that MBean still works; C2 then compiles the quick tier too (slower boots, same
 * results).
 */
final class HotSpotTiers {
    private static final System.Logger LOG = System.getLogger(HotSpotTiers.class.getName());
    /** Directive syntax: HotSpot's compiler-directives JSON (JEP 165); class names with '/'. */
    private static final String DIRECTIVE = "[ { match: \"" + Emit.PKG.replace('.', '/') + Translator.QUICK_NAME
            + "*.*\", c2: { Exclude: true } } ]\n";
    private static boolean installed;

    private HotSpotTiers() {
    }

    /** Adds the directive once per JVM (later calls do nothing); a failure is logged once and not retried. */
    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Path file = null;
        try {
            file = Files.createTempFile("jvirt-tiers", ".json");
            Files.writeString(file, DIRECTIVE);
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[]{new String[]{file.toString()}}, new String[]{String[].class.getName()});
            if (!String.valueOf(out).contains("added")) {
                throw new IllegalStateException(String.valueOf(out).trim());
            }
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
    }
}

package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves {@link FileSpaceFd}'s struct stat mirror and {@link FileSpaceConstants} against the C
 * headers, as SysLayoutTest does for the rest of sys: a gcc-built program prints sizeof/offsetof
 * and every constant by its C name.
 */
class FileSpaceLayoutTest {

    @Test
    void statAndConstantsMatchTheCHeaders(@TempDir Path dir) throws Exception {
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc), "gcc not installed (scripts/install-deps installs it)");
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("sizeof(struct stat)", FileSpaceFd.STAT.byteSize());
        for (String m : List.of("st_size", "st_blocks", "st_mode", "st_rdev")) {
            expected.put("offsetof(struct stat, " + m + ")",
                    FileSpaceFd.STAT.byteOffset(MemoryLayout.PathElement.groupElement(m)));
            expected.put("sizeof(((struct stat *) 0)->" + m + ")",
                    FileSpaceFd.STAT.select(MemoryLayout.PathElement.groupElement(m)).byteSize());
        }
        for (Field f : FileSpaceConstants.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                expected.put(f.getName(), (long) f.getInt(null));
            }
        }
        StringBuilder c = new StringBuilder("""
                #define _GNU_SOURCE
                #include <stddef.h>
                #include <stdio.h>
                #include <errno.h>
                #include <fcntl.h>
                #include <unistd.h>
                #include <sys/stat.h>
                #include <linux/falloc.h>
                int main(void) {
                """);
        for (String expr : expected.keySet()) {
            c.append("    printf(\"%s=%lld\\n\", \"").append(expr).append("\", (long long) (")
                    .append(expr).append("));\n");
        }
        c.append("    return 0;\n}\n");
        Path src = dir.resolve("filespace.c");
        Path exe = dir.resolve("filespace");
        Files.writeString(src, c);
        run(List.of(gcc.toString(), "-Wall", "-Werror", "-o", exe.toString(), src.toString()));
        List<String> wrong = new ArrayList<>();
        int seen = 0;
        for (String line : run(List.of(exe.toString())).split("\n")) {
            int eq = line.lastIndexOf('=');
            String key = line.substring(0, eq);
            long want = Long.parseLong(line.substring(eq + 1));
            seen++;
            if (expected.get(key) != want) {
                wrong.add(key + ": C says " + want + ", Java has " + expected.get(key));
            }
        }
        assertEquals(List.of(), wrong, "mirrors that disagree with the C headers");
        assertEquals(expected.size(), seen);
        assertTrue(seen >= 15, "too few checks: " + seen);
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " timed out");
        assertEquals(0, p.exitValue(), command + " failed:\n" + out);
        return out;
    }
}

package io.jvirt.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The newc writer against GNU cpio: it must list and extract what we wrote, byte for byte. */
class CpioTest {

    @TempDir
    Path dir;

    @Test
    void gnuCpioReadsBackEveryKindOfEntry() throws Exception {
        Cpio c = new Cpio();
        c.directory("d", 0755);
        c.file("d/odd", 0640, "abc".getBytes(StandardCharsets.US_ASCII)); // 3 bytes: data padding
        c.file("d/empty", 0600, new byte[0]);
        c.symlink("d/link", "/d/odd");
        c.charDevice("d/null", 0666, 1, 3);
        Path archive = dir.resolve("a.cpio");
        byte[] bytes = c.finish();
        assertEquals(0, bytes.length % 4);
        Files.write(archive, bytes);

        assertEquals(List.of("d", "d/odd", "d/empty", "d/link", "d/null"),
                DefaultGuestTest.cpio(archive, "-it").lines().toList());
        String v = DefaultGuestTest.cpio(archive, "-itv");
        assertTrue(v.contains("-rw-r-----") && v.contains("d/link -> /d/odd") && v.contains("1,   3"), v);

        Path x = Files.createDirectories(dir.resolve("x"));
        Process p = new ProcessBuilder("cpio", "-i", "--quiet", "d/odd", "d/empty", "d/link", "d")
                .directory(x.toFile()).redirectInput(archive.toFile()).start();
        assertEquals(0, p.waitFor());
        assertEquals("abc", Files.readString(x.resolve("d/odd")));
        assertEquals(0, Files.size(x.resolve("d/empty")));
        assertEquals(Path.of("/d/odd"), Files.readSymbolicLink(x.resolve("d/link")));
    }

    @Test
    void nothingMayFollowTheTrailer() {
        Cpio c = new Cpio();
        c.finish();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.file("late", 0644, new byte[1]));
        assertTrue(e.getMessage().contains("late"), e.getMessage());
    }
}

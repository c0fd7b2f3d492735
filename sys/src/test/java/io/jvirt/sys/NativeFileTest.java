package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeFileTest {

    @Test
    void positionalReadWriteAndSync(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("f.bin");
        try (NativeFile f = NativeFile.create(p)) {
            f.write(4096, "hello".getBytes(), 0, 5);
            f.sync();
            byte[] b = new byte[8];
            assertEquals(5, f.read(4093, b, 0, 8) - 3);
            assertArrayEquals(new byte[] {0, 0, 0, 'h', 'e', 'l', 'l', 'o'}, b);
            assertEquals(0, f.read(1 << 20, b, 0, 8));
        }
        assertEquals(4101, Files.size(p));
        try (NativeFile f = NativeFile.open(p, false)) {
            SysException e = assertThrows(SysException.class, () -> f.write(0, new byte[1], 0, 1));
            assertEquals("EBADF", e.errnoName());
            assertEquals("pwrite", e.call());
            assertEquals(p.toString(), e.subject());
        }
    }
}

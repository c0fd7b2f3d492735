package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lseek SEEK_DATA/SEEK_HOLE, fallocate and fstat on a real file in the test's directory. */
class FileSpaceTest {

    private static final int MIB = 1 << 20;

    @Test
    void findsPunchesAndAllocates(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("sparse.img");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[MIB]).put(0, (byte) 1), 2L * MIB);  // data at 2..3 MiB
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
                raf.setLength(8L * MIB);   // ftruncate: a hole up to 8 MiB
            }
            try (FileSpace s = FileSpace.open(p, true)) {
                long data = s.nextData(0);
                // file systems may round to their block size; ext4/xfs/tmpfs report exactly 2 MiB
                assertTrue(data >= 0 && data <= 2L * MIB, "first data at " + data);
                assertEquals(3L * MIB, s.nextHole(2L * MIB));
                assertEquals(-1, s.nextData(3L * MIB), "only a hole after 3 MiB");
                assertEquals(3L * MIB, s.nextHole(3L * MIB), "3 MiB is inside a hole");
                assertEquals(-1, s.nextHole(8L * MIB), "at the end of the file");
                long before = s.allocatedBytes();
                assertTrue(before >= MIB && before < 2L * MIB, "allocated " + before);

                s.punchHole(2L * MIB, MIB);
                assertEquals(-1, s.nextData(0), "no data left after the punch");
                assertTrue(s.allocatedBytes() < before, "punch frees blocks");
                assertEquals(8L * MIB, Files.size(p), "KEEP_SIZE: the length stays");
                ByteBuffer back = ByteBuffer.allocate(16);
                ch.read(back, 2L * MIB);
                assertArrayEquals(new byte[16], back.array());

                s.allocate(0, 4L * MIB);
                assertTrue(s.allocatedBytes() >= 4L * MIB, "fallocate allocates");
                assertEquals(8L * MIB, Files.size(p));
                s.allocate(8L * MIB, MIB);
                assertEquals(9L * MIB, Files.size(p), "mode 0 grows the file");
            }
        }
        try (FileSpace s = FileSpace.open(p, false)) {
            SysException e = assertThrows(SysException.class, () -> s.punchHole(0, 4096));
            assertEquals("EBADF", e.errnoName(), e.getMessage());
            assertEquals(p.toString(), e.subject());
        }
    }
}

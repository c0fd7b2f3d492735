package io.jvirt.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** {@link KernelPayload} on Debian's cloud kernel: decompression, the relocation table and KASLR. */
class KernelPayloadTest {
    private static final long MIB = 1L << 20;

    @Test
    void nokaslrLoadsTheKernelAsLinked() throws Exception {
        byte[] bz = Files.readAllBytes(TestKernels.debianBzImage());
        SetupHeader h = SetupHeader.parse(bz);
        assertTrue(KernelPayload.decodable(bz, h), "Debian's kernel is LZ4-compressed");
        KernelPayload.Kernel k = KernelPayload.extract(bz, h, "console=ttyS0 nokaslr", fixed(5), "vmlinuz");
        assertFalse(k.randomized());
        assertEquals(0, k.virtualOffset());
        assertEquals(h.prefAddress(), k.elf().physicalEntry(), "startup_64 is the first byte of the kernel");
        assertTrue(KernelPayload.end(k.elf()) - h.prefAddress() <= h.initSize(), "the kernel fits init_size");
    }

    /**
     * Every field the relocation table names moves by the offset, and nothing else changes: the
     * 64-bit and 32-bit fields held kernel addresses before (so the table was read at the right
     * place), the inverse ones move the other way.
     */
    @Test
    void kaslrMovesExactlyTheRelocatedFields() throws Exception {
        byte[] bz = Files.readAllBytes(TestKernels.debianBzImage());
        SetupHeader h = SetupHeader.parse(bz);
        KernelPayload.Kernel plain = KernelPayload.extract(bz, h, "nokaslr", fixed(0), "vmlinuz");
        KernelPayload.Kernel moved = KernelPayload.extract(bz, h, "console=ttyS0", fixed(37), "vmlinuz");
        assertTrue(moved.randomized());
        long delta = moved.virtualOffset();
        assertEquals(37 * h.kernelAlignment(), delta);

        ByteBuffer a = ByteBuffer.wrap(plain.image()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.wrap(moved.image()).order(ByteOrder.LITTLE_ENDIAN);
        List<List<Integer>> tables = tables(plain.image());
        long text = KernelPayload.START_KERNEL_MAP + h.prefAddress();
        long end = KernelPayload.START_KERNEL_MAP + KernelPayload.end(plain.elf());
        boolean[] site = new boolean[plain.image().length];
        int zeros = 0; // a few fields hold 0 before relocation (Debian 6.1: 5 of 70777 32-bit ones)
        for (int kind = 0; kind < 3; kind++) {
            assertTrue(tables.get(kind).size() > (kind == 1 ? 10 : 1000), "relocations of kind " + kind);
            for (int entry : tables.get(kind)) {
                int size = kind == 2 ? 8 : 4;
                int at = offset(plain.elf(), entry - KernelPayload.START_KERNEL_MAP);
                for (int i = 0; i < size; i++) {
                    site[at + i] = true;
                }
                switch (kind) {
                    case 0 -> {
                        long v = a.getInt(at); // a kernel address sign-extended, or a physical one
                        boolean address = isAddress(v, text, end) || isAddress(v & 0xffffffffL, text, end);
                        assertTrue(address || v == 0, String.format("32-bit field 0x%x holds 0x%x", entry, v));
                        zeros += address ? 0 : 1;
                        assertEquals((int) (v + delta), b.getInt(at));
                    }
                    case 1 -> assertEquals((int) (a.getInt(at) - delta), b.getInt(at));
                    default -> {
                        long v = a.getLong(at);
                        boolean address = isAddress(v, text, end);
                        assertTrue(address || v == 0, String.format("64-bit field 0x%x holds 0x%x", entry, v));
                        zeros += address ? 0 : 1;
                        assertEquals(v + delta, b.getLong(at));
                    }
                }
            }
        }
        assertTrue(zeros < 100, zeros + " relocated fields held no address");
        int unchanged = 0;
        for (int i = 0; i < site.length; i++) {
            if (!site[i]) {
                assertEquals(plain.image()[i], moved.image()[i], "byte " + i + " is no relocation's but changed");
                unchanged++;
            }
        }
        assertTrue(unchanged > 30 * MIB);
    }

    @Test
    void aDamagedPayloadIsOneLineNamingTheFile() throws Exception {
        byte[] bz = Files.readAllBytes(TestKernels.debianBzImage());
        SetupHeader h = SetupHeader.parse(bz);
        int start = (int) h.payloadStart();
        bz[start + 7] = 0x7f; // the first block's length now runs past the payload (LZ4 has no checksum to catch less)
        String msg = assertThrows(BootException.class,
                () -> KernelPayload.extract(bz, h, "", fixed(1), "broken-vmlinuz")).getMessage();
        assertTrue(msg.startsWith("broken-vmlinuz: ") && !msg.contains("\n"), msg);
    }

    /** Whether {@code v} is in the kernel image, as a virtual address (from {@code text} to {@code end}) or a physical one. */
    private static boolean isAddress(long v, long text, long end) {
        long phys = v + KernelPayload.START_KERNEL_MAP; // physical 0x1000000 is virtual text
        return Long.compareUnsigned(v - text, end - text) <= 0 || Long.compareUnsigned(phys - text, end - text) <= 0;
    }

    /** The three lists at the end of the decompressed kernel (misc.c handle_relocations), read backwards. */
    private static List<List<Integer>> tables(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        List<List<Integer>> out = new ArrayList<>();
        int at = image.length - 4;
        for (int kind = 0; kind < 3; kind++) {
            List<Integer> list = new ArrayList<>();
            for (int v; (v = b.getInt(at)) != 0; at -= 4) {
                list.add(v);
            }
            at -= 4;
            out.add(list);
        }
        return out;
    }

    private static int offset(Elf64 elf, long pa) {
        for (Elf64.Segment s : elf.loads()) {
            if (pa >= s.paddr() && pa < s.paddr() + s.filesz()) {
                return (int) (s.offset() + pa - s.paddr());
            }
        }
        throw new AssertionError(String.format("no segment holds 0x%x", pa));
    }

    /** A generator whose bounded draws all return {@code value}. */
    private static RandomGenerator fixed(long value) {
        return new RandomGenerator() {
            @Override public long nextLong() {
                return value;
            }

            @Override public long nextLong(long bound) {
                return value % bound;
            }
        };
    }
}

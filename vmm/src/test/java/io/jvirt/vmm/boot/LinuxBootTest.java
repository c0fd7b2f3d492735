package io.jvirt.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The boot protocol against Debian's real cloud kernel (bzImage) and gcc-built ELF64 payloads. */
class LinuxBootTest {

    private static final long MIB = 1L << 20;
    private static final long BP = 0x7000;

    @TempDir
    Path dir;
    private HostMemory host;

    private GuestMemory ram(long size) {
        host = HostMemory.allocate(size);
        return GuestRam.over(host, size);
    }

    @AfterEach
    void free() {
        if (host != null) {
            host.close();
        }
    }

    /** With the guest's own decompressor: the protected-mode part at 1 MiB, entered at +0x200. */
    /**
     * Decompressed on the host ({@link KernelPayload}): the kernel's segments at pref_address,
     * entered at startup_64, KASLR_FLAG set unless {@code nokaslr}, the initrd above init_size.
     */
    @Test
    void debianBzImageIsDecompressedOnTheHost() throws Exception {
        Path kernel = TestKernels.debianBzImage();
        byte[] image = Files.readAllBytes(kernel);
        SetupHeader h = SetupHeader.parse(image);
        KernelPayload.Kernel plain = KernelPayload.extract(image, h, "nokaslr", null, "vmlinuz");
        Path initrd = Files.write(dir.resolve("initrd.img"), new byte[12345]);
        for (String cmdline : new String[] {"console=ttyS0 nokaslr", "console=ttyS0"}) {
            GuestMemory m = ram(256 * MIB);
            LoadedKernel k = LinuxBoot.load(m, new BootConfig(kernel, Optional.of(initrd), cmdline, 0));
            assertEquals("bzImage", k.format());
            assertEquals(0x1000000, k.state().rip(), "startup_64 at pref_address");
            assertEquals(BP, k.state().rsi());
            assertEquals(0x1000000, k.kernelStart());
            boolean kaslr = !cmdline.contains("nokaslr");
            assertEquals(kaslr ? 0x03 : 0x01, m.readByte(BP + 0x211) & 0x03, "loadflags: LOADED_HIGH, KASLR_FLAG");
            if (!kaslr) { // (moved, the code differs in its relocated fields: KernelPayloadTest)
                Elf64.Segment text = plain.elf().loads().getFirst();
                assertArrayEquals(Arrays.copyOfRange(plain.image(), (int) text.offset(), (int) text.offset() + (1 << 20)),
                        m.read(text.paddr(), 1 << 20), "the first MiB of .text as linked");
            }
            long initrdAt = Integer.toUnsignedLong(m.readInt(BP + 0x218));
            assertTrue(initrdAt >= 0x1000000 + h.initSize(), "initrd above the kernel's init_size");
        }
    }

    /** With the guest's own decompressor: the protected-mode part at 1 MiB, entered at +0x200. */
    @Test
    void debianBzImageLoadsWithInitrdCmdlineAndE820() throws Exception {
        Path kernel = TestKernels.debianBzImage();
        byte[] image = Files.readAllBytes(kernel);
        byte[] initrdData = new byte[3 * (int) MIB + 123];
        new Random(7).nextBytes(initrdData);
        Path initrd = Files.write(dir.resolve("initrd.img"), initrdData);
        GuestMemory m = ram(256 * MIB);

        LoadedKernel k = LinuxBoot.load(m, new BootConfig(kernel, Optional.of(initrd), "console=ttyS0 quiet", 0xf0010,
                false));

        assertEquals("bzImage", k.format());
        assertEquals("bzImage", LinuxBoot.identify(kernel));
        assertEquals(0x100200, k.state().rip(), "64-bit entry = load address + 0x200");
        assertEquals(BP, k.state().rsi());
        int setupSects = image[0x1f1] & 0xff;
        int pm = (setupSects == 0 ? 5 : setupSects + 1) * 512;
        assertArrayEquals(Arrays.copyOfRange(image, pm, pm + 65536), m.read(0x100000, 65536));
        int tail = image.length - pm - 4096;
        assertArrayEquals(Arrays.copyOfRange(image, pm + tail, image.length), m.read(0x100000 + tail, 4096));

        // The setup header is the file's, with the loader's fields filled in.
        ByteBuffer file = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int hdrEnd = 0x202 + (image[0x201] & 0xff);
        byte[] hdr = m.read(BP + 0x1f1, hdrEnd - 0x1f1);
        assertEquals("HdrS", new String(hdr, 0x202 - 0x1f1, 4, StandardCharsets.US_ASCII));
        assertArrayEquals(Arrays.copyOfRange(image, 0x1f1, 0x210), Arrays.copyOfRange(hdr, 0, 0x210 - 0x1f1));
        assertEquals((byte) 0xff, m.readByte(BP + 0x210), "type_of_loader");
        assertEquals(file.getLong(0x258), m.readLong(BP + 0x258), "pref_address copied");
        assertEquals(file.getInt(0x260), m.readInt(BP + 0x260), "init_size copied");
        assertEquals(0x20000, m.readInt(BP + 0x228), "cmd_line_ptr");
        assertEquals("console=ttyS0 quiet\0", new String(m.read(0x20000, 20), StandardCharsets.US_ASCII));
        assertEquals(0xf0010, m.readLong(BP + 0x070), "acpi_rsdp_addr");

        // The initrd sits at the top of RAM, 4 KiB aligned, below initrd_addr_max.
        long initrdAt = Integer.toUnsignedLong(m.readInt(BP + 0x218));
        assertEquals(initrdData.length, m.readInt(BP + 0x21c));
        assertEquals(0, m.readInt(BP + 0x0c0), "ext_ramdisk_image");
        assertEquals(initrdAt, k.initrdStart());
        assertEquals(0, initrdAt % 4096);
        assertTrue(initrdAt + initrdData.length <= 256 * MIB);
        assertTrue(initrdAt + initrdData.length > 256 * MIB - 4096, "as high as it goes");
        assertTrue(initrdAt + initrdData.length - 1 <= Integer.toUnsignedLong(file.getInt(0x22c)));
        assertTrue(initrdAt >= k.kernelEnd(), "above the kernel's decompression area");
        assertArrayEquals(initrdData, m.read(initrdAt, initrdData.length));

        assertEquals(List.of(
                new E820.Entry(0, 0x9fc00, E820.RAM),
                new E820.Entry(0x9fc00, 0x100000 - 0x9fc00, E820.RESERVED),
                new E820.Entry(0x100000, 255 * MIB, E820.RAM)), e820(m));
    }

    @Test
    void debianKernelRefusesTooLittleMemoryNamingItsSize() throws Exception {
        Path kernel = TestKernels.debianBzImage();
        GuestMemory m = ram(32 * MIB);
        BootException e = assertThrows(BootException.class,
                () -> LinuxBoot.load(m, new BootConfig(kernel, Optional.empty(), "", 0)));
        assertTrue(e.getMessage().startsWith(kernel + " needs "), e.getMessage());
        assertTrue(e.getMessage().contains("(init_size 0x"), e.getMessage());
        assertTrue(e.getMessage().endsWith("but the guest has 32 MiB below 3 GiB; raise --memory"), e.getMessage());
    }

    @Test
    void initrdThatDoesNotFitNamesTheSizes() throws Exception {
        Path kernel = TestKernels.debianBzImage();
        Path initrd = dir.resolve("big.img");
        try (RandomAccessFile f = new RandomAccessFile(initrd.toFile(), "rw")) {
            f.setLength(100 * MIB); // sparse
        }
        GuestMemory m = ram(128 * MIB);
        BootException e = assertThrows(BootException.class,
                () -> LinuxBoot.load(m, new BootConfig(kernel, Optional.of(initrd), "", 0)));
        assertTrue(e.getMessage().startsWith("initrd " + initrd + " (100 MiB) does not fit: only "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; raise --memory or use a smaller initrd"), e.getMessage());
    }

    @Test
    void ramAboveFourGibAppearsInE820() throws Exception {
        Path kernel = TestKernels.debianBzImage();
        GuestMemory m = ram(5L << 30); // MAP_NORESERVE: untouched pages cost nothing
        LinuxBoot.load(m, new BootConfig(kernel, Optional.empty(), "", 0));
        assertEquals(List.of(
                new E820.Entry(0, 0x9fc00, E820.RAM),
                new E820.Entry(0x9fc00, 0x100000 - 0x9fc00, E820.RESERVED),
                new E820.Entry(0x100000, (3L << 30) - 0x100000, E820.RAM),
                new E820.Entry(4L << 30, 2L << 30, E820.RAM)), e820(m));
    }

    @Test
    void oldProtocolsAndMissingSixtyFourBitEntryAreRefused() throws Exception {
        byte[] image = Files.readAllBytes(TestKernels.debianBzImage());
        byte[] old = image.clone();
        old[0x206] = 0x0a; // protocol 2.10
        Path oldKernel = Files.write(dir.resolve("old"), old);
        GuestMemory m = ram(128 * MIB);
        BootException e = assertThrows(BootException.class,
                () -> LinuxBoot.load(m, new BootConfig(oldKernel, Optional.empty(), "", 0)));
        assertEquals(oldKernel + ": boot protocol 2.10 has no 64-bit entry point (needs 2.12 with XLF_KERNEL_64);"
                + " pass an x86-64 kernel built after 3.8", e.getMessage());
        byte[] no64 = image.clone();
        no64[0x236] &= (byte) ~1;
        Path no64Kernel = Files.write(dir.resolve("no64"), no64);
        e = assertThrows(BootException.class,
                () -> LinuxBoot.load(m, new BootConfig(no64Kernel, Optional.empty(), "", 0)));
        assertTrue(e.getMessage().contains("without XLF_KERNEL_64 has no 64-bit entry point"), e.getMessage());
    }

    @Test
    void notAKernelIsNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello, I am not a kernel\n".repeat(100));
        GuestMemory m = ram(32 * MIB);
        String expected = text + " is not a Linux kernel (no bzImage header, not ELF64); pass a bzImage or vmlinux to --kernel";
        assertEquals(expected, assertThrows(BootException.class,
                () -> LinuxBoot.load(m, new BootConfig(text, Optional.empty(), "", 0))).getMessage());
        assertEquals(expected, assertThrows(BootException.class, () -> LinuxBoot.identify(text)).getMessage());
        Path missing = dir.resolve("nope");
        assertEquals("kernel " + missing + " does not exist; check the path given to --kernel",
                assertThrows(BootException.class, () -> LinuxBoot.identify(missing)).getMessage());
        assertEquals("kernel " + dir + " is not a regular file; pass a file to --kernel",
                assertThrows(BootException.class, () -> LinuxBoot.identify(dir)).getMessage());
    }

    static final String PAYLOAD = """
            .text
            .globl _start
            _start:
                mov $0x3f8, %dx
                mov $'K', %al
                out %al, %dx
                hlt
                jmp _start
            .data
            message: .ascii "payload data"
            .bss
            buffer: .skip 8192
            """;

    @Test
    void freestandingElfPayloadLoadsAtItsPhysicalAddresses() throws Exception {
        Path elf = TestKernels.gccElf(dir, "payload", PAYLOAD, 0x200000, 0x200000);
        GuestMemory m = ram(32 * MIB);
        byte[] junk = new byte[16384];
        Arrays.fill(junk, (byte) 0xaa);
        m.write(0x200000, junk); // bss must come out zeroed
        LoadedKernel k = LinuxBoot.load(m, new BootConfig(elf, Optional.empty(), "hello=1", 0));
        assertEquals("ELF64", k.format());
        assertEquals(0x200000, k.state().rip());
        assertEquals(BP, k.state().rsi());
        assertEquals((byte) 0x66, m.readByte(0x200000), "mov $0x3f8,%dx starts with the 0x66 prefix");
        byte[] loaded = m.read(0x200000, (int) (k.kernelEnd() - 0x200000));
        String text = new String(loaded, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("payload data"));
        assertEquals(-1, text.indexOf((char) 0xaa), "bss zeroed, nothing left of the junk");
        assertTrue(k.kernelEnd() - 0x200000 >= 8192);
        assertEquals("HdrS", new String(m.read(BP + 0x202, 4), StandardCharsets.US_ASCII), "synthetic header");
        assertEquals((byte) 0xff, m.readByte(BP + 0x210));
        assertEquals(0x20000, m.readInt(BP + 0x228));
        assertEquals(3, m.readByte(BP + 0x1e8), "e820 entries");
    }

    @Test
    void vmlinuxStyleVirtualEntryIsTranslatedToPhysical() throws Exception {
        Path elf = TestKernels.gccElf(dir, "high", PAYLOAD, 0xffffffff81000000L, 0x1000000);
        GuestMemory m = ram(64 * MIB);
        LoadedKernel k = LinuxBoot.load(m, new BootConfig(elf, Optional.empty(), "", 0));
        assertEquals(0x1000000, k.state().rip());
        assertEquals(0x1000000, k.kernelStart());
        assertEquals((byte) 0x66, m.readByte(0x1000000));
    }

    @Test
    void elfBelowOneMibOrPastRamIsRefused() throws Exception {
        Path low = TestKernels.gccElf(dir, "low", PAYLOAD, 0x8000, 0x8000);
        GuestMemory m = ram(32 * MIB);
        assertEquals(low + ": segment at 0x8000 overlaps the boot data below 1 MiB; link the kernel at 0x100000 or above",
                assertThrows(BootException.class,
                        () -> LinuxBoot.load(m, new BootConfig(low, Optional.empty(), "", 0))).getMessage());
        Path far = TestKernels.gccElf(dir, "far", PAYLOAD, 0x4000000, 0x4000000);
        assertTrue(assertThrows(BootException.class,
                () -> LinuxBoot.load(m, new BootConfig(far, Optional.empty(), "", 0))).getMessage()
                .contains("does not fit in guest RAM (32 MiB); raise --memory"));
    }

    @Test
    void overlongCommandLineIsRefused() throws Exception {
        Path kernel = TestKernels.debianBzImage();
        GuestMemory m = ram(128 * MIB);
        String cmdline = "x".repeat(5000);
        assertEquals("kernel command line is 5000 bytes, more than the kernel's limit of 2047; shorten --cmdline",
                assertThrows(BootException.class,
                        () -> LinuxBoot.load(m, new BootConfig(kernel, Optional.empty(), cmdline, 0))).getMessage());
    }

    @Test
    void corruptHeadersFailWithBootExceptionOnly() throws Exception {
        Path elf = TestKernels.gccElf(dir, "fuzz", PAYLOAD, 0x200000, 0x200000);
        byte[] good = Files.readAllBytes(elf);
        byte[] bz = Arrays.copyOf(Files.readAllBytes(TestKernels.debianBzImage()), 1 << 20);
        GuestMemory m = ram(64 * MIB);
        Random r = new Random(2026);
        Path bad = dir.resolve("bad");
        for (int i = 0; i < 400; i++) {
            byte[] b = (i % 2 == 0 ? good : bz).clone();
            int base = i % 2 == 0 ? 0 : 0x1f1;
            for (int j = 0; j < 1 + r.nextInt(6); j++) {
                b[base + r.nextInt(i % 2 == 0 ? Math.min(b.length, 0x100) : 0x80)] = (byte) r.nextInt();
            }
            if (i % 7 == 0) {
                b = Arrays.copyOf(b, r.nextInt(b.length));
            }
            Files.write(bad, b);
            try {
                LinuxBoot.load(m, new BootConfig(bad, Optional.empty(), "", 0));
            } catch (BootException e) {
                assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
            }
        }
    }

    private static List<E820.Entry> e820(GuestMemory m) {
        int n = m.readByte(BP + 0x1e8);
        E820.Entry[] entries = new E820.Entry[n];
        for (int i = 0; i < n; i++) {
            long at = BP + 0x2d0 + 20L * i;
            entries[i] = new E820.Entry(m.readLong(at), m.readLong(at + 8), m.readInt(at + 16));
        }
        return List.of(entries);
    }
}

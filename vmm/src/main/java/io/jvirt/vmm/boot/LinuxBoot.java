package io.jvirt.vmm.boot;

import io.jvirt.vmm.arch.x86_64.LongModeBoot;
import io.jvirt.vmm.arch.x86_64.PageTables;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Loads a Linux kernel the way a boot loader does for boot.rst's 64-bit boot protocol: a
 * bzImage (protected-mode part at 1 MiB, entered at load address + 0x200; or, when its payload
 * is one {@link KernelPayload} decompresses, the kernel proper decompressed and relocated on
 * the host, at pref_address, entered at startup_64) or an ELF64
 * vmlinux/payload (PT_LOADs at p_paddr, entered at e_entry), an optional initrd at the top of
 * low RAM, the command line, boot_params with the e820 map, the GDT and identity page tables.
 */
public final class LinuxBoot {

    /** Where the protected-mode kernel goes (boot.rst: "loaded at 0x100000"; LAYOUT.md). */
    public static final long KERNEL_LOAD = 0x100000;
    /** boot.rst "64-bit Boot Protocol": the 64-bit entry is at the load address + 0x200. */
    static final long ENTRY_64_OFFSET = 0x200;
    /** initrd_addr_max we assume for ELF kernels, which have no setup header (x86-64 default). */
    static final long ELF_INITRD_ADDR_MAX = 0x7fffffff;
    static final long PAGE = 4096;

    private LinuxBoot() {
    }

    /** Loads everything {@code config} names into {@code memory}; throws {@link BootException}. */
    public static LoadedKernel load(GuestMemory memory, BootConfig config) {
        Path kernel = config.kernel();
        byte[] image = readKernel(kernel);
        long lowTop = lowRamTop(memory);
        if (SetupHeader.isBzImage(image)) {
            return loadBzImage(memory, config, image, lowTop);
        }
        if (Elf64.isElf64(image)) {
            return loadElf(memory, config, image, lowTop);
        }
        throw new BootException(kernel + " is not a Linux kernel (no bzImage header, not ELF64);"
                + " pass a bzImage or vmlinux to --kernel");
    }

    /**
     * Checks that {@code kernel} is a readable bzImage or ELF64 file without loading it, and
     * returns its format ("bzImage" or "ELF64"); throws {@link BootException} otherwise.
     */
    public static String identify(Path kernel) {
        fileSize(kernel, "kernel");
        byte[] head = new byte[SetupHeader.INIT_SIZE + 8];
        int n;
        try (InputStream in = Files.newInputStream(kernel)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new BootException("cannot read kernel " + kernel + ": " + e.getMessage() + "; check the file");
        }
        byte[] got = java.util.Arrays.copyOf(head, n);
        if (SetupHeader.isBzImage(got)) {
            return "bzImage";
        }
        if (Elf64.isElf64(got)) {
            return "ELF64";
        }
        throw new BootException(kernel + " is not a Linux kernel (no bzImage header, not ELF64);"
                + " pass a bzImage or vmlinux to --kernel");
    }

    private static LoadedKernel loadBzImage(GuestMemory memory, BootConfig config, byte[] image, long lowTop) {
        String name = config.kernel().toString();
        SetupHeader h = SetupHeader.parse(image);
        if (h.version() < SetupHeader.PROTOCOL_2_12 || (h.xloadflags() & SetupHeader.XLF_KERNEL_64) == 0) {
            throw new BootException(name + ": boot protocol " + SetupHeader.versionString(h.version())
                    + (h.version() >= SetupHeader.PROTOCOL_2_12 ? " without XLF_KERNEL_64" : "")
                    + " has no 64-bit entry point (needs 2.12 with XLF_KERNEL_64); pass an x86-64 kernel built after 3.8");
        }
        if ((h.loadflags() & SetupHeader.LOADED_HIGH) == 0) {
            throw new BootException(name + ": a zImage (loadflags 0x" + Integer.toHexString(h.loadflags())
                    + ", LOADED_HIGH clear) cannot be loaded at 1 MiB; pass a bzImage");
        }
        int pmOffset = h.protectedModeOffset();
        if (pmOffset >= image.length) {
            throw new BootException(name + ": setup_sects " + h.setupSects() + " puts the kernel past the end of the"
                    + " file (" + image.length + " bytes); the file is truncated");
        }
        long pmSize = image.length - pmOffset;
        // boot.rst, init_size: the kernel decompresses into [runtime_start, runtime_start + init_size).
        long align = h.kernelAlignment() == 0 ? 1 : h.kernelAlignment();
        long runtimeStart;
        if (h.relocatable()) {
            runtimeStart = alignUp(Math.max(KERNEL_LOAD, h.prefAddress()), align);
        } else {
            runtimeStart = h.prefAddress() != 0 ? h.prefAddress() : KERNEL_LOAD;
        }
        long kernelEnd = Math.max(KERNEL_LOAD + pmSize, runtimeStart + h.initSize());
        if (kernelEnd > lowTop) {
            throw new BootException(String.format("%s needs %s of RAM to decompress (init_size 0x%x at 0x%x) but the"
                    + " guest has %s below 3 GiB; raise --memory", name, GuestRam.human(kernelEnd),
                    h.initSize(), runtimeStart, GuestRam.human(lowTop)));
        }
        long maxCmdline = Math.min(h.cmdlineSize(), ZeroPage.CMDLINE_MAX - 1);
        byte[] cmdline = cmdline(config.cmdline(), maxCmdline);
        KernelPayload.Kernel extracted = null;
        if (config.decompressOnHost() && h.relocatable() && KernelPayload.decodable(image, h)) {
            extracted = KernelPayload.extract(image, h, config.cmdline(), new SecureRandom(), name);
        }

        clearBootArea(memory);
        long entry;
        long kernelStart;
        if (extracted == null) {
            memory.write(KERNEL_LOAD, image, pmOffset, (int) pmSize);
            entry = KERNEL_LOAD + ENTRY_64_OFFSET;
            kernelStart = KERNEL_LOAD;
        } else {
            entry = loadExtracted(memory, extracted, runtimeStart - h.prefAddress(), name);
            kernelStart = runtimeStart;
        }
        long bp = ZeroPage.ADDRESS;
        // zero-page.rst: the setup header is copied from the image, 0x1f1 up to its end.
        int hdrEnd = Math.min(h.headerEnd(), ZeroPage.SIZE);
        memory.write(bp + ZeroPage.SETUP_HEADER, image, SetupHeader.SETUP_SECTS, hdrEnd - SetupHeader.SETUP_SECTS);
        if (extracted != null && extracted.randomized()) {
            memory.writeByte(bp + SetupHeader.LOADFLAGS, (byte) (h.loadflags() | KernelPayload.KASLR_FLAG));
        }
        long[] initrd = loadInitrd(memory, config, Math.min(h.initrdAddrMax(), lowTop - 1), kernelEnd);
        writeBootParams(memory, config, bp, cmdline, initrd);
        X86BootState state = LongModeBoot.prepare(memory, entry, bp);
        return new LoadedKernel("bzImage", state, kernelStart, kernelEnd, initrd[0], initrd[1]);
    }

    /**
     * Copies a kernel decompressed on the host to its PT_LOADs' physical addresses moved by
     * {@code shift}, zeroes their bss, and returns the physical entry point (startup_64).
     */
    private static long loadExtracted(GuestMemory memory, KernelPayload.Kernel k, long shift, String name) {
        for (Elf64.Segment s : k.elf().loads()) {
            if (s.memsz() == 0) {
                continue;
            }
            memory.write(s.paddr() + shift, k.image(), (int) s.offset(), (int) s.filesz());
            zero(memory, s.paddr() + shift + s.filesz(), s.memsz() - s.filesz());
        }
        long entry = k.elf().physicalEntry();
        if (entry < 0) {
            throw new BootException(String.format("%s: the decompressed kernel's entry point 0x%x lies outside its"
                    + " segments; the file is corrupt", name, k.elf().entry()));
        }
        return entry + shift;
    }

    private static LoadedKernel loadElf(GuestMemory memory, BootConfig config, byte[] image, long lowTop) {
        String name = config.kernel().toString();
        Elf64 elf = Elf64.parse(image, name);
        long start = Long.MAX_VALUE;
        long end = 0;
        for (Elf64.Segment s : elf.loads()) {
            if (s.memsz() == 0) {
                continue;
            }
            if (s.paddr() < KERNEL_LOAD) {
                throw new BootException(String.format("%s: segment at 0x%x overlaps the boot data below 1 MiB;"
                        + " link the kernel at 0x100000 or above", name, s.paddr()));
            }
            if (s.memsz() > 0 && !memory.isRam(s.paddr(), s.memsz())) {
                throw new BootException(String.format("%s: segment 0x%x–0x%x does not fit in guest RAM (%s);"
                        + " raise --memory or relink the kernel lower", name, s.paddr(), s.paddr() + s.memsz(),
                        GuestRam.human(memory.ramSize())));
            }
            start = Math.min(start, s.paddr());
            end = Math.max(end, s.paddr() + s.memsz());
        }
        long entry = elf.physicalEntry();
        if (entry < 0) {
            throw new BootException(String.format("%s: entry point 0x%x lies outside every PT_LOAD segment;"
                    + " the file is not a bootable kernel", name, elf.entry()));
        }
        byte[] cmdline = cmdline(config.cmdline(), ZeroPage.CMDLINE_MAX - 1);

        clearBootArea(memory);
        for (Elf64.Segment s : elf.loads()) {
            if (s.memsz() == 0) {
                continue; // an empty PT_LOAD occupies nothing
            }
            memory.write(s.paddr(), image, (int) s.offset(), (int) s.filesz());
            zero(memory, s.paddr() + s.filesz(), s.memsz() - s.filesz());
        }
        long bp = ZeroPage.ADDRESS;
        writeSyntheticHeader(memory, bp);
        long[] initrd = loadInitrd(memory, config, Math.min(ELF_INITRD_ADDR_MAX, lowTop - 1), Math.min(end, lowTop));
        writeBootParams(memory, config, bp, cmdline, initrd);
        X86BootState state = LongModeBoot.prepare(memory, entry, bp);
        return new LoadedKernel("ELF64", state, start, end, initrd[0], initrd[1]);
    }

    /** A vmlinux has no setup header; give it the fields the kernel reads (boot.rst). */
    private static void writeSyntheticHeader(GuestMemory memory, long bp) {
        memory.writeShort(bp + SetupHeader.BOOT_FLAG, (short) SetupHeader.BOOT_FLAG_MAGIC);
        memory.writeInt(bp + SetupHeader.HEADER, SetupHeader.MAGIC_HDRS);
        memory.writeShort(bp + SetupHeader.VERSION, (short) SetupHeader.PROTOCOL_2_12);
        memory.writeByte(bp + SetupHeader.LOADFLAGS, (byte) SetupHeader.LOADED_HIGH);
        memory.writeInt(bp + SetupHeader.INITRD_ADDR_MAX, (int) ELF_INITRD_ADDR_MAX);
        memory.writeInt(bp + SetupHeader.KERNEL_ALIGNMENT, 0x200000);
        memory.writeInt(bp + SetupHeader.CMDLINE_SIZE, (int) (ZeroPage.CMDLINE_MAX - 1));
    }

    private static void writeBootParams(GuestMemory memory, BootConfig config, long bp, byte[] cmdline, long[] initrd) {
        memory.writeByte(bp + SetupHeader.TYPE_OF_LOADER, (byte) SetupHeader.TYPE_UNDEFINED_LOADER);
        memory.write(ZeroPage.CMDLINE, cmdline);
        memory.writeInt(bp + SetupHeader.CMD_LINE_PTR, (int) ZeroPage.CMDLINE);
        memory.writeInt(bp + ZeroPage.EXT_CMD_LINE_PTR, (int) (ZeroPage.CMDLINE >>> 32));
        memory.writeInt(bp + SetupHeader.RAMDISK_IMAGE, (int) initrd[0]);
        memory.writeInt(bp + SetupHeader.RAMDISK_SIZE, (int) initrd[1]);
        memory.writeInt(bp + ZeroPage.EXT_RAMDISK_IMAGE, (int) (initrd[0] >>> 32));
        memory.writeInt(bp + ZeroPage.EXT_RAMDISK_SIZE, (int) (initrd[1] >>> 32));
        memory.writeLong(bp + ZeroPage.ACPI_RSDP_ADDR, config.rsdpAddress());
        E820.of(memory).write(memory, bp);
    }

    /**
     * Copies the initrd to the highest 4 KiB-aligned address whose last byte is at or below
     * {@code maxAddr}, above {@code floor}. Returns {address, size}, {0, 0} without initrd.
     */
    private static long[] loadInitrd(GuestMemory memory, BootConfig config, long maxAddr, long floor) {
        if (config.initrd().isEmpty()) {
            return new long[] {0, 0};
        }
        Path path = config.initrd().get();
        long size = fileSize(path, "initrd");
        long start = (maxAddr + 1 - size) & -PAGE;
        long floorAligned = alignUp(floor, PAGE);
        if (size > maxAddr + 1 || start < floorAligned) {
            throw new BootException(String.format("initrd %s (%s) does not fit: only %s free between the kernel's"
                    + " end at 0x%x and 0x%x; raise --memory or use a smaller initrd", path, GuestRam.human(size),
                    GuestRam.human(Math.max(0, maxAddr + 1 - floorAligned)), floorAligned, maxAddr + 1));
        }
        byte[] buf = new byte[1 << 20];
        long at = start;
        try (InputStream in = Files.newInputStream(path)) {
            int n;
            while ((n = in.read(buf)) > 0 && at < start + size) {
                n = (int) Math.min(n, start + size - at);
                memory.write(at, buf, 0, n);
                at += n;
            }
        } catch (IOException e) {
            throw new BootException("cannot read initrd " + path + ": " + e.getMessage() + "; check the file");
        }
        if (at != start + size) {
            throw new BootException("initrd " + path + " changed size while loading; retry with a stable file");
        }
        return new long[] {start, size};
    }

    private static byte[] cmdline(String cmdline, long max) {
        byte[] b = cmdline.getBytes(StandardCharsets.UTF_8);
        if (b.length > max) {
            throw new BootException("kernel command line is " + b.length + " bytes, more than the kernel's limit of "
                    + max + "; shorten --cmdline");
        }
        if (cmdline.indexOf('\0') >= 0) {
            throw new BootException("kernel command line contains a NUL character; remove it from --cmdline");
        }
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /** Zeroes the boot data pages (zero page, GDT, page tables, command line) for a clean (re)boot. */
    private static void clearBootArea(GuestMemory memory) {
        zero(memory, 0, PageTables.PML4 + PageTables.SIZE);
        zero(memory, ZeroPage.CMDLINE, ZeroPage.CMDLINE_MAX);
    }

    private static void zero(GuestMemory memory, long gpa, long length) {
        byte[] z = new byte[(int) Math.min(length, 1 << 20)];
        while (length > 0) {
            int n = (int) Math.min(length, z.length);
            memory.write(gpa, z, 0, n);
            gpa += n;
            length -= n;
        }
    }

    static long lowRamTop(GuestMemory memory) {
        GuestMemory.Region first = memory.regions().getFirst();
        return first.guestAddress() == 0 ? first.end() : 0;
    }

    static long alignUp(long v, long align) {
        return (v + align - 1) / align * align;
    }

    private static byte[] readKernel(Path path) {
        long size = fileSize(path, "kernel");
        if (size > Integer.MAX_VALUE - 16) {
            throw new BootException("kernel " + path + " is " + GuestRam.human(size) + ", too large to be a kernel;"
                    + " pass a bzImage or vmlinux to --kernel");
        }
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new BootException("cannot read kernel " + path + ": " + e.getMessage() + "; check the file");
        }
    }

    /**
     * Checks that {@code path} is a readable regular file and returns its size; {@code what}
     * ("kernel", "initrd") names it and its option in the message of the {@link BootException}.
     */
    public static long requireReadable(Path path, String what) {
        return fileSize(path, what);
    }

    private static long fileSize(Path path, String what) {
        try {
            if (!Files.isRegularFile(path)) {
                if (Files.notExists(path)) {
                    throw new NoSuchFileException(path.toString());
                }
                throw new BootException(what + " " + path + " is not a regular file; pass a file to --" + what);
            }
            if (!Files.isReadable(path)) {
                throw new AccessDeniedException(path.toString());
            }
            return Files.size(path);
        } catch (NoSuchFileException e) {
            throw new BootException(what + " " + path + " does not exist; check the path given to --" + what);
        } catch (AccessDeniedException e) {
            throw new BootException(what + " " + path + " is not readable; check its permissions");
        } catch (IOException e) {
            throw new BootException("cannot read " + what + " " + path + ": " + e.getMessage() + "; check the file");
        }
    }
}

package io.jvirt.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.random.RandomGenerator;

/**
 * The compressed kernel inside a bzImage, decompressed and relocated on the host: what the
 * bzImage's own decompressor (arch/x86/boot/compressed/misc.c, extract_kernel) does in the guest,
 * done before the guest starts, so a software CPU does not spend the first second of every boot
 * emulating it. Firecracker and QEMU's PVH boot likewise start the kernel proper directly.
 *
 * <p>Only the LZ4 legacy format is decoded here ({@link Lz4Legacy}; Debian's kernels use it);
 * any other payload is left to the guest. The payload (boot.rst, payload_offset/payload_length,
 * protocol 2.08+) is the vmlinux ELF followed by its relocation table (only with
 * CONFIG_RANDOMIZE_BASE), compressed, then the decompressed length as 4 little-endian bytes.
 *
 * <p>KASLR as the guest's decompressor does it (arch/x86/boot/compressed/kaslr.c): unless the
 * command line says {@code nokaslr}, the kernel's virtual base moves by a random multiple of its
 * alignment within the 1 GiB kernel mapping, the relocation table is applied for that offset
 * and boot_params.hdr.loadflags gets KASLR_FLAG (so the kernel also randomizes its memory
 * regions). The physical load address stays pref_address.
 */
final class KernelPayload {
    /** boot.rst, loadflags bit 1: set by the decompressor when it randomized the kernel's base. */
    static final int KASLR_FLAG = 0x02;
    /** arch/x86/include/asm/page_64_types.h: __START_KERNEL_map, the kernel image's virtual base. */
    static final long START_KERNEL_MAP = 0xffffffff80000000L;
    /** page_64_types.h: KERNEL_IMAGE_SIZE with CONFIG_RANDOMIZE_BASE (which the relocation table implies). */
    static final long KERNEL_IMAGE_SIZE = 1L << 30;
    /** gABI ELF64 header: the section header table's offset, entry size and count. */
    private static final int E_SHOFF = 0x28, E_SHENTSIZE = 0x3a, E_SHNUM = 0x3c;

    /**
     * A decompressed kernel: the vmlinux ELF (in {@code image}, relocated for {@code virtualOffset})
     * and whether it was randomized.
     */
    record Kernel(byte[] image, Elf64 elf, long virtualOffset, boolean randomized) {
    }

    private KernelPayload() {
    }

    /** Whether the bzImage's payload is one this class decompresses (LZ4 legacy). */
    static boolean decodable(byte[] bzImage, SetupHeader h) {
        long start = h.payloadStart();
        long length = h.payloadLength(); // 0 before protocol 2.08
        return length >= 8 && start + length <= bzImage.length
                && Lz4Legacy.isLz4Legacy(bzImage, (int) start, (int) length);
    }

    /**
     * Decompresses the payload of a bzImage for which {@link #decodable} holds, and applies
     * KASLR unless {@code cmdline} has {@code nokaslr}; {@code random} picks the offset.
     * Throws {@link BootException} naming {@code name} on a corrupt payload.
     */
    static Kernel extract(byte[] bzImage, SetupHeader h, String cmdline, RandomGenerator random, String name) {
        int start = (int) h.payloadStart();
        int length = (int) h.payloadLength();
        int outLength = Lz4Legacy.le32(bzImage, start + length - 4);
        if (outLength <= 0 || outLength > h.initSize()) {
            throw new BootException(String.format("%s: the compressed kernel claims %d bytes decompressed, outside"
                    + " 1..init_size (0x%x); the file is corrupt", name, Integer.toUnsignedLong(outLength), h.initSize()));
        }
        byte[] vmlinux;
        try {
            vmlinux = Lz4Legacy.decode(bzImage, start, length - 4, outLength);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new BootException(name + ": the LZ4 kernel payload is corrupt (" + e.getMessage()
                    + "); the file is damaged, replace it");
        }
        if (!Elf64.isElf64(vmlinux)) {
            throw new BootException(name + ": the decompressed kernel is not an x86-64 ELF file; the file is corrupt");
        }
        Elf64 elf = Elf64.parse(vmlinux, name + " (decompressed)");
        long loadPhysical = h.prefAddress();
        for (Elf64.Segment s : elf.loads()) {
            if (s.memsz() > 0 && (s.paddr() < loadPhysical || s.paddr() + s.memsz() > loadPhysical + h.initSize())) {
                throw new BootException(String.format("%s: the decompressed kernel has a segment at 0x%x-0x%x, outside"
                        + " pref_address 0x%x + init_size 0x%x; the file is corrupt", name, s.paddr(),
                        s.paddr() + s.memsz(), loadPhysical, h.initSize()));
            }
        }
        long elfEnd = elfFileEnd(vmlinux, elf);
        boolean hasRelocs = outLength - elfEnd >= 12; // three zero terminators at least
        long imageSize = Math.max(outLength, end(elf) - loadPhysical);
        long align = Math.max(h.kernelAlignment(), 1);
        if (!hasRelocs || !h.relocatable() || hasWord(cmdline, "nokaslr") || imageSize + loadPhysical > KERNEL_IMAGE_SIZE) {
            return new Kernel(vmlinux, elf, 0, false);
        }
        long slots = 1 + (KERNEL_IMAGE_SIZE - loadPhysical - imageSize) / align;
        long offset = random.nextLong(slots) * align;
        if (offset != 0) {
            relocate(vmlinux, elf, outLength, (int) elfEnd, offset, name);
        }
        return new Kernel(vmlinux, elf, offset, true);
    }

    /**
     * Applies the relocation table at the end of {@code vmlinux} (it ends at {@code relocsEnd},
     * read backwards, misc.c handle_relocations) for a virtual move of {@code delta}: 32-bit
     * entries, then inverse 32-bit ones, then 64-bit ones, each list ended by a zero; an entry
     * is the sign-extended kernel virtual address of the field to patch.
     */
    static void relocate(byte[] vmlinux, Elf64 elf, int relocsEnd, int floor, long delta, String name) {
        ByteBuffer b = ByteBuffer.wrap(vmlinux).order(ByteOrder.LITTLE_ENDIAN);
        int at = relocsEnd - 4;
        for (int kind = 0; kind < 3; kind++) {
            while (true) {
                if (at < floor) {
                    throw new BootException(name + ": the kernel's relocation table has no end; the file is corrupt");
                }
                int entry = b.getInt(at);
                at -= 4;
                if (entry == 0) {
                    break;
                }
                int field = fileOffset(elf, entry - START_KERNEL_MAP, kind == 2 ? 8 : 4, name);
                switch (kind) {
                    case 0 -> b.putInt(field, (int) (b.getInt(field) + delta));
                    case 1 -> b.putInt(field, (int) (b.getInt(field) - delta));
                    default -> b.putLong(field, b.getLong(field) + delta);
                }
            }
        }
    }

    /** Where in the ELF file the {@code size} bytes at link-time physical address {@code pa} are. */
    private static int fileOffset(Elf64 elf, long pa, int size, String name) {
        for (Elf64.Segment s : elf.loads()) {
            if (pa >= s.paddr() && pa + size <= s.paddr() + s.filesz()) {
                return (int) (s.offset() + (pa - s.paddr()));
            }
        }
        throw new BootException(String.format("%s: a kernel relocation points at 0x%x, outside the kernel image;"
                + " the file is corrupt", name, pa + START_KERNEL_MAP));
    }

    /** The first physical address past every PT_LOAD segment (the kernel's _end). */
    static long end(Elf64 elf) {
        long end = 0;
        for (Elf64.Segment s : elf.loads()) {
            end = Math.max(end, s.paddr() + s.memsz());
        }
        return end;
    }

    /** The end of the ELF file proper: its section header table, or its last segment's bytes. */
    private static long elfFileEnd(byte[] file, Elf64 elf) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(E_SHOFF);
        int shentsize = b.getShort(E_SHENTSIZE) & 0xffff;
        int shnum = b.getShort(E_SHNUM) & 0xffff;
        long end = shoff + (long) shentsize * shnum;
        for (Elf64.Segment s : elf.loads()) {
            end = Math.max(end, s.offset() + s.filesz());
        }
        return Math.max(0, Math.min(end, file.length));
    }

    private static boolean hasWord(String cmdline, String word) {
        for (String w : cmdline.split("\\s+")) {
            if (w.equals(word)) {
                return true;
            }
        }
        return false;
    }
}

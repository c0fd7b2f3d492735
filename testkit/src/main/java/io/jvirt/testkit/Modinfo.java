package io.jvirt.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code .modinfo} section of a kernel module (an ELF64 relocatable): NUL-separated
 * {@code key=value} strings (include/linux/moduleparam.h, MODULE_INFO), of which
 * {@code depends=a,b} names the modules it needs loaded first, as modinfo(8) shows it.
 *
 * @param entries the key=value strings in file order
 */
record Modinfo(List<String> entries) {

    // ELF64 header (include/uapi/linux/elf.h, Elf64_Ehdr): e_shoff at 0x28, e_shentsize 0x3a,
    // e_shnum 0x3c, e_shstrndx 0x3e. Section header (Elf64_Shdr): sh_name at 0, sh_offset
    // 0x18, sh_size 0x20.
    private static final int E_SHOFF = 0x28;
    private static final int E_SHENTSIZE = 0x3a;
    private static final int E_SHNUM = 0x3c;
    private static final int E_SHSTRNDX = 0x3e;
    private static final int SH_NAME = 0;
    private static final int SH_OFFSET = 0x18;
    private static final int SH_SIZE = 0x20;
    private static final byte[] ELF64_LE = {0x7f, 'E', 'L', 'F', 2, 1}; // ELFCLASS64, ELFDATA2LSB

    static Modinfo of(Path ko) {
        byte[] b;
        try {
            b = Files.readAllBytes(ko);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel module " + ko, e);
        }
        return parse(b, ko.toString());
    }

    static Modinfo parse(byte[] b, String name) {
        if (b.length < 0x40 || !Arrays.equals(Arrays.copyOf(b, ELF64_LE.length), ELF64_LE)) {
            throw new IllegalArgumentException(name + " is not a little-endian ELF64 file (compressed module?)");
        }
        ByteBuffer e = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = e.getLong(E_SHOFF);
        int shentsize = Short.toUnsignedInt(e.getShort(E_SHENTSIZE));
        int shnum = Short.toUnsignedInt(e.getShort(E_SHNUM));
        int shstrndx = Short.toUnsignedInt(e.getShort(E_SHSTRNDX));
        if (shoff <= 0 || shoff + (long) shnum * shentsize > b.length || shstrndx >= shnum) {
            throw new IllegalArgumentException(name + ": section headers at 0x" + Long.toHexString(shoff)
                    + " (" + shnum + " of " + shentsize + " bytes) lie outside the file");
        }
        int strtab = (int) section(e, shoff, shentsize, shstrndx, SH_OFFSET);
        for (int i = 0; i < shnum; i++) {
            int nameAt = strtab + (int) (e.getInt((int) (shoff + (long) i * shentsize) + SH_NAME) & 0xffffffffL);
            if (cString(b, nameAt).equals(".modinfo")) {
                int off = (int) section(e, shoff, shentsize, i, SH_OFFSET);
                int size = (int) section(e, shoff, shentsize, i, SH_SIZE);
                if (off < 0 || size < 0 || (long) off + size > b.length) {
                    throw new IllegalArgumentException(name + ": .modinfo lies outside the file");
                }
                String all = new String(b, off, size, StandardCharsets.US_ASCII);
                return new Modinfo(Arrays.stream(all.split("\0")).filter(s -> !s.isEmpty()).toList());
            }
        }
        return new Modinfo(List.of());
    }

    /** The modules named by {@code depends=}, in order; empty when it depends on none. */
    List<String> depends() {
        return entries.stream().filter(s -> s.startsWith("depends="))
                .flatMap(s -> Arrays.stream(s.substring("depends=".length()).split(",")))
                .filter(s -> !s.isEmpty()).toList();
    }

    private static long section(ByteBuffer e, long shoff, int shentsize, int index, int field) {
        return e.getLong((int) (shoff + (long) index * shentsize) + field);
    }

    private static String cString(byte[] b, int at) {
        int end = at;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.US_ASCII);
    }
}

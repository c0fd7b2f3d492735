package io.jvirt.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The real-mode setup header of a bzImage (Documentation/arch/x86/boot.rst, "The Real-Mode
 * Kernel Header"). Offsets are from the start of the image file, which are also the offsets
 * of the same fields in boot_params (zero-page.rst: hdr at 0x1f1).
 */
record SetupHeader(int setupSects, int version, int loadflags, long initrdAddrMax, long kernelAlignment,
                   boolean relocatable, int xloadflags, long cmdlineSize, long payloadOffset, long payloadLength,
                   long prefAddress, long initSize, int headerEnd) {

    // boot.rst, "The Real-Mode Kernel Header" (offset/size/protocol).
    static final int SETUP_SECTS = 0x1f1;     // 1, 2.00+: 0 means 4
    static final int BOOT_FLAG = 0x1fe;       // 2: 0xAA55
    static final int JUMP = 0x200;            // 2: jump instruction; byte 0x201 = header end - 0x202
    static final int HEADER = 0x202;          // 4: "HdrS"
    static final int VERSION = 0x206;         // 2
    static final int TYPE_OF_LOADER = 0x210;  // 1
    static final int LOADFLAGS = 0x211;       // 1
    static final int RAMDISK_IMAGE = 0x218;   // 4
    static final int RAMDISK_SIZE = 0x21c;    // 4
    static final int CMD_LINE_PTR = 0x228;    // 4, 2.02+
    static final int INITRD_ADDR_MAX = 0x22c; // 4, 2.03+
    static final int KERNEL_ALIGNMENT = 0x230; // 4, 2.05+
    static final int RELOCATABLE_KERNEL = 0x234; // 1, 2.05+
    static final int XLOADFLAGS = 0x236;      // 2, 2.12+
    static final int CMDLINE_SIZE = 0x238;    // 4, 2.06+
    static final int PAYLOAD_OFFSET = 0x248;  // 4, 2.08+: from the protected-mode code
    static final int PAYLOAD_LENGTH = 0x24c;  // 4, 2.08+
    static final int PREF_ADDRESS = 0x258;    // 8, 2.10+
    static final int INIT_SIZE = 0x260;       // 4, 2.10+

    static final int MAGIC_HDRS = 0x53726448; // "HdrS" little-endian
    static final int BOOT_FLAG_MAGIC = 0xaa55;
    static final int LOADED_HIGH = 0x01;      // loadflags bit 0: protected-mode code at 0x100000
    static final int XLF_KERNEL_64 = 0x01;    // xloadflags bit 0: 64-bit entry at load address + 0x200
    static final int XLF_CAN_BE_LOADED_ABOVE_4G = 0x02;
    static final int PROTOCOL_2_12 = 0x020c;
    static final int TYPE_UNDEFINED_LOADER = 0xff; // boot.rst: "0xFF = undefined" loader ID
    static final long DEFAULT_INITRD_ADDR_MAX = 0x37ffffff; // boot.rst: before 2.03
    static final long DEFAULT_CMDLINE_SIZE = 255;            // boot.rst: before 2.06

    /** True when {@code image} carries the "HdrS" signature at 0x202. */
    static boolean isBzImage(byte[] image) {
        return image.length > INIT_SIZE + 4 && le(image).getInt(HEADER) == MAGIC_HDRS;
    }

    /** Parses the header of an image for which {@link #isBzImage} holds. */
    static SetupHeader parse(byte[] image) {
        ByteBuffer b = le(image);
        int sects = image[SETUP_SECTS] & 0xff;
        int version = b.getShort(VERSION) & 0xffff;
        return new SetupHeader(
                sects == 0 ? 4 : sects,
                version,
                image[LOADFLAGS] & 0xff,
                version >= 0x0203 ? Integer.toUnsignedLong(b.getInt(INITRD_ADDR_MAX)) : DEFAULT_INITRD_ADDR_MAX,
                version >= 0x0205 ? Integer.toUnsignedLong(b.getInt(KERNEL_ALIGNMENT)) : 0,
                version >= 0x0205 && image[RELOCATABLE_KERNEL] != 0,
                version >= PROTOCOL_2_12 ? b.getShort(XLOADFLAGS) & 0xffff : 0,
                version >= 0x0206 ? Integer.toUnsignedLong(b.getInt(CMDLINE_SIZE)) : DEFAULT_CMDLINE_SIZE,
                version >= 0x0208 ? Integer.toUnsignedLong(b.getInt(PAYLOAD_OFFSET)) : 0,
                version >= 0x0208 ? Integer.toUnsignedLong(b.getInt(PAYLOAD_LENGTH)) : 0,
                version >= 0x020a ? b.getLong(PREF_ADDRESS) : 0,
                version >= 0x020a ? Integer.toUnsignedLong(b.getInt(INIT_SIZE)) : 0,
                JUMP + 2 + (image[JUMP + 1] & 0xff));
    }

    /** Offset in the file of the protected-mode kernel: after the boot sector and setup sectors. */
    int protectedModeOffset() {
        return (setupSects + 1) * 512;
    }

    /** Offset in the file of the compressed kernel (boot.rst payload_offset; with payloadLength 0 before 2.08). */
    long payloadStart() {
        return protectedModeOffset() + payloadOffset;
    }

    static String versionString(int version) {
        return (version >> 8) + "." + String.format("%02d", version & 0xff);
    }

    private static ByteBuffer le(byte[] image) {
        return ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    }
}

package io.jvirt.vmm.arch.x86_64.firmware;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer for building firmware tables, with patching of earlier
 * fields (lengths, checksums) once the whole table is known.
 */
final class Bytes {
    private byte[] buf = new byte[256];
    private int size;

    int size() {
        return size;
    }

    Bytes u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    Bytes u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    Bytes u32(long v) {
        return u16((int) v).u16((int) (v >>> 16));
    }

    Bytes u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    Bytes bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** {@code s} in ASCII, padded with {@code pad} or cut to exactly {@code width} bytes. */
    Bytes ascii(String s, int width, char pad) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            u8(i < b.length ? b[i] : pad);
        }
        return this;
    }

    Bytes zeros(int n) {
        ensure(n);
        size += n;
        return this;
    }

    void putU8(int at, int v) {
        buf[at] = (byte) v;
    }

    void putU16(int at, int v) {
        putU8(at, v);
        putU8(at + 1, v >>> 8);
    }

    void putU32(int at, long v) {
        putU16(at, (int) v);
        putU16(at + 2, (int) (v >>> 16));
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }

    /** The byte that makes {@code b[from, to)} sum to zero mod 256 (ACPI 6.5 §5.2.5.3, MP 1.4 §4.1). */
    static int checksum(byte[] b, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += b[i];
        }
        return (-sum) & 0xff;
    }

    /** Sum of {@code b[from, to)} mod 256; zero for a correctly checksummed table. */
    static int sum(byte[] b, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += b[i];
        }
        return sum & 0xff;
    }
}

package io.jvirt.vmm.arch.x86_64.firmware;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A small ACPI Machine Language encoder (ACPI 6.5 §20.2, "AML Grammar Definition"): each method
 * returns the encoding of one term, and containers take their terms' encodings. Enough for a
 * DSDT of named objects, devices, packages, resource templates and trivial methods.
 */
final class Aml {
    // ACPI 6.5 §20.2.3 and §20.2.5 opcodes.
    static final int ZERO_OP = 0x00;
    static final int ONE_OP = 0x01;
    static final int NAME_OP = 0x08;
    static final int BYTE_PREFIX = 0x0a;
    static final int WORD_PREFIX = 0x0b;
    static final int DWORD_PREFIX = 0x0c;
    static final int STRING_PREFIX = 0x0d;
    static final int QWORD_PREFIX = 0x0e;
    static final int SCOPE_OP = 0x10;
    static final int BUFFER_OP = 0x11;
    static final int PACKAGE_OP = 0x12;
    static final int METHOD_OP = 0x14;
    static final int DUAL_NAME_PREFIX = 0x2e;
    static final int MULTI_NAME_PREFIX = 0x2f;
    static final int EXT_OP_PREFIX = 0x5b;
    static final int DEVICE_OP = 0x82; // after EXT_OP_PREFIX
    static final int ROOT_CHAR = '\\';
    static final int PARENT_PREFIX = '^';
    static final int RETURN_OP = 0xa4;

    private Aml() {
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * PkgLength (§20.2.4) for {@code contentLength} bytes that follow it; the encoded length
     * counts the PkgLength bytes themselves.
     */
    static byte[] pkgLength(int contentLength) {
        for (int n = 1; n <= 4; n++) {
            int total = contentLength + n;
            if (n == 1 && total <= 0x3f) {
                return new byte[] {(byte) total};
            }
            if (n > 1 && total < 1 << (4 + 8 * (n - 1))) {
                byte[] b = new byte[n];
                b[0] = (byte) (((n - 1) << 6) | (total & 0xf));
                for (int i = 1; i < n; i++) {
                    b[i] = (byte) (total >>> (4 + 8 * (i - 1)));
                }
                return b;
            }
        }
        throw new IllegalArgumentException("AML package of " + contentLength + " bytes exceeds PkgLength's 2^28 limit");
    }

    /** A NameString (§20.2.2): optional '\' or '^' prefixes, then dot-separated 1-4 char segments. */
    static byte[] nameString(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < path.length() && (path.charAt(i) == ROOT_CHAR || path.charAt(i) == PARENT_PREFIX)) {
            out.write(path.charAt(i++));
        }
        String rest = path.substring(i);
        if (rest.isEmpty()) {
            out.write(0); // NullName
            return out.toByteArray();
        }
        String[] segs = rest.split("\\.");
        if (segs.length == 2) {
            out.write(DUAL_NAME_PREFIX);
        } else if (segs.length > 2) {
            out.write(MULTI_NAME_PREFIX);
            out.write(segs.length);
        }
        for (String s : segs) {
            out.writeBytes(nameSeg(s));
        }
        return out.toByteArray();
    }

    /** A NameSeg: a lead character A-Z or '_', then A-Z, 0-9 or '_', padded to 4 with '_'. */
    static byte[] nameSeg(String seg) {
        if (seg.isEmpty() || seg.length() > 4 || !seg.matches("[A-Z_][A-Z0-9_]*")) {
            throw new IllegalArgumentException("AML name segment '" + seg + "' is not 1-4 of [A-Z0-9_] starting with a letter or '_'");
        }
        return (seg + "___").substring(0, 4).getBytes(StandardCharsets.US_ASCII);
    }

    /** An integer constant in its shortest encoding (§20.2.3 ComputationalData, ConstObj). */
    static byte[] integer(long v) {
        if (v == 0) {
            return new byte[] {ZERO_OP};
        }
        if (v == 1) {
            return new byte[] {ONE_OP};
        }
        Bytes b = new Bytes();
        if (v > 0 && v <= 0xff) {
            b.u8(BYTE_PREFIX).u8((int) v);
        } else if (v > 0 && v <= 0xffff) {
            b.u8(WORD_PREFIX).u16((int) v);
        } else if (v > 0 && v <= 0xffff_ffffL) {
            b.u8(DWORD_PREFIX).u32(v);
        } else {
            b.u8(QWORD_PREFIX).u64(v);
        }
        return b.toArray();
    }

    /** A string constant: ASCII 0x01-0x7f, NUL-terminated. */
    static byte[] string(String s) {
        for (char c : s.toCharArray()) {
            if (c == 0 || c > 0x7f) {
                throw new IllegalArgumentException("AML string '" + s + "' has a non-ASCII or NUL character");
            }
        }
        return concat(new byte[] {STRING_PREFIX}, s.getBytes(StandardCharsets.US_ASCII), new byte[] {0});
    }

    /**
     * EISAID("PNP0501"): three letters in 5-bit compressed form and four hex digits, as the
     * 32-bit integer whose little-endian bytes are the big-endian ID (ACPI 6.5 §6.1.5 _HID).
     */
    static byte[] eisaId(String id) {
        if (!id.matches("[A-Z]{3}[0-9A-F]{4}")) {
            throw new IllegalArgumentException("EISA ID '" + id + "' is not three capital letters and four hex digits");
        }
        int c1 = id.charAt(0) - 0x40;
        int c2 = id.charAt(1) - 0x40;
        int c3 = id.charAt(2) - 0x40;
        int hex = Integer.parseInt(id.substring(3), 16);
        long be = ((long) c1 << 26) | ((long) c2 << 21) | ((long) c3 << 16) | hex;
        long le = Integer.toUnsignedLong(Integer.reverseBytes((int) be));
        return integer(le);
    }

    /** Name(name, value). */
    static byte[] name(String name, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(name), value);
    }

    /** Scope(name) { terms }. */
    static byte[] scope(String name, byte[]... terms) {
        byte[] body = concat(nameString(name), concat(terms));
        return concat(new byte[] {SCOPE_OP}, pkgLength(body.length), body);
    }

    /** Device(name) { terms }. */
    static byte[] device(String name, byte[]... terms) {
        byte[] body = concat(nameString(name), concat(terms));
        return concat(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, pkgLength(body.length), body);
    }

    /** Method(name, args, NotSerialized) { terms }. */
    static byte[] method(String name, int args, byte[]... terms) {
        if (args < 0 || args > 7) {
            throw new IllegalArgumentException("AML method " + name + ": " + args + " arguments; use 0..7");
        }
        byte[] body = concat(nameString(name), new byte[] {(byte) args}, concat(terms));
        return concat(new byte[] {METHOD_OP}, pkgLength(body.length), body);
    }

    /** Return(value). */
    static byte[] returnValue(byte[] value) {
        return concat(new byte[] {(byte) RETURN_OP}, value);
    }

    /** Package() { elements } with NumElements = elements.length. */
    static byte[] pkg(byte[]... elements) {
        if (elements.length > 255) {
            throw new IllegalArgumentException("AML Package of " + elements.length + " elements; at most 255");
        }
        byte[] body = concat(new byte[] {(byte) elements.length}, concat(elements));
        return concat(new byte[] {PACKAGE_OP}, pkgLength(body.length), body);
    }

    /** Buffer() { data }. */
    static byte[] buffer(byte[] data) {
        byte[] body = concat(integer(data.length), data);
        return concat(new byte[] {BUFFER_OP}, pkgLength(body.length), body);
    }

    /** ResourceTemplate() { descriptors } : a buffer ending with an End Tag (§6.4.2.9). */
    static byte[] resourceTemplate(byte[]... descriptors) {
        return buffer(concat(concat(descriptors), new byte[] {0x79, 0x00}));
    }
}

package io.jvirt.vmm.difftest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Serializes cases into the initrd blob difftest.c reads (format in its header comment). */
final class DiffBlob {

    private DiffBlob() {
    }

    static byte[] write(List<DiffCase> cases) {
        int size = 16;
        for (DiffCase c : cases) {
            size += 8 + 17 * 8 + DiffCase.MEM + ((c.code().length + 7) & ~7);
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put("JVDIFF01".getBytes(StandardCharsets.US_ASCII)).putInt(cases.size()).putInt(0);
        for (DiffCase c : cases) {
            byte[] code = c.code();
            b.putInt(code.length).putInt(0);
            for (long r : c.gpr()) {
                b.putLong(r);
            }
            b.putLong(c.rflags()).put(c.mem()).put(code);
            b.position((b.position() + 7) & ~7);
        }
        return b.array();
    }
}

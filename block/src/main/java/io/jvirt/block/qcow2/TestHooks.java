package io.jvirt.block.qcow2;

import java.nio.ByteBuffer;

/**
 * Points where tests stop one request to let another run: deterministic interleavings for the
 * races the locking must survive. Null (and free) in production.
 */
final class TestHooks {

    /** Called at a point of a request on guest cluster {@code g} of image {@code f}. */
    interface Hook {
        void at(Qcow2File f, long g);
    }

    /** After a read looked up a guest cluster's mapping, before it reads the data. */
    static volatile Hook afterLookup;
    /** After a writer filled a newly allocated cluster, before it publishes the mapping. */
    static volatile Hook beforePublish;

    /** Sees every write to an image file and every sync, in order (for power-loss tests). */
    interface FileLog {
        void write(long pos, ByteBuffer data);

        void sync();
    }

    static volatile FileLog fileLog;

    private TestHooks() {
    }

    static void written(long pos, ByteBuffer data) {
        FileLog l = fileLog;
        if (l != null) {
            l.write(pos, data.duplicate());
        }
    }

    static void synced() {
        FileLog l = fileLog;
        if (l != null) {
            l.sync();
        }
    }

    static void afterLookup(Qcow2File f, long g) {
        Hook h = afterLookup;
        if (h != null) {
            h.at(f, g);
        }
    }

    static void beforePublish(Qcow2File f, long g) {
        Hook h = beforePublish;
        if (h != null) {
            h.at(f, g);
        }
    }
}

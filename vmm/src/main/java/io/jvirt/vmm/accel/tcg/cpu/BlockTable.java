package io.jvirt.vmm.accel.tcg.cpu;

/**
 * Decoded blocks by guest-physical address and code size: an open-addressing hash table that
 * grows instead of evicting. A direct-mapped cache of 64k entries lost two of every three
 * decoded blocks of a Linux boot to conflicts (178k of 270k decodes), and with each block its
 * translation, which then had to warm up, be translated and be compiled again.
 *
 * <p>Stale blocks (their page's {@link CodePages} generation moved on) stay until the same key
 * is decoded again and replaces them; the table is emptied if it ever holds {@link #MAX}
 * blocks, which bounds the memory a guest can make it hold.
 */
final class BlockTable {
    private static final int INITIAL = 1 << 16;
    /** About 1 KiB per decoded block with its instructions: at most ~256 MiB of heap. */
    static final int MAX = 1 << 18;

    private long[] keys = new long[INITIAL];
    private Block[] blocks = new Block[INITIAL];
    private int size;

    /** The key of (pa, mode): mode is 16, 32 or 64, so its bits 4..6 are enough. */
    private static long key(long pa, int mode) {
        return pa << 3 | (mode >> 4);
    }

    private static int slot(long key, int length) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(length)));
    }

    /** The block decoded at {@code pa} for code size {@code mode}, possibly stale, or null. */
    Block get(long pa, int mode) {
        long k = key(pa, mode);
        long[] ks = keys;
        int m = ks.length - 1;
        for (int i = slot(k, ks.length); ; i = (i + 1) & m) {
            Block b = blocks[i];
            if (b == null) {
                return null;
            }
            if (ks[i] == k) {
                return b;
            }
        }
    }

    void put(Block b) {
        if (size >= MAX) {
            clear();
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        insert(key(b.pa, b.mode), b);
    }

    private void insert(long k, Block b) {
        int m = keys.length - 1;
        for (int i = slot(k, keys.length); ; i = (i + 1) & m) {
            if (blocks[i] == null) {
                keys[i] = k;
                blocks[i] = b;
                size++;
                return;
            }
            if (keys[i] == k) {
                blocks[i] = b;
                return;
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        Block[] old = blocks;
        keys = new long[oldKeys.length * 2];
        blocks = new Block[old.length * 2];
        size = 0;
        for (int i = 0; i < old.length; i++) {
            if (old[i] != null) {
                insert(oldKeys[i], old[i]);
            }
        }
    }

    private void clear() {
        keys = new long[INITIAL];
        blocks = new Block[INITIAL];
        size = 0;
    }
}

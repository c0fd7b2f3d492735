package io.jvirt.vmm.accel.tcg.cpu;

import io.jvirt.vmm.memory.GuestMemory;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Which guest-physical RAM pages hold decoded code, shared by every vCPU of one guest memory.
 * A decoded block remembers its page's generation; any CPU write to a marked page bumps the
 * generation, so stale blocks are dropped on their next lookup. Device DMA writes go through
 * {@link DmaMemory} (the tcg VM's {@code AccelVm.deviceMemory} view), which calls
 * {@link #written(long)} too.
 */
final class CodePages {
    private static final Map<GuestMemory, CodePages> ALL = Collections.synchronizedMap(new WeakHashMap<>());

    private final byte[] marked;
    private final int[] generation;
    /**
     * Bumped with any page's generation (racy across threads, but every bump changes it):
     * chained translations ({@link Translated}) check this one number instead of their
     * target's page.
     */
    int writes;

    private CodePages(long top) {
        int pages = (int) Math.min(Integer.MAX_VALUE - 8, (top + 4095) >>> 12);
        marked = new byte[pages];
        generation = new int[pages];
    }

    static CodePages of(GuestMemory memory) {
        synchronized (ALL) {
            return ALL.computeIfAbsent(memory, m -> {
                long top = 0;
                for (GuestMemory.Region r : m.regions()) {
                    top = Math.max(top, r.end());
                }
                return new CodePages(top);
            });
        }
    }

    /** Marks a page as holding code; returns its current generation (-1: not cacheable). */
    int mark(long pa) {
        long ppn = pa >>> 12;
        if (ppn >= marked.length) {
            return -1;
        }
        marked[(int) ppn] = 1;
        return generation[(int) ppn];
    }

    int generation(long pa) {
        long ppn = pa >>> 12;
        return ppn < generation.length ? generation[(int) ppn] : -2;
    }

    /** True when the page may hold code (cheap check on every RAM write). */
    boolean isCode(long pa) {
        long ppn = pa >>> 12;
        return ppn < marked.length && marked[(int) ppn] != 0;
    }

    /** A write hit {@code pa}: drops decoded blocks of its page. */
    void written(long pa) {
        long ppn = pa >>> 12;
        if (ppn < marked.length && marked[(int) ppn] != 0) {
            marked[(int) ppn] = 0;
            generation[(int) ppn]++;
            writes++;
        }
    }
}

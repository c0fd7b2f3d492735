package io.jvirt.block.qcow2;

import java.io.IOException;

/**
 * How a modifying request runs: under the image's shared lock (or the exclusive one), with the
 * lazy-refcounts dirty bit set first, and with the work that needs the exclusive lock done
 * afterwards: growing a full refcount table (then the request runs again) and writing back
 * mapping changes and releasing dropped clusters when too many wait (see {@link Tables}).
 */
final class Requests {

    interface Op {
        void run() throws IOException;
    }

    private final Qcow2File f;

    Requests(Qcow2File f) {
        this.f = f;
    }

    void run(boolean exclusive, Op op) throws IOException {
        f.checkWritable();
        while (true) {
            boolean tableFull = false;
            var lock = exclusive ? f.rw.writeLock() : f.rw.readLock();
            lock.lock();
            try {
                markDirty();
                op.run();
            } catch (Refcounts.TableFull full) {
                tableFull = true; // grow under the exclusive lock, then retry the whole request
            } finally {
                lock.unlock();
            }
            if (!tableFull && !f.tables.needsWriteBack()) {
                return;
            }
            f.rw.writeLock().lock();
            try {
                if (tableFull) {
                    new Commit(f).run();
                } else {
                    f.tables.writeBack(true);
                    return;
                }
            } finally {
                f.rw.writeLock().unlock();
            }
        }
    }

    private void markDirty() throws IOException {
        if (f.dirtyByUs || (f.h.compatible & Header.COMPAT_LAZY_REFCOUNTS) == 0) {
            return;
        }
        f.meta.lock();
        try {
            if (!f.dirtyByUs) {
                f.h.incompatible |= Header.INCOMPAT_DIRTY;
                f.writeHeader();
                f.dirtyByUs = true;
            }
        } finally {
            f.meta.unlock();
        }
    }
}

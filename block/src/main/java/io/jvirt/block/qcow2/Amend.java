package io.jvirt.block.qcow2;

import io.jvirt.block.BlockException;
import java.io.IOException;

/**
 * Changes of the header alone: {@code amend} (compat level, lazy refcounts) and
 * {@code rebase -u} (the backing file's name and format). One write of the header each.
 */
final class Amend {

    private final Qcow2File f;

    Amend(Qcow2File f) {
        this.f = f;
    }

    void setBacking(String file, String format) throws IOException {
        f.checkWritable();
        f.rw.writeLock().lock();
        try {
            f.h.backingFile = file;
            f.h.backingFormat = file == null ? null : format;
            f.writeHeader();
        } finally {
            f.rw.writeLock().unlock();
        }
    }

    void amend(Boolean lazyRefcounts, Integer version) throws IOException {
        f.checkWritable();
        f.rw.writeLock().lock();
        try {
            if (version != null && version != f.h.version) {
                if (version == 3) {
                    f.h.version = 3;
                    f.h.headerLength = Header.V3_LENGTH;
                    f.h.refcountOrder = 4;
                } else {
                    Snapshots.downgrade(f);
                }
            }
            if (lazyRefcounts != null) {
                if (lazyRefcounts && f.h.version < 3) {
                    throw new BlockException(f.name + ": lazy_refcounts needs compat=1.1; "
                            + "add -o compat=1.1");
                }
                f.h.compatible = lazyRefcounts ? f.h.compatible | Header.COMPAT_LAZY_REFCOUNTS
                        : f.h.compatible & ~Header.COMPAT_LAZY_REFCOUNTS;
            }
            f.writeHeader();
            f.sync(true);
        } finally {
            f.rw.writeLock().unlock();
        }
    }
}

package io.jvirt.cli.img;

import io.jvirt.block.BlockException;
import io.jvirt.block.HostFile;
import io.jvirt.block.HostFiles;
import io.jvirt.sys.FileSpace;
import io.jvirt.sys.SysException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The block module's {@link HostFiles} over the sys module's {@link FileSpace} (lseek
 * SEEK_DATA/SEEK_HOLE, fallocate, fstat). block is pure Java and sys may not know block, so the
 * two meet here, in the program that links both; {@link #install()} runs at jvirt's start.
 */
public final class NativeHostFiles implements HostFiles {

    private static final System.Logger LOG = System.getLogger(NativeHostFiles.class.getName());

    private NativeHostFiles() {
    }

    /**
     * Makes every image opened afterwards use the native services. The native calls are linked
     * when the first image is opened, not here: linking them takes about 0.17 s, which every
     * jvirt command paid at start whether it opened an image or not. Where native access is not
     * available (a JVM without --enable-native-access, another OS), images keep the portable
     * services and a debug line says why.
     */
    public static void install() {
        if (!(HostFiles.installed() instanceof NativeHostFiles)) {
            HostFiles.install(new NativeHostFiles());
        }
    }

    /** Whether the native services work here (links them on first call). */
    public static boolean available() {
        return Linked.AVAILABLE;
    }

    @Override
    public HostFile open(Path path, FileChannel channel, boolean writable) throws IOException {
        if (!Linked.AVAILABLE) {
            return HostFiles.portable().open(path, channel, writable);
        }
        try {
            return new Native(path, FileSpace.open(path, writable), HostFiles.portable()
                    .open(path, channel, writable));
        } catch (SysException e) {
            throw new BlockException(path + ": " + e.getMessage() + "; check the file", e);
        }
    }

    /** The native calls, linked on first use (class initialization runs once, thread-safely). */
    private static final class Linked {
        static final boolean AVAILABLE = link();

        private static boolean link() {
            try {
                FileSpace.open(Path.of("/"), false).close(); // links the calls, or fails here
                return true;
            } catch (LinkageError | RuntimeException e) {
                LOG.log(Level.DEBUG, "native file services unavailable, using the portable ones: {0}",
                        e.toString());
                return false;
            }
        }
    }

    /** One file; falls back to the portable behaviour where the file system cannot punch. */
    private static final class Native implements HostFile {

        private final Path path;
        private final FileSpace space;
        private final HostFile portable;
        private volatile boolean canPunch = true;

        Native(Path path, FileSpace space, HostFile portable) {
            this.path = path;
            this.space = space;
            this.portable = portable;
        }

        @Override
        public long nextData(long offset) throws IOException {
            try {
                return space.nextData(offset);
            } catch (SysException e) {
                throw error(e);
            }
        }

        @Override
        public long nextHole(long offset) throws IOException {
            try {
                return space.nextHole(offset);
            } catch (SysException e) {
                throw error(e);
            }
        }

        @Override
        public boolean sparse() {
            return canPunch;
        }

        @Override
        public void punchHole(long offset, long length) throws IOException {
            if (canPunch) {
                try {
                    space.punchHole(offset, length);
                    return;
                } catch (SysException e) {
                    if (!e.is("EOPNOTSUPP")) {
                        throw error(e);
                    }
                    canPunch = false; // e.g. a file system without hole punching: write zeroes
                }
            }
            portable.punchHole(offset, length);
        }

        @Override
        public void allocate(long offset, long length) throws IOException {
            try {
                space.allocate(offset, length);
            } catch (SysException e) {
                if (!e.is("EOPNOTSUPP")) {
                    throw error(e);
                }
                portable.allocate(offset, length);
            }
        }

        @Override
        public long allocatedBytes() throws IOException {
            try {
                return space.allocatedBytes();
            } catch (SysException e) {
                throw error(e);
            }
        }

        private BlockException error(SysException e) {
            String fix = e.is("ENOSPC") ? "free space on the host file system"
                    : "check the file and its file system";
            return new BlockException(path + ": " + e.call() + " failed: " + e.errnoName() + "; "
                    + fix, e);
        }

        @Override
        public void close() throws IOException {
            try {
                space.close();
            } finally {
                portable.close();
            }
        }
    }
}

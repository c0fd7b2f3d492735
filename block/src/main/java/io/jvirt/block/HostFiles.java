package io.jvirt.block;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Opens {@link HostFile}s: the host file-system services images use (holes, punching,
 * preallocation, allocated size). The block module is pure Java and ships only the portable
 * implementation; a program that may use native code (jvirt's cli, which also starts the VMM)
 * installs the native one from the sys module once at start-up with {@link #install}. Every
 * image opened afterwards uses it.
 */
public interface HostFiles {

    /**
     * Services for the file at {@code path}, which the caller has open as {@code channel}
     * (the portable implementation works through the channel; a native one may open the path
     * again, so both must name the same file).
     */
    HostFile open(Path path, FileChannel channel, boolean writable) throws IOException;

    /** Pure Java: no holes known, zero-writes instead of punching, the file length as its size. */
    static HostFiles portable() {
        return PortableHostFile.FILES;
    }

    /** What images opened from now on use: the installed implementation, else the portable one. */
    static HostFiles installed() {
        return PortableHostFile.installed;
    }

    /** Makes {@code files} the implementation every image opened afterwards uses. */
    static void install(HostFiles files) {
        PortableHostFile.installed = java.util.Objects.requireNonNull(files, "files");
    }

    /** Storage the file at {@code path} occupies (qemu-img info's "disk size"). */
    static long allocatedBytes(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path);
             HostFile f = installed().open(path, ch, false)) {
            return f.allocatedBytes();
        }
    }
}

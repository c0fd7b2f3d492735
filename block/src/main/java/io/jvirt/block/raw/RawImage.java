package io.jvirt.block.raw;

import io.jvirt.block.BlockDevice;
import io.jvirt.block.BlockException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A raw image: guest offset equals file offset. */
public interface RawImage extends BlockDevice {

    /** Opens an existing raw file. */
    static RawImage open(Path path, boolean readOnly) throws IOException {
        try {
            FileChannel ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new RawFile(path, ch, readOnly);
        } catch (NoSuchFileException e) {
            throw new BlockException(path + ": no such file; check the path");
        } catch (AccessDeniedException e) {
            throw new BlockException(path + ": permission denied; open it read-only or fix its mode");
        }
    }

    /**
     * Creates (or truncates) a raw file of {@code size} bytes. {@code preallocation}: "off"
     * (sparse), "falloc" (blocks reserved with fallocate where the host can), "full" (zeroes
     * written); "metadata" is "off" for raw, as in qemu.
     */
    static void create(Path path, long size, String preallocation) throws IOException {
        RawFile.create(path, size, preallocation);
    }

    /** Sets the file length (grow or shrink). */
    void resize(long newSize) throws IOException;
}

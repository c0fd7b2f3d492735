package io.jvirt.block;

/**
 * One run of a device with a single allocation status, as {@code qemu-img map} reports it.
 *
 * @param start      guest offset
 * @param length     bytes
 * @param data       the range holds data somewhere in the chain (false: reads as zeroes)
 * @param zero       the range reads as zeroes
 * @param depth      0 for the top image, 1 for its backing file, ...; for unallocated ranges the
 *                   depth of the chain's end
 * @param present    allocated in some image of the chain
 * @param hostOffset offset in {@code file}, or -1 when there is none (qcow2 holes, zero and
 *                   compressed clusters; a raw file's holes keep their offset, as in qemu-img map)
 * @param file       file that holds the data, or null
 */
public record Extent(long start, long length, boolean data, boolean zero, int depth,
                     boolean present, long hostOffset, String file) {

    public Extent withLength(long newLength) {
        return new Extent(start, newLength, data, zero, depth, present, hostOffset, file);
    }
}

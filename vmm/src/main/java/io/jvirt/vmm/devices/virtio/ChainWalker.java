package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The syntax of split-virtqueue descriptor chains (virtio 1.2 §2.7.5, §2.7.5.3): follows NEXT
 * links and one level of indirect table from a head index and checks everything the driver
 * controls. No device semantics here; the result is a {@link Request} or the reason the chain
 * is malformed. Every descriptor and buffer is checked with {@link GuestMemory#backingOffset}
 * before it is read; chains are bounded by their table size, so loops end.
 */
final class ChainWalker {

    /** What walking a chain gave. */
    sealed interface Result {
        record Ok(Request request) implements Result {
        }

        record Malformed(int head, String reason) implements Result {
        }
    }

    private ChainWalker() {
    }

    /**
     * Walks the chain at {@code head} of the descriptor table at {@code table} ({@code size}
     * entries, already checked to be RAM). {@code head} must be below {@code size}.
     */
    static Result walk(GuestMemory memory, long table, int size, int head, boolean indirectAllowed) {
        List<Request.Buffer> readable = new ArrayList<>();
        List<Request.Buffer> writable = new ArrayList<>();
        long total = 0;
        long tableAddr = table;
        int tableSize = size;
        boolean inIndirect = false;
        int index = head;
        int visited = 0;
        while (true) {
            if (index >= tableSize) {
                return bad(head, "descriptor index %d is past the %s of %d entries", index, where(inIndirect), tableSize);
            }
            if (++visited > tableSize) {
                return bad(head, "chain loops or is longer than its %s of %d entries", where(inIndirect), tableSize);
            }
            long d = tableAddr + (long) index * Virtio.DESC_SIZE;
            if (memory.backingOffset(d, Virtio.DESC_SIZE) < 0) {
                return bad(head, "descriptor %d at 0x%x is not RAM", index, d);
            }
            long addr = memory.readLong(d);
            long len = Integer.toUnsignedLong(memory.readInt(d + 8));
            int flags = memory.readShort(d + 12) & 0xffff;
            int next = memory.readShort(d + 14) & 0xffff;
            if ((flags & Virtio.VIRTQ_DESC_F_INDIRECT) != 0) {
                if (!indirectAllowed) {
                    return bad(head, "descriptor %d is INDIRECT but VIRTIO_F_RING_INDIRECT_DESC was not negotiated", index);
                }
                if (inIndirect) {
                    return bad(head, "indirect table entry %d is itself INDIRECT (§2.7.5.3.1 forbids nesting)", index);
                }
                if ((flags & Virtio.VIRTQ_DESC_F_NEXT) != 0) {
                    return bad(head, "descriptor %d sets both INDIRECT and NEXT (§2.7.5.3.1)", index);
                }
                if (len == 0 || len % Virtio.DESC_SIZE != 0 || len / Virtio.DESC_SIZE > Virtio.MAX_QUEUE_SIZE) {
                    return bad(head, "indirect table length %d is not a non-zero multiple of 16 up to %d entries",
                            len, Virtio.MAX_QUEUE_SIZE);
                }
                if (memory.backingOffset(addr, len) < 0) {
                    return bad(head, "indirect table 0x%x+0x%x is not RAM", addr, len);
                }
                tableAddr = addr;
                tableSize = (int) (len / Virtio.DESC_SIZE);
                inIndirect = true;
                index = 0;
                visited = 0;
                continue;
            }
            if (len > 0 && memory.backingOffset(addr, len) < 0) {
                return bad(head, "buffer 0x%x+0x%x of descriptor %d is not RAM", addr, len, index);
            }
            boolean write = (flags & Virtio.VIRTQ_DESC_F_WRITE) != 0;
            if (!write && !writable.isEmpty()) {
                return bad(head, "device-readable descriptor %d follows a device-writable one (§2.7.4.2)", index);
            }
            total += len;
            if (total > 0xffff_ffffL) {
                return bad(head, "chain is longer than 4 GiB, the used ring's length field");
            }
            if (len > 0) {
                (write ? writable : readable).add(new Request.Buffer(addr, len));
            }
            if ((flags & Virtio.VIRTQ_DESC_F_NEXT) == 0) {
                return new Result.Ok(new Request(head, readable, writable));
            }
            index = next;
        }
    }

    private static String where(boolean indirect) {
        return indirect ? "indirect table" : "descriptor table";
    }

    private static Result bad(int head, String format, Object... args) {
        return new Result.Malformed(head, "chain at head " + head + ": " + String.format(format, args));
    }
}

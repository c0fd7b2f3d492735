package io.jvirt.block;

import java.io.IOException;

/**
 * The one error type of the block layer. The message is a single line naming the file, the
 * offending value and what to do, e.g. {@code disk.qcow2: L2 table at 0x50001 is not aligned
 * to the cluster size 65536; run 'jvirt img check -r all disk.qcow2'}.
 */
public final class BlockException extends IOException {

    public BlockException(String message) {
        super(message);
    }

    public BlockException(String message, Throwable cause) {
        super(message, cause);
    }
}

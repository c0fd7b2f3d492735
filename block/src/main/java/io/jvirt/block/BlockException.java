package io.jvirt.block;

import java.io.IOException;

/**
 * The one error type of the block layer. The message is a single line naming the file, the
 * offending value and what to do, e.g. {@code disk.qcow2: L2 table at 0x50001 is not aligned
 * to the cluster size 65536; run 'jvirt img check -r all disk.qcow2'}.
 */
public final class BlockException extends IOException {

    public BlockException(String message) {
        super(oneLine(message));
    }

    public BlockException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Messages quote names from image files (hostile input): control characters are escaped. */
    static String oneLine(String m) {
        if (m == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(m.length());
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isISOControl(c)) {
                b.append(String.format("\\x%02x", (int) c & 0xff));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}

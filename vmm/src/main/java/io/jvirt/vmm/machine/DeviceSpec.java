package io.jvirt.vmm.machine;

import io.jvirt.net.Nic;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One virtio device of a machine, as {@code jvirt run --disk/--rng/--net} names it. Each is
 * wired to its own virtio-mmio transport and announced to the guest in the DSDT.
 */
public sealed interface DeviceSpec {

    /**
     * A virtio-blk disk (virtio 1.2 §5.2) over the image at {@code path}.
     *
     * @param format   "raw" or "qcow2"; empty means probe the file
     * @param serial   what the guest reads from /sys/block/vdX/serial (at most 20 bytes, §5.2.6)
     */
    record Disk(Path path, Optional<String> format, boolean readOnly, String serial) implements DeviceSpec {
        /** VIRTIO_BLK_ID_BYTES, virtio 1.2 §5.2.6. */
        public static final int MAX_SERIAL = 20;
        private static final String USAGE = "; use PATH[,format=raw|qcow2][,readonly=on][,serial=S]";

        public Disk {
            format.ifPresent(f -> {
                if (!f.equals("raw") && !f.equals("qcow2")) {
                    throw new IllegalArgumentException("--disk " + path + ": unknown format '" + f + "'; use format=raw or format=qcow2");
                }
            });
            if (serial.length() > MAX_SERIAL || !serial.matches("[\\x21-\\x7e]*")) {
                throw new IllegalArgumentException("--disk " + path + ": serial '" + serial
                        + "' is not up to " + MAX_SERIAL + " printable ASCII characters; use e.g. serial=disk0");
            }
        }

        /** Throws a one-line IllegalArgumentException unless {@link #path} is a regular file. */
        public void requireFile() {
            if (!java.nio.file.Files.isRegularFile(path)) {
                throw new IllegalArgumentException("--disk " + path + ": no such image file; check the path");
            }
        }

        /** Parses {@code PATH[,format=raw|qcow2][,readonly=on|off][,serial=S]}. */
        public static Disk parse(String spec) {
            String[] parts = spec.split(",", -1);
            if (parts[0].isEmpty() || parts[0].contains("=")) {
                throw new IllegalArgumentException("--disk '" + spec + "': no image path first" + USAGE);
            }
            Path path = Path.of(parts[0]);
            Optional<String> format = Optional.empty();
            boolean readOnly = false;
            String serial = "";
            for (int i = 1; i < parts.length; i++) {
                String part = parts[i];
                int eq = part.indexOf('=');
                String key = eq < 0 ? part : part.substring(0, eq);
                String value = eq < 0 ? "" : part.substring(eq + 1);
                switch (key) {
                    case "format" -> format = Optional.of(value);
                    case "readonly" -> readOnly = switch (value) {
                        case "on", "true", "yes", "" -> true;
                        case "off", "false", "no" -> false;
                        default -> throw new IllegalArgumentException("--disk '" + spec + "': readonly='" + value
                                + "' is not on or off; use readonly=on");
                    };
                    case "serial" -> serial = value;
                    default -> throw new IllegalArgumentException("--disk '" + spec + "': unknown option '" + part + "'" + USAGE);
                }
            }
            return new Disk(path, format, readOnly, serial);
        }
    }

    /** A virtio-rng entropy source (virtio 1.2 §5.4) fed from the host's /dev/urandom. */
    record Rng() implements DeviceSpec {
    }

    /** A virtio-net card (virtio 1.2 §5.1) plugged into a host TAP. */
    record Net(Nic nic) implements DeviceSpec {
        /** Parses {@code tap=NAME[,mac=MAC]}. */
        public static Net parse(String spec) {
            try {
                return new Net(Nic.parse(spec));
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new IllegalArgumentException(m.startsWith("--net") ? m : "--net '" + spec + "': " + m, e);
            }
        }
    }
}

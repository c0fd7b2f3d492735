package io.jvirt.block.tool;

import io.jvirt.block.BlockException;
import io.jvirt.block.qcow2.Qcow2Image;
import java.util.Map;

/** Turns qemu-img's -o key=value list into {@link Qcow2Image.CreateOptions}. */
final class CreateOptionsParser {

    private CreateOptionsParser() {
    }

    static boolean bool(String file, String key, String v) throws BlockException {
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new BlockException(file + ": " + key + "=" + v
                    + " is not a boolean; use on or off");
        };
    }

    static int compat(String file, String v) throws BlockException {
        return switch (v) {
            case "0.10", "v2" -> 2;
            case "1.1", "v3" -> 3;
            default -> throw new BlockException(file + ": compat=" + v
                    + " is invalid; use compat=0.10 or compat=1.1");
        };
    }

    static Qcow2Image.CreateOptions qcow2(String file, long size, Map<String, String> o,
                                          String backing, String backingFmt)
            throws BlockException {
        Qcow2Image.CreateOptions d = Qcow2Image.CreateOptions.of(size);
        int version = d.version();
        int cs = d.clusterSize();
        int rb = d.refcountBits();
        boolean lazy = false;
        boolean ext = false;
        String comp = "zlib";
        String prealloc = "off";
        for (var e : o.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            switch (k) {
                case "cluster_size" -> cs = (int) Math.min(Integer.MAX_VALUE,
                        Fmt.parseSize(file + ": cluster_size", v));
                case "refcount_bits" -> {
                    try {
                        rb = Integer.parseInt(v);
                    } catch (NumberFormatException ex) {
                        throw new BlockException(file + ": refcount_bits=" + v
                                + " is not a number; give a power of two up to 64");
                    }
                }
                case "lazy_refcounts" -> lazy = bool(file, k, v);
                case "extended_l2" -> ext = bool(file, k, v);
                case "compression_type" -> comp = v;
                case "preallocation" -> prealloc = v;
                case "compat" -> version = compat(file, v);
                case "backing_file" -> backing = v;
                case "backing_fmt" -> backingFmt = v;
                case "size", "encrypt.format", "help" -> { }
                default -> throw new BlockException(file + ": invalid parameter '" + k
                        + "' for qcow2; see 'jvirt img --help' for the -o options");
            }
        }
        return new Qcow2Image.CreateOptions(size, version, cs, rb, lazy, ext, comp, prealloc,
                backing, backingFmt);
    }
}

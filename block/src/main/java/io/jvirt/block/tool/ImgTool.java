package io.jvirt.block.tool;

import io.jvirt.block.BlockException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code jvirt img}: qemu-img's verbs, options, output formats and exit statuses over the
 * block library. Errors are one line on stderr, prefixed "jvirt img: ".
 */
public final class ImgTool {

    static final String USAGE = """
            usage: jvirt img COMMAND [OPTIONS] FILENAME...
            commands (as qemu-img):
              create  [-f fmt] [-b backing] [-F backing_fmt] [-o options] [-q] file [size]
              info    [-f fmt] [--output=human|json] [--backing-chain] [-U] file
              check   [-f fmt] [--output=human|json] [-r leaks|all] [-q] file
              convert [-f fmt] [-O fmt] [-c] [-p] [-S size] [-o options] [-B backing] [-n] in... out
              snapshot [-l | -c name | -a name | -d name] file
              resize  [-f fmt] [--shrink] file [+|-]size
              commit  [-f fmt] [-d] file
              rebase  [-f fmt] [-u] -b backing [-F backing_fmt] file
              compare [-f fmt] [-F fmt] [-s] file1 file2
              map     [-f fmt] [--output=human|json] file
              measure [--output=human|json] [-O fmt] [-o options] [--size N | [-f fmt] file]
              amend   [-f fmt] -o options file
            options for -o: cluster_size, backing_file, backing_fmt, preallocation,
              compression_type, lazy_refcounts, extended_l2, compat, refcount_bits""";

    private ImgTool() {
    }

    /** Stand-alone entry point (the same as {@code jvirt img}). */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line (without the leading "img"); returns qemu-img's exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")
                || args[0].equals("help")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 1 : 0;
        }
        String verb = args[0];
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        try {
            return switch (verb) {
                case "create" -> CreateCmd.run(args, out, err);
                case "info" -> InfoCmd.run(args, out, err);
                case "check" -> CheckCmd.run(args, out, err);
                case "convert" -> ConvertCmd.run(args, out, err);
                case "snapshot" -> SnapshotCmd.run(args, out, err);
                case "resize" -> ResizeCmd.run(args, out, err);
                case "commit" -> ChainCmds.commit(args, out, err);
                case "rebase" -> ChainCmds.rebase(args, out, err);
                case "compare" -> CompareCmd.run(args, out, err);
                case "map" -> MapCmd.run(args, out, err);
                case "measure" -> MeasureCmd.run(args, out, err);
                case "amend" -> AmendCmd.run(args, out, err);
                default -> throw new BlockException("unknown command '" + verb
                        + "'; run 'jvirt img --help' for the list");
            };
        } catch (IOException e) {
            err.println("jvirt img: " + oneLine(e));
            return verb.equals("compare") ? 2 : 1;
        } catch (RuntimeException e) {
            err.println("jvirt img: " + verb + ": internal error: " + e
                    + "; please report it with the command line");
            return verb.equals("compare") ? 2 : 1;
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ');
    }

    static String onlyFile(String verb, Opts o) throws BlockException {
        if (o.positional.size() != 1) {
            throw new BlockException(verb + ": expected one image file name, got "
                    + o.positional.size() + "; see 'jvirt img " + verb + " --help'");
        }
        return o.positional.get(0);
    }
}

package io.jvirt.cli.img;

import io.jvirt.block.tool.ImgTool;
import java.io.PrintStream;

/** {@code jvirt img}: qemu-img's verbs; the work is done by the block module's image tool. */
public final class ImgCommand {

    private ImgCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        NativeHostFiles.install();
        return ImgTool.run(args, out, err);
    }
}

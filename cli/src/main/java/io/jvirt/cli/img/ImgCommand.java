package io.jvirt.cli.img;

import java.io.PrintStream;

/** Placeholder until this command is built. */
public final class ImgCommand {
    private ImgCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        err.println("jvirt: 'img' is not built yet");
        return 1;
    }
}

package io.jvirt.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * The table of subcommands. {@code run} is the VMM in the foreground, {@code img} is the image
 * tool, and {@code virsh} takes every virsh-named command (list, define, start, ...) and the
 * {@code -c URI} option.
 */
final class Commands {

    private Commands() {
    }

    static Map<String, Command> all() {
        Map<String, Command> m = new HashMap<>();
        m.put("run", io.jvirt.cli.run.RunCommand::run);
        m.put("img", io.jvirt.cli.img.ImgCommand::run);
        m.put("virsh", io.jvirt.cli.virsh.VirshCommand::run);
        return m;
    }
}

package io.jvirt.cli.virsh;

import io.jvirt.cli.virsh.Shell.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Runs $VISUAL or $EDITOR (default vi) on a temporary copy of a document, as virsh edit does. */
final class Editor {

    private Editor() {
    }

    static String edit(String text, String prefix) throws Failure {
        // The jvirt.editor property lets in-process callers (tests) choose the editor.
        String editor = System.getProperty("jvirt.editor");
        if (editor == null || editor.isBlank()) {
            editor = System.getenv("VISUAL");
        }
        if (editor == null || editor.isBlank()) {
            editor = System.getenv("EDITOR");
        }
        if (editor == null || editor.isBlank()) {
            editor = "vi";
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(prefix, ".xml",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            // The editor string may carry arguments ("emacs -nw"), so let the shell split it.
            Process p = new ProcessBuilder("/bin/sh", "-c", editor + " \"$1\"", "editor", tmp.toString())
                    .inheritIO().start();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new Failure("" + editor + ": command exited with status " + rc + "; the definition is unchanged");
            }
            return Files.readString(tmp, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Failure("cannot run editor '" + editor + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while waiting for the editor '" + editor + "'");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // A leftover temp file is harmless; the definition itself is stored atomically.
                }
            }
        }
    }
}

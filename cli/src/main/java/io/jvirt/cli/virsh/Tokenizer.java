package io.jvirt.cli.virsh;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a virsh command string ("define a.xml; start 'my vm'") into commands and words the way
 * virsh's vshCommandStringParse does: ';' or a newline ends a command, single and double quotes
 * group, a backslash escapes the next character, '#' at a word start begins a comment.
 */
final class Tokenizer {

    private Tokenizer() {
    }

    static List<List<String>> split(String line) {
        List<List<String>> cmds = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                if (word == null) {
                    word = new StringBuilder();
                }
            } else if (c == '\\' && i + 1 < line.length()) {
                if (word == null) {
                    word = new StringBuilder();
                }
                word.append(line.charAt(++i));
            } else if (c == ';' || c == '\n') {
                if (word != null) {
                    cur.add(word.toString());
                    word = null;
                }
                if (!cur.isEmpty()) {
                    cmds.add(cur);
                }
                cur = new ArrayList<>();
            } else if (c == '#' && word == null) {
                while (i + 1 < line.length() && line.charAt(i + 1) != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    cur.add(word.toString());
                    word = null;
                }
            } else {
                if (word == null) {
                    word = new StringBuilder();
                }
                word.append(c);
            }
        }
        if (word != null) {
            cur.add(word.toString());
        }
        if (!cur.isEmpty()) {
            cmds.add(cur);
        }
        return cmds;
    }
}

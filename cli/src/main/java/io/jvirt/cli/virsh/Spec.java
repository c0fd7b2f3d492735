package io.jvirt.cli.virsh;

import io.jvirt.manager.VirtException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One virsh command's name, options and handler; parses its words the way virsh does. */
record Spec(String name, List<Opt> opts, Handler handler) {

    /** An option: a flag (--all), or a value that may also be given by position. */
    record Opt(String name, boolean flag, boolean required, boolean positional) {
    }

    /** Runs a parsed command; returns true on success. */
    @FunctionalInterface
    interface Handler {
        boolean run(Shell sh, Args a) throws VirtException, Shell.Failure;
    }

    /** Parsed options by name; flags map to "". */
    record Args(String command, Map<String, String> values) {
        String get(String name) {
            return values.get(name);
        }

        boolean has(String name) {
            return values.containsKey(name);
        }
    }

    /** A command line that does not fit the spec; the message is virsh's. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** "domain!" is a required positional value, "name" an optional positional value, "--all" a flag, "--pool=" a named-only value. */
    static Spec of(String name, Handler h, String... opts) {
        List<Opt> list = new ArrayList<>();
        for (String o : opts) {
            if (o.startsWith("--") && o.endsWith("=")) {
                list.add(new Opt(o.substring(2, o.length() - 1), false, false, false));
            } else if (o.startsWith("--")) {
                list.add(new Opt(o.substring(2), true, false, false));
            } else if (o.endsWith("!")) {
                list.add(new Opt(o.substring(0, o.length() - 1), false, true, true));
            } else {
                list.add(new Opt(o, false, false, true));
            }
        }
        return new Spec(name, List.copyOf(list), h);
    }

    Args parse(List<String> words) throws UsageException {
        Map<String, String> v = new HashMap<>();
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (w.startsWith("--") && w.length() > 2) {
                String n = w.substring(2);
                String val = null;
                int eq = n.indexOf('=');
                if (eq >= 0) {
                    val = n.substring(eq + 1);
                    n = n.substring(0, eq);
                }
                Opt o = find(n);
                if (o == null) {
                    throw new UsageException("command '" + name + "' doesn't support option --" + n);
                }
                if (o.flag()) {
                    if (val != null) {
                        throw new UsageException("invalid '=' after option --" + n);
                    }
                    v.put(n, "");
                } else {
                    if (val == null) {
                        if (i + 1 >= words.size()) {
                            throw new UsageException("expected syntax: --" + n + " <string>");
                        }
                        val = words.get(++i);
                    }
                    if (v.containsKey(n)) {
                        throw new UsageException("option --" + n + " already seen");
                    }
                    v.put(n, val);
                }
            } else {
                Opt o = null;
                for (Opt x : opts) {
                    if (x.positional() && !v.containsKey(x.name())) {
                        o = x;
                        break;
                    }
                }
                if (o == null) {
                    throw new UsageException("unexpected data '" + w + "'");
                }
                v.put(o.name(), w);
            }
        }
        for (Opt o : opts) {
            if (o.required() && !v.containsKey(o.name())) {
                throw new UsageException("command '" + name + "' requires <" + o.name() + "> option");
            }
        }
        return new Args(name, v);
    }

    private Opt find(String n) {
        for (Opt o : opts) {
            if (o.name().equals(n)) {
                return o;
            }
        }
        return null;
    }
}

package io.jvirt.block.tool;

import io.jvirt.block.BlockException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * getopt-style parsing as qemu-img does it: short options (grouped flags, values attached or
 * separate), long options ({@code --output=json} or {@code --output json}), then positionals.
 */
final class Opts {

    final Map<String, List<String>> values = new HashMap<>();
    final List<String> positional = new ArrayList<>();

    /**
     * @param withValue options that take a value (e.g. "f", "O", "o", "output")
     * @param flags     options without a value (e.g. "c", "p", "shrink")
     */
    static Opts parse(String verb, String[] args, int from, Set<String> withValue,
                      Set<String> flags) throws BlockException {
        Opts o = new Opts();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                for (i++; i < args.length; i++) {
                    o.positional.add(args[i]);
                }
                break;
            }
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String val = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    val = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (withValue.contains(name)) {
                    if (val == null) {
                        if (++i >= args.length) {
                            throw missing(verb, "--" + name);
                        }
                        val = args[i];
                    }
                    o.add(name, val);
                } else if (flags.contains(name)) {
                    o.add(name, "");
                } else {
                    throw unknown(verb, a);
                }
            } else if (a.startsWith("-") && a.length() > 1 && !isNumber(a)) {
                for (int k = 1; k < a.length(); k++) {
                    String name = String.valueOf(a.charAt(k));
                    if (withValue.contains(name)) {
                        String val = a.substring(k + 1);
                        if (val.isEmpty()) {
                            if (++i >= args.length) {
                                throw missing(verb, "-" + name);
                            }
                            val = args[i];
                        }
                        o.add(name, val);
                        break;
                    } else if (flags.contains(name)) {
                        o.add(name, "");
                    } else {
                        throw unknown(verb, "-" + name);
                    }
                }
            } else {
                o.positional.add(a);
            }
        }
        return o;
    }

    private static boolean isNumber(String a) {
        return a.length() > 1 && Character.isDigit(a.charAt(1));
    }

    private static BlockException missing(String verb, String opt) {
        return new BlockException(verb + ": option " + opt + " needs a value; see 'jvirt img "
                + verb + " --help'");
    }

    private static BlockException unknown(String verb, String opt) {
        return new BlockException(verb + ": unknown option '" + opt + "'; see 'jvirt img "
                + verb + " --help'");
    }

    private void add(String k, String v) {
        values.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }

    boolean has(String k) {
        return values.containsKey(k);
    }

    String get(String k) {
        List<String> v = values.get(k);
        return v == null ? null : v.get(v.size() - 1);
    }

    String get(String k, String dflt) {
        String v = get(k);
        return v == null ? dflt : v;
    }

    /** All -o option strings merged into key=value pairs (comma-separated, ",," escapes). */
    Map<String, String> options(String verb) throws BlockException {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String s : values.getOrDefault("o", List.of())) {
            for (String kv : s.split(",")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    if (kv.equals("help") || kv.equals("?")) {
                        m.put("help", "");
                        continue;
                    }
                    throw new BlockException(verb + ": option '" + kv
                            + "' needs a value; write it as name=value");
                }
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }
}

package io.jvirt.manager;

/**
 * Object names become file names in the store and in pool directories, so they are checked
 * once here: no '/', no NUL, not empty, no leading '.' (the store's temporary and hidden files
 * start with one).
 */
public final class Names {

    private Names() {
    }

    public static String check(String kind, String name) throws VirtException {
        if (name == null || name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0
                || name.startsWith(".") || name.length() > 255) {
            throw VirtException.invalidArg(kind + " name '" + name + "' is not usable; use 1-255 characters"
                    + " without '/' that do not start with '.'");
        }
        return name;
    }
}

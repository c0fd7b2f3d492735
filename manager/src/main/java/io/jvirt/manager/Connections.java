package io.jvirt.manager;

import io.jvirt.manager.driver.TestDriver;

/** Opens a {@link Connection} by URI, as virConnectOpen does. */
public final class Connections {

    private Connections() {
    }

    /** The URI used when none is given: jvirt:///system for root, jvirt:///session otherwise. */
    public static String defaultUri() {
        String env = System.getenv("JVIRT_DEFAULT_URI");
        if (env != null && !env.isEmpty()) {
            return env;
        }
        return "root".equals(System.getProperty("user.name")) ? "jvirt:///system" : "jvirt:///session";
    }

    public static Connection open(String uri) throws VirtException {
        return switch (uri) {
            case TestDriver.URI -> TestDriver.open();
            default -> throw new VirtException(VirtException.Code.INVALID_ARG,
                    "no connection driver available for " + uri
                            + "; use test:///default, jvirt:///system or jvirt:///session");
        };
    }
}

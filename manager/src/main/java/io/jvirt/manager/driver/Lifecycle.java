package io.jvirt.manager.driver;

import io.jvirt.manager.DomainState;
import io.jvirt.manager.VirtException;

/**
 * The operations that drive a running domain's VMM (start, shutdown, destroy, reboot, reset,
 * suspend, resume, console), each a job on its domain ({@link Driver#job}): the runtime call
 * runs without the driver's lock, the state change after it with the lock.
 */
final class Lifecycle {

    private final Driver driver;

    Lifecycle(Driver driver) {
        this.driver = driver;
    }

    void start(String key) throws VirtException {
        driver.job(key, d -> {
            if (d.state.active()) {
                throw VirtException.invalidOperation("domain is already running");
            }
            if (d.persistent == null) {
                throw VirtException.invalidOperation("domain '" + d.name() + "' is being created");
            }
            driver.launch(d, d.persistent, "booted");
            return null;
        });
    }

    static Dom running(Dom d) throws VirtException {
        if (!d.state.active()) {
            throw VirtException.invalidOperation("domain is not running");
        }
        return d;
    }

    void shutdown(String key) throws VirtException {
        driver.job(key, d -> {
            if (!d.state.active()) {
                throw VirtException.internal("domain '" + d.name() + "' not running");
            }
            driver.publish(d.name(), "shutdown", "host");
            if (driver.runtime.powerdown(d.name())) {
                synchronized (driver.lock) {
                    driver.stopped(d, "shutdown");
                }
            }
            return null;
        });
    }

    void destroy(String key) throws VirtException {
        driver.job(key, d -> {
            driver.runtime.kill(running(d).name());
            synchronized (driver.lock) {
                driver.stopped(d, "destroyed");
            }
            return null;
        });
    }

    void reboot(String key) throws VirtException {
        driver.job(key, d -> {
            if (driver.runtime.reboot(running(d).name())) {
                synchronized (driver.lock) {
                    d.state = DomainState.RUNNING;
                    d.reason = "booted";
                }
            }
            return null;
        });
    }

    void reset(String key) throws VirtException {
        driver.job(key, d -> {
            driver.runtime.reset(running(d).name());
            synchronized (driver.lock) {
                d.state = DomainState.RUNNING;
                d.reason = "booted";
            }
            return null;
        });
    }

    void suspend(String key) throws VirtException {
        driver.job(key, d -> {
            if (!d.state.active()) {
                throw VirtException.internal("domain '" + d.name() + "' not running");
            }
            driver.runtime.pause(d.name());
            synchronized (driver.lock) {
                if (d.state == DomainState.RUNNING) {
                    d.cpuNanos += System.nanoTime() - d.startedNanos;
                }
                d.state = DomainState.PAUSED;
                d.reason = "user";
                driver.publish(d.name(), "suspended", "paused");
            }
            return null;
        });
    }

    void resume(String key) throws VirtException {
        driver.job(key, d -> {
            if (d.state != DomainState.PAUSED) {
                throw VirtException.internal("domain '" + d.name() + "' not paused");
            }
            driver.runtime.resume(d.name());
            synchronized (driver.lock) {
                d.state = DomainState.RUNNING;
                d.reason = "unpaused";
                driver.publish(d.name(), "resumed", "unpaused");
                d.startedNanos = System.nanoTime();
            }
            return null;
        });
    }

    String consolePath(String key) throws VirtException {
        synchronized (driver.lock) {
            Dom d = driver.find(key);
            if (!d.state.active()) {
                throw VirtException.invalidOperation("The domain is not running");
            }
            return driver.runtime.console(d.name());
        }
    }

    io.jvirt.manager.ConsoleSession openConsole(String key) throws VirtException {
        java.nio.file.Path out;
        java.nio.file.Path in;
        Dom d;
        int id;
        synchronized (driver.lock) {
            d = driver.find(key);
            if (!d.state.active()) {
                throw VirtException.invalidOperation("The domain is not running");
            }
            out = java.nio.file.Path.of(driver.runtime.console(d.name()));
            in = driver.runtime.consoleInput(d.name());
            id = d.id;
        }
        try {
            return new FileConsole(out, in, () -> {
                synchronized (driver.lock) {
                    return d.state.active() && d.id == id;
                }
            });
        } catch (java.io.IOException e) {
            throw new VirtException(VirtException.Code.SYSTEM, "cannot open the console of domain '" + key + "' ("
                    + out + ", " + in + "): " + e.getMessage(), e);
        }
    }
}

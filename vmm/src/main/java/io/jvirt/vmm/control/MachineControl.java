package io.jvirt.vmm.control;

import io.jvirt.vmm.machine.Machine;
import io.jvirt.vmm.machine.MachineExit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Puts a {@link Machine} behind the control socket: what {@code jvirt run --control SOCKET}
 * needs. Wiring, in RunCommand:
 * <pre>
 *   ControlServer control = MachineControl.serve(socket, machine);   // after Machine.create
 *   MachineExit exit = machine.awaitExit();
 *   MachineControl.reportExit(control, exit);                        // then close it
 * </pre>
 */
public final class MachineControl implements ControlTarget {

    private final Machine machine;

    private MachineControl(Machine machine) {
        this.machine = machine;
    }

    /** Serves {@code machine} on {@code socket} (mode 0600). */
    public static ControlServer serve(Path socket, Machine machine) throws IOException {
        return ControlServer.start(socket, new MachineControl(machine));
    }

    /** Tells clients why the machine stopped (CONTROL.md "Events"), before the VMM exits. */
    public static void reportExit(ControlServer server, MachineExit exit) {
        switch (exit) {
            case MachineExit.PoweredOff p -> server.emit("SHUTDOWN", Map.of("guest", true, "reason", "guest-shutdown"));
            case MachineExit.ResetRequested r -> server.emit("SHUTDOWN", Map.of("guest", true, "reason", "guest-reset"));
            case MachineExit.Failed f -> server.emit("GUEST_PANICKED", Map.of("action", "poweroff", "detail", f.detail()));
            case MachineExit.Stopped s -> { /* the host asked (quit, SIGTERM): already announced */ }
        }
    }

    @Override
    public RunState state() {
        return switch (machine.state()) {
            case CREATED, PAUSED -> RunState.PAUSED;
            case RUNNING -> RunState.RUNNING;
            case STOPPED -> RunState.SHUTDOWN;
        };
    }

    @Override
    public void stop() {
        machine.pause();
    }

    @Override
    public void cont() {
        machine.resume();
    }

    @Override
    public void powerdown() {
        machine.pressPowerButton();
    }

    @Override
    public void reset() {
        machine.reset();
    }

    @Override
    public void quit() {
        machine.stop();
    }
}

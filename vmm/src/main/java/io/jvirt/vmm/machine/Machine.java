package io.jvirt.vmm.machine;

import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.devices.PowerControl;

/**
 * One x86-64 PC-like VM: guest RAM, the boot protocol, COM1/i8042/RTC devices and one platform
 * thread per vCPU on an {@link Accelerator}. {@link #pause()}, {@link #resume()},
 * {@link #stop()} and {@link #reset()} may be called from any thread, vCPU threads included;
 * they kick the vCPUs out of guest code.
 */
public interface Machine extends PowerControl, AutoCloseable {

    /**
     * Assembles a machine: allocates RAM, loads the kernel and initrd, creates the VM and its
     * devices. Nothing runs until {@link #start()}. Throws {@link io.jvirt.vmm.boot.BootException}
     * or {@link IllegalArgumentException} with a one-line message for bad configuration.
     */
    static Machine create(Accelerator accel, MachineConfig config, Console console) {
        return VirtualMachine.create(accel, config, console);
    }

    /** Starts the vCPU threads. */
    void start();

    RunState state();

    /** Parks every vCPU outside guest code; returns once they are parked (or at once on a vCPU thread). */
    void pause();

    void resume();

    /** Stops for good ({@link MachineExit.Stopped}). */
    void stop();

    /** Power-off from the guest: stops with {@link MachineExit.PoweredOff}. */
    @Override
    void powerOff();

    /** Guest or host reset: reloads the boot state and continues, or stops under --no-reboot. */
    @Override
    void reset();

    /** The ACPI power button: a guest with ACPI shuts down cleanly and powers off. */
    void pressPowerButton();

    /** How many times the machine was reset and rebooted. */
    int resets();

    /** How each virtio device is wired (ioeventfd/irqfd or not) and how much it was used. */
    java.util.List<VirtioStats> virtioStats();

    /** Blocks until the machine has stopped and every vCPU thread has ended. */
    MachineExit awaitExit() throws InterruptedException;

    /** Stops if running, waits for the threads, frees the VM and guest RAM. */
    @Override
    void close();
}

package io.jvirt.vmm.devices;

/**
 * How a device asks the machine to power off or reset: the i8042 reset line, the ACPI PM1a
 * sleep control (S5) and reset register, a guest's triple fault. The machine stops or resets
 * every vCPU; the call returns at once and may come from any thread.
 */
public interface PowerControl {

    void powerOff();

    void reset();
}

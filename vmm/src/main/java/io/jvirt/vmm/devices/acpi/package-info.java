/**
 * ACPI fixed hardware: {@link io.jvirt.vmm.devices.acpi.AcpiPm}, the PM1a event/control blocks,
 * PM timer and reset register the FADT of {@code io.jvirt.vmm.arch.x86_64.firmware} points at.
 */
package io.jvirt.vmm.devices.acpi;

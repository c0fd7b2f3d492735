package io.jvirt.vmm.boot;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What to boot: a kernel (bzImage or ELF64 vmlinux), an optional initrd, the command line,
 * and the ACPI RSDP address for boot_params.acpi_rsdp_addr (0 when there are no tables).
 */
public record BootConfig(Path kernel, Optional<Path> initrd, String cmdline, long rsdpAddress) {

    public BootConfig {
        if (kernel == null || initrd == null || cmdline == null) {
            throw new NullPointerException("kernel, initrd and cmdline must not be null");
        }
    }
}

package io.jvirt.vmm.boot;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What to boot: a kernel (bzImage or ELF64 vmlinux), an optional initrd, the command line,
 * the ACPI RSDP address for boot_params.acpi_rsdp_addr (0 when there are no tables), and
 * whether a bzImage whose payload jvirt can decompress ({@link KernelPayload}) is decompressed
 * on the host (true) or by its own decompressor in the guest (false).
 */
public record BootConfig(Path kernel, Optional<Path> initrd, String cmdline, long rsdpAddress,
                         boolean decompressOnHost) {

    public BootConfig {
        if (kernel == null || initrd == null || cmdline == null) {
            throw new NullPointerException("kernel, initrd and cmdline must not be null");
        }
    }

    /** A bzImage decompressed on the host where possible. */
    public BootConfig(Path kernel, Optional<Path> initrd, String cmdline, long rsdpAddress) {
        this(kernel, initrd, cmdline, rsdpAddress, true);
    }
}

package io.jvirt.vmm.boot;

import io.jvirt.vmm.arch.x86_64.X86BootState;

/**
 * The result of loading a kernel into guest memory: the boot CPU state to start from and
 * where things went, for logs and tests.
 *
 * @param format      "bzImage" or "ELF64"
 * @param kernelStart guest-physical address the kernel image was loaded at
 * @param kernelEnd   first address past everything the kernel needs (init_size included)
 * @param initrdStart guest-physical address of the initrd, 0 when there is none
 * @param initrdSize  initrd length in bytes
 */
public record LoadedKernel(String format, X86BootState state, long kernelStart, long kernelEnd,
                           long initrdStart, long initrdSize) {
}

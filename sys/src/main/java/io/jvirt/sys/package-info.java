/**
 * Linux and KVM through {@code java.lang.foreign}: the only jvirt module that touches native
 * code (DESIGN.md; the cli module's LayersTest enforces it).
 *
 * <ul>
 *   <li>Every C struct jvirt passes has a {@link java.lang.foreign.MemoryLayout} mirror that
 *       quotes its declaration ({@code KvmLayouts}, {@code LinuxLayouts}); every constant is
 *       named after its C macro ({@code KvmConstants}, {@code LinuxConstants}). SysLayoutTest
 *       compiles a C program with gcc and checks all of them.</li>
 *   <li>Calls capture errno; a failure becomes a {@link io.jvirt.sys.SysException} (errno,
 *       its name, the call, the thing it was about) in one place, {@code Libc.fail}.</li>
 *   <li>Handles: {@link io.jvirt.sys.Kvm} (/dev/kvm), {@link io.jvirt.sys.VmFd},
 *       {@link io.jvirt.sys.VcpuFd} (KVM_RUN with the mmap'd kvm_run, kicks by immediate_exit and
 *       a real-time signal whose handler is a native no-op), {@link io.jvirt.sys.EventFd},
 *       {@link io.jvirt.sys.Epoll}, {@link io.jvirt.sys.Terminal}, {@link io.jvirt.sys.NativeFile},
 *       {@link io.jvirt.sys.HostMemory}. Public types are interfaces and records; their
 *       implementations are package-private.</li>
 * </ul>
 */
package io.jvirt.sys;

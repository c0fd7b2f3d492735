package io.jvirt.manager.xml;

import java.util.Set;

/**
 * What a driver fills in and accepts: the default guest architecture (libvirt's test driver
 * reports i686 first, jvirt runs x86_64) and the domain types it runs.
 */
public record DomainDefaults(String arch, Set<String> types) {

    /** jvirt's own drivers: kvm (KVM accelerator) and qemu (software CPU). */
    public static final DomainDefaults JVIRT = new DomainDefaults("x86_64", Set.of("kvm", "qemu"));

    /** libvirt's test:///default driver accepts these types too. */
    public static final DomainDefaults TEST = new DomainDefaults("i686", Set.of("kvm", "qemu", "test"));
}

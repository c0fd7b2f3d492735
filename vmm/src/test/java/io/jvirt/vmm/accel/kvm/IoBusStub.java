package io.jvirt.vmm.accel.kvm;

import io.jvirt.vmm.devices.IoBus;

/** An empty real bus: every access is unclaimed (reads all-ones, writes dropped). */
final class IoBusStub {

    private IoBusStub() {
    }

    static IoBus none() {
        return IoBus.create("empty");
    }
}

package io.jvirt.vmm.devices;

import java.util.ArrayList;
import java.util.List;

/** An interrupt line that remembers its level and every change, for device tests. */
final class RecordingIrq implements IrqLine {
    final List<Boolean> changes = new ArrayList<>();
    boolean level;

    @Override
    public synchronized void set(boolean high) {
        level = high;
        changes.add(high);
    }
}

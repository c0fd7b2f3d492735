package io.jvirt.vmm.machine;

/** Why a machine stopped, and the exit status {@code jvirt run} reports for it. */
public sealed interface MachineExit {

    /** Process exit status: 0 power-off or host stop, 2 reset under --no-reboot, 3 failure. */
    int status();

    /** The guest powered off (ACPI S5, KVM system event). */
    record PoweredOff() implements MachineExit {
        @Override public int status() { return 0; }
    }

    /** The host asked the machine to stop (Ctrl-], SIGTERM, {@link Machine#stop()}). */
    record Stopped() implements MachineExit {
        @Override public int status() { return 0; }
    }

    /** The guest reset (reboot, i8042 0xfe, triple fault) and --no-reboot was given. */
    record ResetRequested(String cause) implements MachineExit {
        /** Distinct from power-off, so scripts can tell a reboot from a shutdown. */
        public static final int STATUS = 2;
        @Override public int status() { return STATUS; }
    }

    /** The machine cannot go on: a vCPU failed, the guest reported a crash, reloading failed. */
    record Failed(String detail) implements MachineExit {
        public static final int STATUS = 3;
        @Override public int status() { return STATUS; }
    }
}

package io.jvirt.vmm.accel;

/** Why {@link Vcpu#run()} returned. */
public sealed interface VcpuExit {

    /** {@link Vcpu#kick()} was called: check the machine's run state. */
    record Kicked() implements VcpuExit {
    }

    /** Triple fault (KVM_EXIT_SHUTDOWN): the machine resets or stops, per policy. */
    record TripleFault(String detail) implements VcpuExit {
    }

    /** The guest asked for a power-off or reset through the CPU (KVM_EXIT_SYSTEM_EVENT). */
    record SystemEvent(Kind kind) implements VcpuExit {
        public enum Kind { POWER_OFF, RESET, CRASH }
    }

    /** The accelerator cannot go on with this vCPU (entry failure, internal error). */
    record Failed(String detail) implements VcpuExit {
    }
}

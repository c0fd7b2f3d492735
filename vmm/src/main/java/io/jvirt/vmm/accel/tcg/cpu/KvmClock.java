package io.jvirt.vmm.accel.tcg.cpu;

/**
 * kvmclock structures (Documentation/virt/kvm/x86/msr.rst, MSR_KVM_SYSTEM_TIME_NEW and
 * MSR_KVM_WALL_CLOCK_NEW). Our TSC counts nanoseconds (1 GHz), so TSC deltas are system-time
 * deltas: tsc_to_system_mul = 2^31 with tsc_shift = 1; system time 0 is {@link Msrs#T0}.
 */
final class KvmClock {
    private KvmClock() {
    }

    /**
     * struct pvclock_vcpu_time_info { u32 version; u32 pad0; u64 tsc_timestamp; u64 system_time;
     * u32 tsc_to_system_mul; s8 tsc_shift; u8 flags; u8 pad[2]; } — 32 bytes.
     */
    static void writeSystemTime(Cpu c, long gpa) {
        if (!c.memory.isRam(gpa, 32)) {
            return;
        }
        int version = c.memory.readInt(gpa);
        version = (version | 1) + 1; // even: consistent
        long now = Msrs.tscNow();
        c.memory.writeInt(gpa, version - 1);
        c.memory.writeLong(gpa + 8, now + c.msrs.tscOffset);
        c.memory.writeLong(gpa + 16, now - Msrs.T0);
        c.memory.writeInt(gpa + 24, 1 << 31);
        c.memory.writeByte(gpa + 28, (byte) 1);
        c.memory.writeByte(gpa + 29, (byte) 1); // PVCLOCK_TSC_STABLE_BIT
        c.memory.writeInt(gpa, version);
    }

    /** struct pvclock_wall_clock { u32 version; u32 sec; u32 nsec; }: host time at guest system time 0. */
    static void writeWallClock(Cpu c, long gpa) {
        if (!c.memory.isRam(gpa, 12)) {
            return;
        }
        long nowNs = System.currentTimeMillis() * 1_000_000L;
        long bootNs = nowNs - (Msrs.tscNow() - Msrs.T0);
        int version = (c.memory.readInt(gpa) | 1) + 1;
        c.memory.writeInt(gpa, version - 1);
        c.memory.writeInt(gpa + 4, (int) (bootNs / 1_000_000_000L));
        c.memory.writeInt(gpa + 8, (int) (bootNs % 1_000_000_000L));
        c.memory.writeInt(gpa, version);
    }
}

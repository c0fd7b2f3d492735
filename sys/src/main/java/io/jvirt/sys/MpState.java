package io.jvirt.sys;

/** A vCPU's multiprocessing state (struct kvm_mp_state); ordinals are the KVM_MP_STATE_* values. */
public enum MpState {
    /** KVM_MP_STATE_RUNNABLE = 0. */
    RUNNABLE,
    /** KVM_MP_STATE_UNINITIALIZED = 1: an AP waiting for INIT. */
    UNINITIALIZED,
    /** KVM_MP_STATE_INIT_RECEIVED = 2: waiting for SIPI. */
    INIT_RECEIVED,
    /** KVM_MP_STATE_HALTED = 3. */
    HALTED,
    /** KVM_MP_STATE_SIPI_RECEIVED = 4. */
    SIPI_RECEIVED;

    static MpState of(int value) {
        MpState[] all = values();
        if (value < 0 || value >= all.length) {
            throw new IllegalArgumentException("unknown kvm_mp_state " + value);
        }
        return all[value];
    }
}

package io.jvirt.vmm.accel;

/**
 * One virtual CPU. {@link #run()} is called in a loop on the vCPU's own platform thread; it
 * returns when something needs the machine's attention. Port I/O and MMIO are dispatched
 * inside run() to the machine's buses; HLT waits inside run() for an interrupt.
 */
public interface Vcpu {

    int index();

    /** Runs guest code until an exit the machine must see. */
    VcpuExit run();

    /**
     * From any thread: makes a current or the next {@link #run()} return
     * {@link VcpuExit.Kicked} promptly (KVM: immediate_exit and a signal).
     */
    void kick();
}

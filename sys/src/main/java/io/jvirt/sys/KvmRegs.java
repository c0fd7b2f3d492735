package io.jvirt.sys;

/** The general-purpose registers of a vCPU (struct kvm_regs, KVM_GET_REGS/KVM_SET_REGS). */
public record KvmRegs(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                      long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                      long rip, long rflags) {

    /** RFLAGS bit 1 is reserved and always set (Intel SDM vol. 1 §3.4.3). */
    public static final long RFLAGS_RESERVED = 0x2;

    /** All zero but RFLAGS' reserved bit: the state a boot loader then fills in. */
    public static KvmRegs cleared() {
        return new KvmRegs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, RFLAGS_RESERVED);
    }

    public KvmRegs withRip(long v) {
        return new KvmRegs(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, v, rflags);
    }

    public KvmRegs withRsp(long v) {
        return new KvmRegs(rax, rbx, rcx, rdx, rsi, rdi, v, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    public KvmRegs withRsi(long v) {
        return new KvmRegs(rax, rbx, rcx, rdx, v, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    public KvmRegs withRax(long v) {
        return new KvmRegs(v, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    public KvmRegs withRflags(long v) {
        return new KvmRegs(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, v);
    }
}

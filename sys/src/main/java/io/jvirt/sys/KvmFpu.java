package io.jvirt.sys;

/**
 * The x87/SSE state of a vCPU (struct kvm_fpu, KVM_GET_FPU/KVM_SET_FPU), in FXSAVE terms.
 * {@code fpr} is 8 x 16 bytes, {@code xmm} 16 x 16 bytes.
 */
public record KvmFpu(byte[] fpr, int fcw, int fsw, int ftwx, int lastOpcode, long lastIp, long lastDp,
                     byte[] xmm, int mxcsr) {

    /** FCW after FNINIT (Intel SDM vol. 1 §8.1.5). */
    public static final int FCW_RESET = 0x37f;
    /** MXCSR at power-up: all exceptions masked (Intel SDM vol. 1 §10.2.3). */
    public static final int MXCSR_RESET = 0x1f80;

    public KvmFpu {
        if (fpr.length != 128 || xmm.length != 256) {
            throw new IllegalArgumentException("kvm_fpu wants fpr[128] and xmm[256], got " + fpr.length + " and " + xmm.length);
        }
        fpr = fpr.clone();
        xmm = xmm.clone();
    }

    /** The state after reset/FNINIT: everything zero but FCW and MXCSR. */
    public static KvmFpu reset() {
        return new KvmFpu(new byte[128], FCW_RESET, 0, 0, 0, 0, 0, new byte[256], MXCSR_RESET);
    }

    @Override
    public byte[] fpr() {
        return fpr.clone();
    }

    @Override
    public byte[] xmm() {
        return xmm.clone();
    }
}

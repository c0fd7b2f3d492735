package io.jvirt.vmm.accel.tcg.cpu;

/**
 * A guest exception raised while executing an instruction (#GP, #PF, #UD, ...). Thrown inside
 * the executor and caught by the run loop, which delivers it through the IDT; never escapes
 * {@link CpuCore#run(long)}. No stack trace: faults are control flow for the guest.
 */
final class CpuFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    // Intel SDM vol. 3A §6.15, exception vectors
    static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8,
            TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;

    final int vector;
    final int errorCode;
    final boolean hasError;

    private CpuFault(int vector, int errorCode, boolean hasError) {
        super(null, null, false, false);
        this.vector = vector;
        this.errorCode = errorCode;
        this.hasError = hasError;
    }

    static CpuFault of(int vector) {
        return new CpuFault(vector, 0, false);
    }

    static CpuFault withError(int vector, int errorCode) {
        return new CpuFault(vector, errorCode, true);
    }

    static CpuFault gp(int errorCode) {
        return withError(GP, errorCode);
    }

    static CpuFault ud() {
        return of(UD);
    }

    /** Vectors that push an error code (SDM vol. 3A table 6-1). */
    static boolean pushesError(int vector) {
        return vector == DF || (vector >= TS && vector <= PF) || vector == AC;
    }

    @Override
    public String getMessage() {
        return "vector " + vector + (hasError ? " error 0x" + Integer.toHexString(errorCode) : "");
    }
}

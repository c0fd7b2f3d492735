package io.jvirt.sys;

/**
 * One CPUID leaf (struct kvm_cpuid_entry2): {@code function} is EAX on input, {@code index}
 * ECX (meaningful when {@link #FLAG_SIGNIFICANT_INDEX} is set in {@code flags}).
 */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {

    /** KVM_CPUID_FLAG_SIGNIFCANT_INDEX (sic, <asm/kvm.h>). */
    public static final int FLAG_SIGNIFICANT_INDEX = KvmConstants.KVM_CPUID_FLAG_SIGNIFCANT_INDEX;

    public CpuidEntry withEax(int v) { return new CpuidEntry(function, index, flags, v, ebx, ecx, edx); }
    public CpuidEntry withEbx(int v) { return new CpuidEntry(function, index, flags, eax, v, ecx, edx); }
    public CpuidEntry withEcx(int v) { return new CpuidEntry(function, index, flags, eax, ebx, v, edx); }
    public CpuidEntry withEdx(int v) { return new CpuidEntry(function, index, flags, eax, ebx, ecx, v); }
}

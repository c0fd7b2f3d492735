package io.jvirt.sys;

/**
 * A segment register as KVM holds it (struct kvm_segment): selector plus the hidden part
 * (Intel SDM vol. 3A §3.4.5). Flags are 0/1 in C and booleans here.
 */
public record KvmSegment(long base, int limit, int selector, int type, boolean present, int dpl,
                         boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    /** An unusable segment (a null selector in protected mode, an empty LDT). */
    public static KvmSegment unusableSegment() {
        return new KvmSegment(0, 0, 0, 0, false, 0, false, false, false, false, false, true);
    }
}

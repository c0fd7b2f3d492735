package io.jvirt.sys;

/** A model-specific register and its value (struct kvm_msr_entry). */
public record MsrEntry(int index, long value) {
}

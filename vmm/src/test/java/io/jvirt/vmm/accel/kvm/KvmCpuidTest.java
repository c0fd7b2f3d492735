package io.jvirt.vmm.accel.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.sys.CpuidEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-vCPU topology patch, on leaves shaped like an Intel host's KVM_GET_SUPPORTED_CPUID. */
class KvmCpuidTest {

    private static final List<CpuidEntry> INTEL = List.of(
            new CpuidEntry(0, 0, 0, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69),
            new CpuidEntry(1, 0, 0, 0x906ea, 0x00100800, 0xf7fa3223, 0x0f8bfbff),
            new CpuidEntry(4, 0, 1, 0x1c004121, 0x01c0003f, 0x3f, 0),   // L1d
            new CpuidEntry(4, 3, 1, 0x1c03c163, 0x03c0003f, 0x2fff, 6), // L3
            new CpuidEntry(4, 4, 1, 0, 0, 0, 0),
            new CpuidEntry(0xb, 0, 1, 0, 0, 0, 0),
            new CpuidEntry(0x80000008, 0, 0, 0x3027, 0, 0, 0));

    private static CpuidEntry leaf(List<CpuidEntry> l, int function, int index) {
        return l.stream().filter(e -> e.function() == function && e.index() == index).findFirst().orElseThrow();
    }

    @Test
    void apicIdAndTopologyPerVcpu() {
        List<CpuidEntry> c = KvmCpuid.forVcpu(INTEL, 5, 6);
        CpuidEntry one = leaf(c, 1, 0);
        assertEquals(5, one.ebx() >>> 24, "initial APIC ID");
        assertEquals(8, (one.ebx() >>> 16) & 0xff, "addressable IDs: 6 cores need 3 bits");
        assertEquals(0x0800, one.ebx() & 0xffff, "CLFLUSH size kept");
        assertEquals(1 << 28, one.edx() & (1 << 28), "HTT");
        assertEquals(7, leaf(c, 4, 0).eax() >>> 26, "cores per package - 1 (3 bits)");
        assertEquals(0, (leaf(c, 4, 0).eax() >>> 14) & 0xfff, "L1 per core");
        assertEquals(7, (leaf(c, 4, 3).eax() >>> 14) & 0xfff, "L3 shared by the package");
        assertEquals(new CpuidEntry(0xb, 0, 1, 0, 1, 0x100, 5), leaf(c, 0xb, 0));
        assertEquals(new CpuidEntry(0xb, 1, 1, 3, 6, 0x201, 5), leaf(c, 0xb, 1));
        assertEquals(new CpuidEntry(0xb, 2, 1, 0, 0, 2, 5), leaf(c, 0xb, 2));
        assertEquals(0x3005, leaf(c, 0x80000008, 0).ecx(), "ApicIdCoreIdSize 3, NC 5");
        assertEquals(INTEL.size() + 2, c.size());
    }

    @Test
    void singleVcpuHasNoHtt() {
        List<CpuidEntry> c = KvmCpuid.forVcpu(INTEL, 0, 1);
        assertEquals(0, leaf(c, 1, 0).edx() & (1 << 28));
        assertEquals(1, (leaf(c, 1, 0).ebx() >>> 16) & 0xff);
        assertEquals(0, KvmCpuid.bitsFor(1));
        assertEquals(1, KvmCpuid.bitsFor(2));
        assertEquals(2, KvmCpuid.bitsFor(4));
        assertEquals(3, KvmCpuid.bitsFor(5));
    }
}

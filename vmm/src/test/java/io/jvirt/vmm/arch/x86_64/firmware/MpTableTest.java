package io.jvirt.vmm.arch.x86_64.firmware;

import static io.jvirt.vmm.arch.x86_64.firmware.GuestTables.ascii;
import static io.jvirt.vmm.arch.x86_64.firmware.GuestTables.u16;
import static io.jvirt.vmm.arch.x86_64.firmware.GuestTables.u32;
import static io.jvirt.vmm.arch.x86_64.firmware.GuestTables.u8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.sys.HostMemory;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finds and parses the MP table the way Linux's arch/x86/kernel/mpparse.c does with acpi=off:
 * scan 0xF0000-0xFFFFF on 16-byte boundaries for "_MP_" with a good checksum, then walk the
 * configuration table's entries.
 */
class MpTableTest {

    @ParameterizedTest(name = "{0} CPUs")
    @ValueSource(ints = {1, 2, 8})
    void parsesBack(int cpus) {
        FirmwareConfig config = new FirmwareConfig(cpus, List.of(new FirmwareConfig.VirtioMmio(0xd0000000L, 0x200, 5),
                new FirmwareConfig.VirtioMmio(0xd0000200L, 0x200, 16)));
        GuestMemory memory = GuestRam.allocate(GuestRam.MIN_SIZE);
        try (HostMemory backing = memory.backing()) {
            Firmware.install(memory, config);
            long fp = -1;
            for (long a = 0xf0000; a < 0x100000; a += 16) {
                byte[] b = memory.read(a, 16);
                if (ascii(b, 0, 4).equals("_MP_") && Bytes.sum(b, 0, 16) == 0) {
                    fp = a;
                    break;
                }
            }
            assertTrue(fp >= 0, "no MP floating pointer in 0xF0000-0xFFFFF");
            byte[] f = memory.read(fp, 16);
            assertEquals(1, u8(f, 8), "length in paragraphs");
            assertEquals(4, u8(f, 9), "spec rev 1.4");
            assertEquals(0, u8(f, 11), "a configuration table is present");
            long cfgAddr = u32(f, 4);
            byte[] h = memory.read(cfgAddr, 44);
            assertEquals("PCMP", ascii(h, 0, 4));
            int len = u16(h, 4);
            byte[] c = memory.read(cfgAddr, len);
            assertEquals(0, Bytes.sum(c, 0, len), "configuration table checksum");
            assertEquals(0xfee00000L, u32(c, 36));
            int count = u16(c, 34);

            List<int[]> cpusSeen = new ArrayList<>();
            Map<Integer, int[]> irqs = new HashMap<>(); // bus irq -> {pin, flags}
            List<int[]> locals = new ArrayList<>();
            String bus = null;
            int ioapicId = -1;
            int off = 44;
            int lastType = 0;
            for (int i = 0; i < count; i++) {
                int type = u8(c, off);
                assertTrue(type >= lastType, "entries sorted by type");
                lastType = type;
                switch (type) {
                    case 0 -> {
                        cpusSeen.add(new int[] {u8(c, off + 1), u8(c, off + 3)});
                        off += 20;
                    }
                    case 1 -> {
                        bus = ascii(c, off + 2, 6);
                        off += 8;
                    }
                    case 2 -> {
                        ioapicId = u8(c, off + 1);
                        assertEquals(1, u8(c, off + 3) & 1, "IOAPIC enabled");
                        assertEquals(0xfec00000L, u32(c, off + 4));
                        off += 8;
                    }
                    case 3 -> {
                        assertEquals(0, u8(c, off + 1), "INT");
                        assertEquals(ioapicId, u8(c, off + 6));
                        irqs.put(u8(c, off + 5), new int[] {u8(c, off + 7), u16(c, off + 2)});
                        off += 8;
                    }
                    case 4 -> {
                        locals.add(new int[] {u8(c, off + 1), u8(c, off + 6), u8(c, off + 7)});
                        off += 8;
                    }
                    default -> throw new AssertionError("unknown MP entry type " + type);
                }
            }
            assertEquals(len, off, "entries fill the base table");
            assertEquals(cpus, cpusSeen.size());
            for (int i = 0; i < cpus; i++) {
                assertEquals(i, cpusSeen.get(i)[0], "APIC ID");
                assertEquals(i == 0 ? 3 : 1, cpusSeen.get(i)[1], "EN and BP flags");
            }
            assertEquals("ISA   ", bus);
            assertEquals(2, irqs.get(0)[0], "IRQ0 on INTIN2");
            assertTrue(!irqs.containsKey(2), "no IRQ2");
            assertEquals(4, irqs.get(4)[0]);
            assertEquals(0b1101, irqs.get(9)[1], "SCI level, active high");
            assertEquals(0b1101, irqs.get(5)[1], "virtio level, active high");
            assertEquals(16, irqs.get(16)[0]);
            assertEquals(0b1101, irqs.get(16)[1]);
            assertEquals(0, irqs.get(1)[1], "ISA default");
            assertEquals(2, locals.size());
            assertEquals(List.of(3, 0, 0), List.of(locals.get(0)[0], locals.get(0)[1], locals.get(0)[2]), "ExtINT to BSP LINT0");
            assertEquals(List.of(1, 0xff, 1), List.of(locals.get(1)[0], locals.get(1)[1], locals.get(1)[2]), "NMI to all LINT1");
        }
    }
}

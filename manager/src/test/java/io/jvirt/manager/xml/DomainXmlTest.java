package io.jvirt.manager.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.manager.VirtException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DomainXmlTest {

    static final String XML = """
            <domain type='qemu' xmlns:j='urn:example'>
              <name>vm</name>
              <memory unit='GiB'>1</memory>
              <vcpu>2</vcpu>
              <j:extension j:level='3'>kept</j:extension>
              <os><type arch='x86_64'>hvm</type><kernel>/k</kernel><initrd>/i</initrd><cmdline>console=ttyS0</cmdline></os>
              <devices>
                <disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none'/>
                  <source file='/d.qcow2'/><target dev='vda' bus='virtio'/><readonly/></disk>
                <interface type='bridge'><source bridge='br0'/><model type='virtio'/></interface>
                <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
                <future-device knob='on'><sub/></future-device>
              </devices>
            </domain>
            """;

    @Test
    void modelReadsTheSubsetAndKeepsUnknownParts() throws VirtException {
        DomainXml d = DomainXml.parse(XML, "t", DomainDefaults.JVIRT);
        assertEquals(DomainXml.Accel.TCG, d.accelerator());
        assertEquals(1024 * 1024, d.memoryKiB());
        assertEquals(1024 * 1024, d.currentMemoryKiB());
        assertEquals(2, d.vcpus());
        assertEquals("/k", d.kernel());
        assertEquals("console=ttyS0", d.cmdline());
        assertEquals(List.of(new DomainXml.Disk("/d.qcow2", "qcow2", "vda", "virtio", true, null)), d.disks());
        DomainXml.Nic nic = d.interfaces().getFirst();
        assertEquals("bridge", nic.type());
        assertEquals("br0", nic.source());
        assertTrue(nic.mac().matches("52:54:00(:[0-9a-f]{2}){3}"), nic.mac());
        assertTrue(d.hasRng());
        String out = d.toString();
        assertTrue(out.contains("<j:extension j:level='3'>kept</j:extension>"), out);
        assertTrue(out.contains("<future-device knob='on'>\n      <sub/>\n    </future-device>"), out);
        assertTrue(out.contains("<driver name='qemu' type='qcow2' cache='none'/>"), out);
        assertTrue(out.startsWith("<domain type='qemu' xmlns:j='urn:example'>\n  <name>vm</name>\n  <uuid>"), out);
        // A second round trip is a fixed point.
        assertEquals(out, DomainXml.parse(out, "t", DomainDefaults.JVIRT).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<domain type='xen'><name>x</name><memory>1</memory><os><type>hvm</type></os></domain>|unsupported configuration: invalid domain type xen; jvirt runs type='kvm' (KVM) or type='qemu' (software CPU)",
        "<domain type='kvm'><name>x</name><memory>12q</memory><os><type>hvm</type></os></domain>|XML error: Invalid value '12q' for element or attribute './memory[1]'",
        "<domain type='kvm'><name>x</name><memory unit='QB'>1</memory><os><type>hvm</type></os></domain>|invalid argument: unknown suffix 'QB'",
        "<domain type='kvm'><name>x</name><memory>1</memory><vcpu>0</vcpu><os><type>hvm</type></os></domain>|XML error: Invalid number of vCPUs '0'; use 1 or more",
        "<domain type='kvm'><name>x</name><memory>1</memory><os><type arch='aarch64'>hvm</type></os></domain>|unsupported configuration: architecture 'aarch64' in <os><type arch=...> is not supported; use x86_64",
        "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type></os><on_crash>explode</on_crash></domain>|unsupported configuration: unknown on_crash action: explode",
        "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type></os><devices><disk type='block'><target dev='vda'/></disk></devices></domain>|unsupported configuration: disk type 'block' for vda is not supported; use <disk type='file'>",
        "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type></os><devices><interface type='vhostuser'/></devices></domain>|unsupported configuration: interface type 'vhostuser' is not supported; use <interface type='network'> or type='bridge'",
        "<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><domain type='kvm'><name>&e;</name></domain>|XML error",
    })
    void validationErrorsNameElementAndValue(String xml, String message) {
        VirtException e = assertThrows(VirtException.class, () -> DomainXml.parse(xml, "t", DomainDefaults.JVIRT));
        assertTrue(e.getMessage().startsWith(message.equals("XML error") ? "(t):" : message), e.getMessage());
        if (!message.equals("XML error")) {
            assertEquals(message, e.getMessage());
        }
    }
}

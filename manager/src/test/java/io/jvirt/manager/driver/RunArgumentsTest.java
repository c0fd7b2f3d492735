package io.jvirt.manager.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvirt.manager.NetworkInfo;
import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainDefaults;
import io.jvirt.manager.xml.DomainXml;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The domain XML → jvirt run command line mapping (jvirt run --help is the other side). */
class RunArgumentsTest {

    static DomainXml parse(String xml) throws VirtException {
        return DomainXml.parse(xml, "t", DomainDefaults.JVIRT);
    }

    @Test
    void domainTypeSelectsTheAcceleratorAndPoliciesTheResetMode() throws VirtException {
        DomainXml kvm = parse("<domain type='kvm'><name>a</name><memory unit='GiB'>1</memory><vcpu>2</vcpu>"
                + "<os><type>hvm</type><kernel>/k</kernel><initrd>/i</initrd><cmdline>console=ttyS0 quiet</cmdline></os>"
                + "</domain>");
        assertEquals(List.of("run", "--kernel", "/k", "--initrd", "/i", "--cmdline", "console=ttyS0 quiet",
                "--memory", "1048576K", "--cpus", "2", "--accel", "kvm", "--console", "stdio",
                "--control", "/r/a.ctl"), VmmRuntime.runArguments(kvm, Path.of("/r/a.ctl"), List.of()));
        DomainXml tcg = parse("<domain type='qemu'><name>b</name><memory>1000</memory>"
                + "<os><type>hvm</type><kernel>/k</kernel></os><on_reboot>destroy</on_reboot></domain>");
        assertEquals(List.of("run", "--kernel", "/k", "--memory", "1000K", "--cpus", "1", "--accel", "tcg",
                "--console", "stdio", "--control", "/s", "--no-reboot"),
                VmmRuntime.runArguments(tcg, Path.of("/s"), List.of()));
    }

    @Test
    void disksInTargetOrderWithFormatReadonlyAndSerialAndRng() throws VirtException {
        DomainXml d = parse("<domain type='qemu'><name>d</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/b.img'/>"
                + "<target dev='vdb' bus='virtio'/><readonly/></disk>"
                + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/a.qcow2'/>"
                + "<target dev='vda' bus='virtio'/><serial>root-disk</serial></disk>"
                + "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng></devices></domain>");
        assertEquals(List.of("--disk", "/a.qcow2,format=qcow2,serial=root-disk", "--disk", "/b.img,format=raw,readonly=on",
                "--rng"), Devices.storage(d));
    }

    @Test
    void aVirtioConsoleIsHvc() throws VirtException {
        DomainXml d = parse("<domain type='qemu'><name>h</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel>"
                + "<cmdline>console=hvc0</cmdline></os><devices><console type='pty'><target type='virtio' port='0'/></console>"
                + "</devices></domain>");
        assertEquals(List.of("run", "--kernel", "/k", "--cmdline", "console=hvc0", "--memory", "65536K", "--cpus", "1",
                "--accel", "tcg", "--console", "stdio", "--control", "/c", "--console-device", "hvc"),
                VmmRuntime.runArguments(d, Path.of("/c"), List.of()));
        assertEquals(false, d.toString().contains("<serial"), "no serial port is added for a virtio console: " + d);
    }

    @Test
    void devicesJvirtCannotRunAreRefusedWithTheFix() throws VirtException {
        DomainXml sata = parse("<domain type='qemu'><name>s</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
                + "<devices><disk type='file'><source file='/a.img'/><target dev='sda' bus='sata'/></disk></devices></domain>");
        assertEquals("unsupported configuration: disk sda of domain 's' is on bus 'sata', but jvirt has only virtio disks;"
                + " use <target dev='vdX' bus='virtio'/>", assertThrows(VirtException.class, () -> Devices.storage(sata)).getMessage());
        DomainXml comma = parse("<domain type='qemu'><name>c</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
                + "<devices><disk type='file'><source file='/a,b.img'/><target dev='vda'/></disk></devices></domain>");
        assertEquals("unsupported configuration: disk path '/a,b.img' of domain 'c' contains ',', which jvirt run --disk"
                + " cannot take; rename the file", assertThrows(VirtException.class, () -> Devices.storage(comma)).getMessage());
        String net = "<domain type='qemu'><name>n</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
                + "<devices><interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/>"
                + "<model type='virtio'/></interface></devices></domain>";
        assertEquals("Network not found: no network with matching name 'default'",
                assertThrows(VirtException.class, () -> Devices.check(parse(net), x -> Optional.empty())).getMessage());
        NetworkInfo active = new NetworkInfo("default", UUID.randomUUID(), true, true, false, "virbr0", "");
        assertEquals(List.of(new Devices.Plug("52:54:00:00:00:01", "virbr0", null)),
                Devices.check(parse(net), x -> Optional.of(active)));
        NetworkInfo inactive = new NetworkInfo("default", UUID.randomUUID(), false, true, false, "virbr0", "");
        assertEquals("Requested operation is not valid: network 'default' is not active",
                assertThrows(VirtException.class, () -> Devices.check(parse(net), x -> Optional.of(inactive))).getMessage());
        String e1000 = net.replace("virtio", "e1000");
        assertEquals("unsupported configuration: interface 52:54:00:00:00:01 of domain 'n' has model 'e1000', but jvirt"
                + " has only virtio NICs; use <model type='virtio'/>",
                assertThrows(VirtException.class, () -> Devices.check(parse(e1000), x -> Optional.empty())).getMessage());
        String user = net.replace("type='network'", "type='user'");
        assertEquals("unsupported configuration: interface type 'user' of domain 'n' is not supported by jvirt (no"
                + " user-mode networking); use type='bridge' or type='network'",
                assertThrows(VirtException.class, () -> Devices.check(parse(user), x -> Optional.empty())).getMessage());
    }
}

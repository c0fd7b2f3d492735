package io.jvirt.manager.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainDefaults;
import io.jvirt.manager.xml.DomainXml;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The domain XML → jvirt run command line mapping (jvirt run --help is the other side). */
class RunArgumentsTest {

    @Test
    void domainTypeSelectsTheAcceleratorAndPoliciesTheResetMode() throws VirtException {
        DomainXml kvm = DomainXml.parse("<domain type='kvm'><name>a</name><memory unit='GiB'>1</memory><vcpu>2</vcpu>"
                + "<os><type>hvm</type><kernel>/k</kernel><initrd>/i</initrd><cmdline>console=ttyS0 quiet</cmdline></os>"
                + "</domain>", "a", DomainDefaults.JVIRT);
        assertEquals(List.of("run", "--kernel", "/k", "--initrd", "/i", "--cmdline", "console=ttyS0 quiet",
                "--memory", "1048576K", "--cpus", "2", "--accel", "kvm", "--console", "file:/r/a.console",
                "--control", "/r/a.ctl"), VmmRuntime.runArguments(kvm, Path.of("/r/a.ctl"), Path.of("/r/a.console")));
        DomainXml tcg = DomainXml.parse("<domain type='qemu'><name>b</name><memory>1000</memory>"
                + "<os><type>hvm</type><kernel>/k</kernel></os><on_reboot>destroy</on_reboot></domain>", "b",
                DomainDefaults.JVIRT);
        assertEquals(List.of("run", "--kernel", "/k", "--memory", "1000K", "--cpus", "1", "--accel", "tcg",
                "--console", "file:/c", "--control", "/s", "--no-reboot"),
                VmmRuntime.runArguments(tcg, Path.of("/s"), Path.of("/c")));
    }
}

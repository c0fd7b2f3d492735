package io.jvirt.cli.virsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the same command scripts through Debian's {@code virsh -c test:///default} and
 * {@code jvirt -c test:///default} (in process, through {@link Main#run}) and compares standard
 * output, standard error and the exit status. Clock-dependent text (CPU time, snapshot creation
 * times) is masked on both sides. What still differs is listed per script as a
 * {@link Known known difference}: a substitution applied to virsh's output; each must still
 * occur, so a fixed difference fails the test until its entry is removed.
 */
class VirshConformanceTest {

    @TempDir
    static Path dir;

    /** One command script, the fixture files it needs, and the differences jvirt keeps on purpose. */
    record Script(String name, String commands, List<Known> known) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** virsh text (a regex over stdout+stderr) that jvirt prints differently, and jvirt's text. */
    record Known(String why, String virshRegex, String jvirt) {
    }

    static final String D1 = """
            <domain type='kvm'>
              <name>vm1</name>
              <uuid>11111111-2222-3333-4444-555555555555</uuid>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>/boot/vmlinuz</kernel>
                <initrd>/boot/initrd.img</initrd>
                <cmdline>console=ttyS0 quiet</cmdline>
              </os>
              <features><acpi/><apic/></features>
              <cpu mode='host-passthrough'/>
              <clock offset='utc'/>
              <on_poweroff>destroy</on_poweroff>
              <on_reboot>restart</on_reboot>
              <on_crash>destroy</on_crash>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/var/lib/jvirt/images/vm1.qcow2'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='/var/lib/jvirt/images/data.img'/>
                  <target dev='vdb' bus='virtio'/>
                  <readonly/>
                </disk>
                <interface type='network'>
                  <mac address='52:54:00:12:34:56'/>
                  <source network='default'/>
                  <model type='virtio'/>
                </interface>
                <interface type='bridge'>
                  <mac address='52:54:00:AB:CD:EF'/>
                  <source bridge='br0'/>
                  <model type='virtio'/>
                </interface>
                <serial type='pty'/>
                <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
              </devices>
            </domain>
            """;

    static final Map<String, String> FILES = Map.ofEntries(
            Map.entry("d1.xml", D1),
            Map.entry("d2.xml", D1.replace("<name>vm1", "<name>vm2")),
            Map.entry("d3.xml", D1.replace("11111111", "22222222")),
            Map.entry("d5.xml", D1.replace("<vcpu>1</vcpu>", "<vcpu>2</vcpu>")),
            Map.entry("d4.xml", "<domain type='qemu'><name>vm4</name><uuid>44444444-2222-3333-4444-555555555555</uuid>"
                    + "<memory unit='GiB'>1</memory><currentMemory unit='MiB'>512</currentMemory><vcpu>2</vcpu>"
                    + "<os><type>hvm</type><kernel>/k</kernel></os></domain>"),
            Map.entry("bad.xml", "<domain type='kvm'><name>bad</name"),
            Map.entry("mem.xml", "<domain type='kvm'><name>x</name><memory>abc</memory><os><type>hvm</type></os></domain>"),
            Map.entry("vcpu.xml", "<domain type='kvm'><name>x</name><memory>1024</memory><vcpu>x</vcpu><os><type>hvm</type></os></domain>"),
            Map.entry("fmt.xml", "<domain type='kvm'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices>"
                    + "<disk type='file'><driver type='vmdk2'/><source file='/a'/><target dev='vda' bus='virtio'/></disk></devices></domain>"),
            Map.entry("noname.xml", "<domain type='kvm'><memory>1024</memory></domain>"),
            Map.entry("type.xml", "<domain type='foo'><name>x</name><memory>1024</memory><os><type>hvm</type></os></domain>"),
            Map.entry("notype.xml", "<domain><name>x</name><memory>1024</memory><os><type>hvm</type></os></domain>"),
            Map.entry("noos.xml", "<domain type='kvm'><name>x</name><memory>1024</memory></domain>"),
            Map.entry("nomem.xml", "<domain type='kvm'><name>x</name><os><type>hvm</type></os></domain>"),
            Map.entry("action.xml", "<domain type='kvm'><name>x</name><memory>1024</memory><os><type>hvm</type></os>"
                    + "<on_reboot>bogus</on_reboot></domain>"),
            Map.entry("uuid.xml", "<domain type='kvm'><name>x</name><uuid>zz</uuid><memory>1024</memory><os><type>hvm</type></os></domain>"),
            Map.entry("unit.xml", "<domain type='kvm'><name>x</name><memory unit='XB'>1024</memory><os><type>hvm</type></os></domain>"),
            Map.entry("mac.xml", "<domain type='kvm'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices>"
                    + "<interface type='network'><mac address='zz'/><source network='default'/></interface></devices></domain>"),
            Map.entry("bus.xml", "<domain type='kvm'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices>"
                    + "<disk type='file'><source file='/a'/><target dev='vdb' bus='scsi2'/></disk></devices></domain>"),
            Map.entry("notarget.xml", "<domain type='kvm'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices>"
                    + "<disk type='file'><source file='/a'/></disk></devices></domain>"),
            Map.entry("root.xml", "<foo/>"),
            Map.entry("n1.xml", """
                    <network>
                      <name>n1</name>
                      <uuid>3e561b0d-22ae-4589-b108-48663525d633</uuid>
                      <forward mode='nat'/>
                      <bridge name='virbr1'/>
                      <mac address='52:54:00:0A:0B:0C'/>
                      <ip address='10.9.0.1' netmask='255.255.255.0'>
                        <dhcp>
                          <range start='10.9.0.10' end='10.9.0.20'/>
                          <host mac='52:54:00:00:00:01' name='h1' ip='10.9.0.11'/>
                        </dhcp>
                      </ip>
                    </network>
                    """),
            Map.entry("n2.xml", "<network><ip prefix='24' address='10.8.0.1'/><domain name='ex.test'/><mtu size='1400'/>"
                    + "<forward dev='eth0' mode='route'/><uuid>22222222-2222-3333-4444-555555555555</uuid><name>n2</name>"
                    + "<bridge stp='off' delay='3' name='vbr2'/></network>"),
            Map.entry("n-dupname.xml", "<network><name>default</name><uuid>33333333-2222-3333-4444-555555555555</uuid></network>"),
            Map.entry("n-dupuuid.xml", "<network><name>x</name><uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid></network>"),
            Map.entry("n-noname.xml", "<network/>"),
            Map.entry("n-root.xml", "<net><name>a</name></net>"),
            Map.entry("n-slash.xml", "<network><name>a/b</name></network>"),
            Map.entry("n-uuid.xml", "<network><name>a</name><uuid>zz</uuid></network>"),
            Map.entry("n-mode.xml", "<network><name>a</name><forward mode='bogus'/></network>"),
            Map.entry("n-addr.xml", "<network><name>a</name><ip address='10.0.0.x' netmask='255.255.255.0'/></network>"),
            Map.entry("n-both.xml", "<network><name>a</name><ip address='10.0.0.1' netmask='255.255.255.0' prefix='24'/></network>"),
            Map.entry("n-prefix.xml", "<network><name>a</name><ip address='10.0.0.1' prefix='40'/></network>"),
            Map.entry("n-range.xml", "<network><name>a</name><ip address='10.0.0.1' prefix='24'><dhcp>"
                    + "<range start='10.0.1.2' end='10.0.1.9'/></dhcp></ip></network>"),
            Map.entry("n-reversed.xml", "<network><name>a</name><ip address='10.0.0.1' prefix='24'><dhcp>"
                    + "<range start='10.0.0.9' end='10.0.0.2'/></dhcp></ip></network>"),
            Map.entry("n-mac.xml", "<network><name>a</name><mac address='zz'/></network>"),
            Map.entry("n-hostip.xml", "<network><name>a</name><ip address='10.0.0.1' prefix='24'><dhcp>"
                    + "<host mac='52:54:00:00:00:01' name='h'/></dhcp></ip></network>"),
            Map.entry("n-delay.xml", "<network><name>a</name><bridge name='br0' delay='x'/></network>"),
            Map.entry("n-mtu.xml", "<network><name>a</name><mtu size='x'/></network>"),
            Map.entry("n-noip.xml", "<network><name>a</name><forward mode='nat'/></network>"),
            Map.entry("n-bad.xml", "<network><nam"),
            Map.entry("n-unknown.xml", "<network><name>u</name><uuid>44444444-2222-3333-4444-555555555555</uuid>"
                    + "<foo bar='1'><baz/></foo><ip address='10.7.0.1' prefix='24'/></network>"));

    static Stream<Script> scripts() {
        return Stream.of(
                new Script("lifecycle", """
                        list --all; list; list --name; list --uuid; list --all --inactive
                        dominfo test; domstate test; domstate test --reason; domid test; domname 1
                        suspend test; list; domstate test --reason; resume test; domstate test --reason
                        shutdown test; list --all; list --inactive; domstate test --reason; dominfo test
                        start test; domstate test --reason; reboot test; reset test; domstate test --reason
                        destroy test; domstate test --reason; list --state-shutoff
                        autostart test; dominfo test; list --autostart; autostart test --disable; dominfo test
                        dominfo 6695eb01-f6a4-8304-79aa-97f2502e193f
                        """, List.of()),
                new Script("define", """
                        define @/d1.xml; list --all; dominfo vm1; dumpxml vm1; domstate vm1 --reason
                        start vm1; list; dumpxml vm1; dumpxml vm1 --inactive; dominfo vm1
                        define @/d4.xml; list --all; dumpxml vm4
                        destroy vm1; undefine vm1; list --all
                        create @/d1.xml; list --all; dominfo vm1; destroy vm1; list --all
                        define @/d1.xml; define @/d1.xml; undefine vm1
                        """, List.of()),
                new Script("persistent-and-live", """
                        define @/d1.xml; start vm1; define @/d3.xml; define @/d5.xml; dumpxml vm1 --inactive
                        dumpxml vm1; dominfo vm1; domuuid vm1; domid vm1; domname vm1; domname 2
                        domname 11111111-2222-3333-4444-555555555555; start vm1 --paused
                        list --all --persistent; list --transient; destroy vm1; dominfo vm1
                        """, List.of()),
                new Script("errors", """
                        define @/nosuch.xml; define @/mem.xml; define @/vcpu.xml; define @/fmt.xml
                        define @/noname.xml; define @/type.xml; define @/notype.xml; define @/noos.xml
                        define @/nomem.xml; define @/action.xml; define @/uuid.xml; define @/unit.xml
                        define @/mac.xml; define @/bus.xml; define @/notarget.xml; define @/root.xml
                        define @/d1.xml; define @/d2.xml; define @/d3.xml
                        create @/d1.xml; create @/d1.xml; destroy vm1
                        start test; dominfo nosuch; start nosuch; dumpxml nosuch; resume test
                        destroy test; destroy test; shutdown test; suspend test; reboot test; reset test
                        console vm1; list --all
                        """, List.of()),
                new Script("syntax-error", "define @/bad.xml; list", List.of(
                        new Known("libxml2 and the JDK's parser word syntax errors differently",
                                "error: \\(domain_definition\\):1: expected '>'\n[^\n]*\n-*\\^\n",
                                "error: (domain_definition):1: XML document structures must start and end within"
                                        + " the same entity.\n"))),
                new Script("snapshots", """
                        snapshot-list test; snapshot-list test --tree; snapshot-current test
                        snapshot-create-as test s1 --description 'first one'; snapshot-create-as test s2
                        snapshot-list test; snapshot-list test --parent; snapshot-list test --tree; snapshot-list test --name
                        snapshot-current test; snapshot-current test --name; snapshot-dumpxml test s1
                        snapshot-revert test s1; snapshot-current test --name; snapshot-create-as test s3
                        snapshot-create-as test s4; snapshot-list test --tree; snapshot-list test --roots
                        snapshot-create-as test s2; snapshot-revert test nosuch; snapshot-delete test nosuch
                        snapshot-dumpxml test nosuch
                        suspend test; snapshot-create-as test p; destroy test; snapshot-create-as test off
                        snapshot-list test --parent; snapshot-dumpxml test off
                        undefine test; snapshot-revert test p; domstate test --reason; list
                        snapshot-revert test s2; domstate test --reason; snapshot-revert test off; domstate test --reason
                        snapshot-delete test s1; snapshot-list test --tree; snapshot-list test --parent
                        snapshot-delete test s3; snapshot-delete --current test; snapshot-current test --name
                        snapshot-list nosuch
                        """, List.of()),
                new Script("pools", """
                        pool-list; pool-list --all; pool-list --details
                        pool-define-as p1 dir --target /srv/p1; pool-list --all; pool-define-as default-pool dir --target /x
                        vol-list p1; pool-build p1; pool-start p1; pool-list
                        vol-create-as p1 v1.img 10M; vol-create-as p1 v2.qcow2 1G --format qcow2
                        vol-create-as p1 v1.img 1M; vol-create-as p1 v3 1M --format foo
                        vol-list p1; vol-list p1 --details; vol-info v1.img --pool p1
                        vol-clone v1.img v3.img --pool p1; vol-list p1 --details; vol-resize v1.img 20M --pool p1
                        vol-delete v1.img --pool p1; vol-delete nosuch --pool p1; vol-list p1
                        pool-destroy p1; pool-destroy p1; pool-list --all; vol-list p1; pool-start nosuch
                        pool-undefine default-pool; pool-undefine p1; pool-list --all
                        """, List.of(
                        new Known("jvirt supports only raw and qcow2 volumes and says so",
                                "error: unsupported configuration: unknown volume format type foo",
                                "error: unsupported configuration: volume format 'foo' is not supported; use raw or qcow2"))),
                new Script("edit", """
                        edit test; dominfo test; dumpxml test --inactive; edit test; destroy test; start test; dominfo test
                        """, List.of()),
                new Script("networks", "net-list; net-list --all; net-list --name; net-info default; net-dumpxml default;"
                        + " net-info nosuch", List.of()),
                new Script("network-lifecycle", """
                        net-define @/n1.xml; net-list --all; net-list --inactive; net-info n1; net-dumpxml n1
                        net-start n1; net-list; net-start n1; net-autostart n1; net-list --all --autostart
                        net-list --no-autostart; net-uuid n1; net-name 3e561b0d-22ae-4589-b108-48663525d633
                        net-name 3e561b0d-22ae-4589-b108-000000000000; net-uuid default; net-info 3e561b0d-22ae-4589-b108-48663525d633
                        net-autostart n1 --disable; net-destroy n1; net-destroy n1; net-undefine n1; net-info n1
                        net-define @/n2.xml; net-dumpxml n2; net-info n2; net-undefine n2
                        net-create @/n1.xml; net-list --all; net-list --transient; net-list --persistent; net-autostart n1
                        net-destroy n1; net-list --all; net-list --uuid; net-list --name --uuid
                        net-undefine default; net-dhcp-leases default; net-edit default; net-dumpxml default --inactive
                        net-start nosuch; net-destroy nosuch; net-undefine nosuch; net-autostart nosuch; net-dumpxml nosuch
                        net-dhcp-leases nosuch; net-edit nosuch; net-create @/nosuch.xml
                        """, List.of()),
                new Script("network-errors", """
                        net-define @/n-dupname.xml; net-define @/n-dupuuid.xml; net-create @/n-dupname.xml
                        net-define @/n-noname.xml; net-define @/n-root.xml; net-define @/n-slash.xml; net-define @/n-uuid.xml
                        net-define @/n-mode.xml; net-define @/n-addr.xml; net-define @/n-both.xml; net-define @/n-prefix.xml
                        net-define @/n-range.xml; net-define @/n-reversed.xml; net-define @/n-mac.xml; net-define @/n-hostip.xml
                        net-define @/n-delay.xml; net-define @/n-mtu.xml; net-define @/n-noip.xml; net-list --all
                        """, List.of()),
                new Script("network-unknown", "net-define @/n-unknown.xml; net-dumpxml u", List.of(
                        new Known("jvirt keeps elements it does not know (libvirt drops them)",
                                "  </ip>\n</network>", "  </ip>\n  <foo bar='1'>\n    <baz/>\n  </foo>\n</network>"))),
                new Script("network-syntax-error", "net-define @/n-bad.xml; net-list --all", List.of(
                        new Known("libxml2 and the JDK's parser word syntax errors differently",
                                "error: \\(network_definition\\):1: Couldn't find end of Start Tag nam[^\n]*\n[^\n]*\n-*\\^\n",
                                "error: (network_definition):1: XML document structures must start and end within"
                                        + " the same entity.\n"))),
                new Script("event-timeout", "event --all --timeout 1", List.of()),
                new Script("event-usage", "event; event --list", List.of(
                        new Known("virsh lists all of libvirt's event types; jvirt has lifecycle and reboot",
                                "lifecycle\nreboot\n(?s).*", "lifecycle\nreboot\n\n\u0000error: one of --list,"
                                        + " --all, or --event <type> is required\n"))),
                new Script("usage-missing", "dominfo", List.of()),
                new Script("usage-option", "list --foo", List.of()),
                new Script("usage-command", "nosuchcmd", List.of()),
                new Script("usage-extra", "dominfo test extra", List.of()),
                new Script("usage-exclusive", "snapshot-list test --parent --tree", List.of()),
                new Script("quiet", "-q|suspend test; list; domstate test; list --all", List.of()));
    }

    @BeforeAll
    static void fixtures() throws IOException {
        for (var e : FILES.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
    }

    record Run(int rc, String out, String err) {
        String both() {
            return out + "\u0000" + err;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void sameOutputAsVirsh(Script s) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/virsh")),
                "virsh (Debian package libvirt-clients) is not installed; scripts/install-deps installs it");
        String cmds = s.commands().replace("@/", dir + "/").strip();
        boolean quiet = cmds.startsWith("-q|");
        cmds = quiet ? cmds.substring(3) : cmds;
        String[] args = quiet ? new String[] {"-q", "-c", "test:///default", cmds}
                : new String[] {"-c", "test:///default", cmds};
        // The edit script's editor turns 2 vCPUs into 3 (and changes nothing the second time).
        Path editor = dir.resolve("editor.sh");
        Files.writeString(editor, "#!/bin/sh\nsed -i \"s/>2<\\/vcpu>/>3<\\/vcpu>/\" \"$1\"\n");
        editor.toFile().setExecutable(true);
        Run virsh = virsh(args, editor.toString());
        System.setProperty("jvirt.editor", editor.toString());
        Run jvirt;
        try {
            jvirt = jvirt(args);
        } finally {
            System.clearProperty("jvirt.editor");
        }
        String expected = normalize(virsh.both());
        for (Known k : s.known()) {
            Matcher m = Pattern.compile(k.virshRegex()).matcher(expected);
            assertTrue(m.find(), s.name() + ": known difference '" + k.why() + "' no longer occurs in virsh's output;"
                    + " remove it from the list\n" + expected);
            expected = m.replaceAll(Matcher.quoteReplacement(k.jvirt()));
        }
        // Both sides are kept under target/conformance for diff(1) when this fails.
        Path keep = Path.of("target", "conformance");
        Files.createDirectories(keep);
        Files.writeString(keep.resolve(s.name() + ".virsh"), expected.replace("\u0000", "\n--- stderr ---\n"));
        Files.writeString(keep.resolve(s.name() + ".jvirt"),
                normalize(jvirt.both()).replace("\u0000", "\n--- stderr ---\n"));
        assertEquals(expected, normalize(jvirt.both()), s.name() + ": output differs from virsh");
        assertEquals(virsh.rc(), jvirt.rc(), s.name() + ": exit status differs from virsh");
    }

    /** Masks what depends on the clock: CPU time, snapshot times. */
    static String normalize(String s) {
        return s.replaceAll("(?m)^CPU time: .*\n", "")
                .replaceAll("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}", "YYYY-MM-DD HH:MM:SS +ZZZZ")
                .replaceAll("<creationTime>\\d+</creationTime>", "<creationTime>T</creationTime>");
    }

    static Run virsh(String[] args, String editor) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of("virsh"), Stream.of(args)).toList())
                .directory(dir.toFile());
        pb.environment().put("EDITOR", editor);
        pb.environment().remove("VISUAL");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "virsh did not finish");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static Run jvirt(String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = Main.run(args, o, e);
        }
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

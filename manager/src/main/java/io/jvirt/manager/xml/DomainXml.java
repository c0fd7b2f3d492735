package io.jvirt.manager.xml;

import static io.jvirt.manager.xml.XmlText.attr;
import static io.jvirt.manager.xml.XmlText.child;
import static io.jvirt.manager.xml.XmlText.childText;
import static io.jvirt.manager.xml.XmlText.children;

import io.jvirt.manager.VirtException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A domain definition in libvirt's domain XML (formatdomain), the subset jvirt runs: direct
 * kernel boot, virtio disks/NICs/rng, a pty serial console. The model sits on top of the DOM it
 * was parsed from, so elements and attributes jvirt does not know survive a round trip.
 * Parsing validates and normalizes the way libvirt does (memory in KiB, default actions, a
 * generated UUID and MAC); a validation error names the element and the value.
 */
public final class DomainXml {

    /** The accelerator a domain type selects: {@code kvm} is /dev/kvm, {@code qemu} the software CPU. */
    public enum Accel { KVM, TCG, TEST }

    /** A file-backed virtio disk; {@code serial} is the {@code <serial>} text or null. */
    public record Disk(String source, String format, String target, String bus, boolean readonly, String serial) {
    }

    /**
     * A virtio NIC on a libvirt network or a host bridge; {@code target} is the host TAP's name
     * from {@code <target dev>} (null when the daemon picks one).
     */
    public record Nic(String type, String source, String mac, String model, String target) {
    }

    private final Document doc;

    private DomainXml(Document doc) {
        this.doc = doc;
    }

    /** Parses and validates; {@code source} names the input in syntax errors. */
    public static DomainXml parse(String xml, String source, DomainDefaults defaults) throws VirtException {
        Document d = XmlText.parse(xml, source);
        DomainValidator.validateAndNormalize(d.getDocumentElement(), defaults);
        return new DomainXml(d);
    }

    /** An independent copy (the live definition and the persistent one diverge while running). */
    public DomainXml copy() {
        return new DomainXml(XmlText.copy(doc));
    }

    Element root() {
        return doc.getDocumentElement();
    }

    public String type() {
        return root().getAttribute("type");
    }

    public Accel accelerator() {
        return switch (type()) {
            case "kvm" -> Accel.KVM;
            case "qemu" -> Accel.TCG;
            default -> Accel.TEST;
        };
    }

    public String name() {
        return childText(root(), "name");
    }

    public UUID uuid() {
        return UUID.fromString(childText(root(), "uuid"));
    }

    public long memoryKiB() {
        return Long.parseLong(childText(root(), "memory"));
    }

    public long currentMemoryKiB() {
        return Long.parseLong(childText(root(), "currentMemory"));
    }

    public int vcpus() {
        return Integer.parseInt(childText(root(), "vcpu"));
    }

    public String osType() {
        return childText(child(root(), "os"), "type");
    }

    public String arch() {
        return attr(child(child(root(), "os"), "type"), "arch");
    }

    public String machine() {
        return attr(child(child(root(), "os"), "type"), "machine");
    }

    public String kernel() {
        return childText(child(root(), "os"), "kernel");
    }

    public String initrd() {
        return childText(child(root(), "os"), "initrd");
    }

    public String cmdline() {
        return childText(child(root(), "os"), "cmdline");
    }

    public String cpuMode() {
        return attr(child(root(), "cpu"), "mode");
    }

    public String onPoweroff() {
        return childText(root(), "on_poweroff");
    }

    public String onReboot() {
        return childText(root(), "on_reboot");
    }

    public String onCrash() {
        return childText(root(), "on_crash");
    }

    public List<Disk> disks() {
        List<Disk> out = new ArrayList<>();
        Element devices = child(root(), "devices");
        if (devices == null) {
            return out;
        }
        for (Element d : children(devices, "disk")) {
            Element drv = child(d, "driver");
            Element src = child(d, "source");
            Element tgt = child(d, "target");
            String fmt = attr(drv, "type");
            out.add(new Disk(attr(src, "file"), fmt == null ? "raw" : fmt, attr(tgt, "dev"),
                    attr(tgt, "bus") == null ? "virtio" : attr(tgt, "bus"), child(d, "readonly") != null,
                    childText(d, "serial")));
        }
        return out;
    }

    public List<Nic> interfaces() {
        List<Nic> out = new ArrayList<>();
        Element devices = child(root(), "devices");
        if (devices == null) {
            return out;
        }
        for (Element i : children(devices, "interface")) {
            String type = i.getAttribute("type");
            Element src = child(i, "source");
            String source = attr(src, type.equals("bridge") ? "bridge" : "network");
            String model = attr(child(i, "model"), "type");
            out.add(new Nic(type, source, attr(child(i, "mac"), "address"), model == null ? "virtio" : model,
                    attr(child(i, "target"), "dev")));
        }
        return out;
    }

    public boolean hasSerialPty() {
        Element devices = child(root(), "devices");
        return devices != null && !children(devices, "serial").isEmpty();
    }

    /** True when the first {@code <console>} is a virtio console (hvc0) rather than the serial port. */
    public boolean virtioConsole() {
        Element devices = child(root(), "devices");
        List<Element> consoles = devices == null ? List.of() : children(devices, "console");
        return !consoles.isEmpty() && "virtio".equals(attr(child(consoles.getFirst(), "target"), "type"));
    }

    public boolean hasRng() {
        Element devices = child(root(), "devices");
        return devices != null && !children(devices, "rng").isEmpty();
    }

    /** Sets the target dev of interfaces that have none (the test driver names them testnetN). */
    public void nameInterfaceTargets(String prefix) {
        Element devices = child(root(), "devices");
        if (devices == null) {
            return;
        }
        int n = 0;
        for (Element i : children(devices, "interface")) {
            if (child(i, "target") == null) {
                Element t = doc.createElement("target");
                XmlText.setAttr(t, "dev", prefix + n);
                Element model = child(i, "model");
                i.insertBefore(t, model);
            }
            n++;
        }
    }

    /** The document as libvirt's dumpxml shows it; {@code id} is set for a running domain (or -1). */
    public String format(int id) {
        Element r = XmlText.copy(doc).getDocumentElement();
        r.removeAttribute("id");
        if (id >= 0) {
            XmlText.setAttr(r, "id", Integer.toString(id));
        }
        return XmlText.format(r);
    }

    /** The document with a different indent depth (snapshots embed the domain). */
    public Element element() {
        return root();
    }

    @Override
    public String toString() {
        return format(-1);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static UUID randomUuid() {
        return UUID.randomUUID();
    }
}

package io.jvirt.manager.xml;

import static io.jvirt.manager.xml.XmlText.attr;
import static io.jvirt.manager.xml.XmlText.child;
import static io.jvirt.manager.xml.XmlText.childText;
import static io.jvirt.manager.xml.XmlText.children;

import io.jvirt.manager.VirtException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Checks a domain document against the subset jvirt supports and fills in what libvirt fills in
 * (error texts follow libvirt's, so virsh users see the messages they know).
 */
final class DomainValidator {

    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern UUID_TEXT =
            Pattern.compile("(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}");
    // formatdomain "Events configuration".
    private static final Set<String> LIFECYCLE_ACTIONS = Set.of("destroy", "restart", "preserve", "rename-restart");
    private static final Set<String> CRASH_ACTIONS =
            Set.of("destroy", "restart", "preserve", "rename-restart", "coredump-destroy", "coredump-restart");
    // Disk formats libvirt knows (virStorageFileFormat); jvirt's block layer runs raw and qcow2.
    private static final Set<String> KNOWN_FORMATS = Set.of("raw", "qcow2", "qcow", "vmdk", "vdi", "vpc",
            "vhdx", "qed", "cow", "dir", "bochs", "cloop", "dmg", "iso", "luks", "ploop", "fat", "none", "auto");
    private static final Set<String> BUSES = Set.of("ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd");
    private static final SecureRandom RANDOM = new SecureRandom();

    private DomainValidator() {
    }

    static void validateAndNormalize(Element root, DomainDefaults defaults) throws VirtException {
        Document doc = root.getOwnerDocument();
        if (!root.getTagName().equals("domain")) {
            throw VirtException.xml("expecting root element of 'domain', not '" + root.getTagName() + "'");
        }
        String type = attr(root, "type");
        if (type == null) {
            throw VirtException.internal("missing domain type attribute");
        }
        if (!defaults.types().contains(type)) {
            throw VirtException.unsupported("invalid domain type " + type
                    + (defaults.types().contains("test") ? "" : "; jvirt runs type='kvm' (KVM) or type='qemu' (software CPU)"));
        }
        String name = childText(root, "name");
        if (name == null || name.isEmpty()) {
            throw new VirtException(VirtException.Code.XML, "missing name information");
        }
        if (name.contains("/")) {
            throw new VirtException(VirtException.Code.XML, "name " + name + " cannot contain '/'");
        }
        io.jvirt.manager.Names.check("domain", name);
        String uuid = childText(root, "uuid");
        if (uuid == null) {
            XmlText.setChildText(root, "uuid", DomainXml.randomUuid().toString());
        } else if (!UUID_TEXT.matcher(uuid).matches()) {
            throw VirtException.internal("malformed uuid element");
        } else {
            String hex = uuid.replace("-", "").toLowerCase(java.util.Locale.ROOT);
            child(root, "uuid").setTextContent(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-"
                    + hex.substring(12, 16) + "-" + hex.substring(16, 20) + "-" + hex.substring(20));
        }
        Element memory = child(root, "memory");
        if (memory == null) {
            throw VirtException.xml("Memory size must be specified via <memory> or in the <numa> configuration");
        }
        long memKiB = kib(memory, "./memory[1]");
        Element cur = child(root, "currentMemory");
        long curKiB = cur == null ? memKiB : kib(cur, "./currentMemory[1]");
        if (cur == null) {
            cur = doc.createElement("currentMemory");
            root.insertBefore(cur, memory.getNextSibling());
        }
        setKiB(memory, memKiB);
        setKiB(cur, Math.min(curKiB, memKiB));
        Element vcpu = child(root, "vcpu");
        if (vcpu == null) {
            vcpu = XmlText.setChildText(root, "vcpu", "1");
        }
        try {
            if (Integer.parseInt(vcpu.getTextContent().strip()) < 1) {
                throw VirtException.xml("Invalid number of vCPUs '" + vcpu.getTextContent().strip() + "'; use 1 or more");
            }
            vcpu.setTextContent(vcpu.getTextContent().strip());
        } catch (NumberFormatException e) {
            throw VirtException.xml("maximum vcpus count must be an integer");
        }
        if (attr(vcpu, "placement") == null) {
            XmlText.setAttr(vcpu, "placement", "static");
        }
        os(root, defaults);
        if (child(root, "clock") == null) {
            XmlText.setAttr(XmlText.ensureChild(root, "clock"), "offset", "utc");
        }
        action(root, "on_poweroff", "destroy", LIFECYCLE_ACTIONS);
        action(root, "on_reboot", "restart", LIFECYCLE_ACTIONS);
        action(root, "on_crash", "destroy", CRASH_ACTIONS);
        devices(XmlText.ensureChild(root, "devices"));
        Order.sort(root);
    }

    private static long kib(Element e, String xpath) throws VirtException {
        String text = e.getTextContent().strip();
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException ex) {
            throw VirtException.xml("Invalid value '" + text + "' for element or attribute '" + xpath + "'");
        }
        if (n < 0) {
            throw VirtException.xml("Invalid value '" + text + "' for element or attribute '" + xpath + "'");
        }
        long bytes = Math.multiplyExact(n, MemoryUnits.bytesPer(attr(e, "unit")));
        return (bytes + 1023) / 1024;
    }

    private static void setKiB(Element e, long kib) {
        XmlText.setAttr(e, "unit", "KiB");
        e.setTextContent(Long.toString(kib));
    }

    private static void os(Element root, DomainDefaults defaults) throws VirtException {
        Element os = child(root, "os");
        Element type = os == null ? null : child(os, "type");
        if (type == null) {
            throw VirtException.xml("an os <type> must be specified");
        }
        String t = type.getTextContent().strip();
        if (!t.equals("hvm") && !t.equals("linux")) {
            throw VirtException.unsupported("os type '" + t + "' is not supported; use <type>hvm</type>");
        }
        if (attr(type, "arch") == null) {
            XmlText.setAttr(type, "arch", defaults.arch());
        } else if (!Set.of("x86_64", "i686").contains(type.getAttribute("arch"))) {
            throw VirtException.unsupported("architecture '" + type.getAttribute("arch")
                    + "' in <os><type arch=...> is not supported; use x86_64");
        }
        if (child(os, "boot") == null && !hasBootOrder(root)) {
            Element boot = root.getOwnerDocument().createElement("boot");
            XmlText.setAttr(boot, "dev", "hd");
            os.appendChild(boot);
        }
        Order.sortOs(os);
    }

    private static boolean hasBootOrder(Element root) {
        Element devices = child(root, "devices");
        if (devices == null) {
            return false;
        }
        for (Element d : children(devices, null)) {
            if (child(d, "boot") != null) {
                return true;
            }
        }
        return false;
    }

    private static void action(Element root, String name, String dflt, Set<String> allowed) throws VirtException {
        String v = childText(root, name);
        if (v == null) {
            XmlText.setChildText(root, name, dflt);
        } else if (!allowed.contains(v)) {
            throw VirtException.unsupported("unknown " + name + " action: " + v);
        } else {
            child(root, name).setTextContent(v);
        }
    }

    private static void devices(Element devices) throws VirtException {
        for (Element d : children(devices, "disk")) {
            disk(d);
        }
        for (Element i : children(devices, "interface")) {
            nic(i);
        }
        List<Element> serials = children(devices, "serial");
        List<Element> consoles = children(devices, "console");
        Document doc = devices.getOwnerDocument();
        // libvirt pairs a console with a serial port only when the console is one (target type serial).
        if (serials.isEmpty() && !consoles.isEmpty()
                && "serial".equals(Objects.requireNonNullElse(attr(child(consoles.getFirst(), "target"), "type"), "serial"))) {
            Element s = doc.createElement("serial");
            XmlText.setAttr(s, "type", consoles.getFirst().getAttribute("type"));
            devices.appendChild(s);
            serials = List.of(s);
        }
        if (!serials.isEmpty() && consoles.isEmpty()) {
            Element c = doc.createElement("console");
            XmlText.setAttr(c, "type", serials.getFirst().getAttribute("type"));
            devices.appendChild(c);
            consoles = List.of(c);
        }
        int port = 0;
        for (Element s : serials) {
            if (child(s, "target") == null) {
                s.appendChild(doc.createElement("target"));
            }
            Element t = child(s, "target");
            if (attr(t, "port") == null) {
                XmlText.setAttr(t, "port", Integer.toString(port));
            }
            port++;
        }
        for (Element c : consoles) {
            if (child(c, "target") == null) {
                Element t = doc.createElement("target");
                XmlText.setAttr(t, "type", "serial");
                XmlText.setAttr(t, "port", "0");
                c.appendChild(t);
            }
        }
        Order.sortDevices(devices);
    }

    private static void disk(Element d) throws VirtException {
        String type = attr(d, "type") == null ? "file" : d.getAttribute("type");
        Element src = child(d, "source");
        Element tgt = child(d, "target");
        String file = attr(src, "file");
        if (tgt == null || attr(tgt, "dev") == null) {
            throw new VirtException(VirtException.Code.XML, "missing target information for device "
                    + (file == null ? "<disk>" : file));
        }
        if (!type.equals("file")) {
            throw VirtException.unsupported("disk type '" + type + "' for " + tgt.getAttribute("dev")
                    + " is not supported; use <disk type='file'>");
        }
        String fmt = attr(child(d, "driver"), "type");
        if (fmt != null && !KNOWN_FORMATS.contains(fmt)) {
            throw VirtException.unsupported("unknown driver format value '" + fmt + "'");
        }
        String bus = attr(tgt, "bus");
        if (bus != null && !BUSES.contains(bus)) {
            throw VirtException.xml("Invalid value for attribute 'bus' in element 'target': '" + bus + "'.");
        }
    }

    private static void nic(Element i) throws VirtException {
        Element mac = child(i, "mac");
        if (mac == null) {
            mac = i.getOwnerDocument().createElement("mac");
            byte[] b = new byte[3];
            RANDOM.nextBytes(b);
            // 52:54:00 is the locally administered prefix libvirt and QEMU use.
            XmlText.setAttr(mac, "address", "52:54:00:" + HexFormat.ofDelimiter(":").formatHex(b));
            i.insertBefore(mac, i.getFirstChild());
        } else {
            String a = attr(mac, "address");
            if (a == null || !MAC.matcher(a).matches()) {
                throw VirtException.xml("unable to parse mac address '" + (a == null ? "" : a) + "'");
            }
            XmlText.setAttr(mac, "address", a.toLowerCase(java.util.Locale.ROOT));
        }
        String type = attr(i, "type");
        if (type == null || !Set.of("network", "bridge", "user", "ethernet").contains(type)) {
            throw VirtException.unsupported("interface type '" + type
                    + "' is not supported; use <interface type='network'> or type='bridge'");
        }
    }
}

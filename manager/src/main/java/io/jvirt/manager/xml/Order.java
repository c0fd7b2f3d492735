package io.jvirt.manager.xml;

import static io.jvirt.manager.xml.XmlText.children;

import java.util.Comparator;
import java.util.List;
import org.w3c.dom.Element;

/**
 * libvirt writes a domain's children in a fixed order (virDomainDefFormatInternal); jvirt keeps
 * that order for the elements it knows and leaves unknown ones after them, in input order.
 */
final class Order {

    private static final List<String> DOMAIN = List.of("name", "uuid", "genid", "title", "description",
            "metadata", "maxMemory", "memory", "currentMemory", "blkiotune", "memtune", "memoryBacking",
            "vcpu", "vcpus", "iothreads", "cputune", "numatune", "resource", "sysinfo", "bootloader",
            "bootloader_args", "os", "idmap", "features", "cpu", "clock", "on_poweroff", "on_reboot",
            "on_crash", "on_lockfailure", "pm", "perf", "devices", "seclabel", "keywrap", "launchSecurity");
    private static final List<String> OS = List.of("type", "firmware", "loader", "nvram", "kernel",
            "initrd", "cmdline", "dtb", "initarg", "boot", "bootmenu", "smbios", "bios");
    private static final List<String> DEVICES = List.of("emulator", "disk", "controller", "lease",
            "filesystem", "interface", "smartcard", "serial", "parallel", "console", "channel", "input",
            "tpm", "graphics", "sound", "audio", "video", "hostdev", "redirdev", "redirfilter", "hub",
            "watchdog", "memballoon", "rng", "nvram", "panic", "shmem", "memory", "iommu", "vsock", "crypto");

    private Order() {
    }

    static void sort(Element root) {
        sortBy(root, DOMAIN);
    }

    static void sortOs(Element os) {
        sortBy(os, OS);
    }

    static void sortDevices(Element devices) {
        sortBy(devices, DEVICES);
    }

    static void sortBy(Element parent, List<String> order) {
        List<Element> kids = children(parent, null);
        List<Element> sorted = kids.stream()
                .sorted(Comparator.comparingInt(e -> rank(order, e.getTagName())))
                .toList();
        for (Element e : sorted) {
            parent.removeChild(e);
        }
        for (Element e : sorted) {
            parent.appendChild(e);
        }
    }

    private static int rank(List<String> order, String tag) {
        int i = order.indexOf(tag);
        return i < 0 ? order.size() : i;
    }
}

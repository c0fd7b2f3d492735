package io.jvirt.manager.xml;

import io.jvirt.manager.DomainState;
import io.jvirt.manager.SnapshotInfo;
import io.jvirt.manager.VirtException;
import java.util.List;

/** Formats a snapshot as libvirt's formatsnapshot &lt;domainsnapshot&gt; document. */
public final class SnapshotXml {

    private SnapshotXml() {
    }

    /** A stored snapshot document read back: the domain is re-parsed with the driver's defaults. */
    public record Parsed(String name, String parent, long creationTime, DomainState state, String description,
                         DomainXml domain) {
    }

    public static Parsed parse(String xml, DomainDefaults defaults) throws VirtException {
        org.w3c.dom.Element root = XmlText.parse(xml, "domainsnapshot").getDocumentElement();
        String name = XmlText.childText(root, "name");
        org.w3c.dom.Element parent = XmlText.child(root, "parent");
        String stateWord = XmlText.childText(root, "state");
        DomainState state = switch (stateWord == null ? "" : stateWord) {
            case "running" -> DomainState.RUNNING;
            case "paused" -> DomainState.PAUSED;
            default -> DomainState.SHUTOFF;
        };
        org.w3c.dom.Element dom = XmlText.child(root, "domain");
        if (name == null || dom == null) {
            throw VirtException.xml("snapshot document lacks <name> or <domain>");
        }
        String t = XmlText.childText(root, "creationTime");
        return new Parsed(name, parent == null ? null : XmlText.childText(parent, "name"),
                t == null ? 0 : Long.parseLong(t), state, XmlText.childText(root, "description"),
                DomainXml.parse(XmlText.format(dom), "domainsnapshot", defaults));
    }

    public static String format(SnapshotInfo s, DomainXml domain) {
        StringBuilder sb = new StringBuilder("<domainsnapshot>\n");
        sb.append("  <name>").append(XmlText.escape(s.name(), false)).append("</name>\n");
        if (s.description() != null) {
            sb.append("  <description>").append(XmlText.escape(s.description(), false)).append("</description>\n");
        }
        sb.append("  <state>").append(s.state().snapshotWord()).append("</state>\n");
        if (s.parent() != null) {
            sb.append("  <parent>\n    <name>").append(XmlText.escape(s.parent(), false)).append("</name>\n  </parent>\n");
        }
        sb.append("  <creationTime>").append(s.creationTime()).append("</creationTime>\n");
        sb.append("  <memory snapshot='").append(s.state() == DomainState.SHUTOFF ? "no" : "internal").append("'/>\n");
        sb.append("  <disks>\n");
        List<DomainXml.Disk> disks = domain.disks();
        for (DomainXml.Disk d : disks) {
            sb.append("    <disk name='").append(XmlText.escape(d.target(), true)).append("' snapshot='internal'/>\n");
        }
        sb.append("  </disks>\n");
        XmlText.write(sb, domain.element(), 1, '\'');
        sb.append("</domainsnapshot>\n");
        return sb.toString();
    }
}

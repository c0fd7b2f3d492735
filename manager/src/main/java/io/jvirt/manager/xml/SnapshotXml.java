package io.jvirt.manager.xml;

import io.jvirt.manager.DomainState;
import io.jvirt.manager.SnapshotInfo;
import java.util.List;

/** Formats a snapshot as libvirt's formatsnapshot &lt;domainsnapshot&gt; document. */
public final class SnapshotXml {

    private SnapshotXml() {
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

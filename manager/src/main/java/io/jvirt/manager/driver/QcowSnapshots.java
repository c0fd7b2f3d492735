package io.jvirt.manager.driver;

import io.jvirt.manager.VirtException;
import io.jvirt.manager.xml.DomainXml;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A domain snapshot's disk half: an internal snapshot of the same name in every writable
 * qcow2 disk (qcow2.txt "Snapshots"), made while the domain is
 * shut off, through the block module's {@code jvirt img snapshot} (qemu-img's semantics, so
 * qemu-img reads them too). Running domains need the VMM to write the snapshot and are
 * refused for now.
 */
final class QcowSnapshots implements DiskSnapshots {

    private static List<DomainXml.Disk> writable(DomainXml def) throws VirtException {
        List<DomainXml.Disk> out = new ArrayList<>();
        for (DomainXml.Disk d : def.disks()) {
            if (d.readonly()) {
                continue;
            }
            if (!d.format().equals("qcow2")) {
                throw VirtException.unsupported("internal snapshot for disk " + d.target()
                        + " unsupported for storage type " + d.format() + "; convert it to qcow2 or make it <readonly/>");
            }
            out.add(d);
        }
        return out;
    }

    @Override
    public void create(Dom d, Dom.Snap s) throws VirtException {
        if (d.state.active()) {
            throw VirtException.unsupported("internal snapshots of running domain '" + d.name() + "' need the VMM to save"
                    + " its memory and devices, which jvirt cannot do yet; shut it off first ('jvirt shutdown "
                    + d.name() + "'), then snapshot");
        }
        List<DomainXml.Disk> done = new ArrayList<>();
        try {
            for (DomainXml.Disk disk : writable(s.domain())) {
                // The metadata has no snapshot of this name (the driver checked), so one in the
                // image is left from a daemon killed between the two writes: replace it.
                deleteQuietly(s.name(), disk.source());
                DirVolumes.ImageTool.run("snapshot", "-q", "-c", s.name(), disk.source());
                done.add(disk);
            }
        } catch (IOException e) {
            for (DomainXml.Disk disk : done) {
                try {
                    DirVolumes.ImageTool.run("snapshot", "-q", "-d", s.name(), disk.source());
                } catch (IOException ignored) {
                    // Best effort: the error below already names the snapshot that failed.
                }
            }
            throw VirtException.failed("cannot snapshot disks of '" + d.name() + "': " + e.getMessage());
        }
    }

    @Override
    public void revert(Dom d, Dom.Snap s) throws VirtException {
        try {
            for (DomainXml.Disk disk : writable(s.domain())) {
                DirVolumes.ImageTool.run("snapshot", "-q", "-a", s.name(), disk.source());
            }
        } catch (IOException e) {
            throw VirtException.failed("cannot revert disks of '" + d.name() + "' to " + s.name() + ": " + e.getMessage());
        }
    }

    @Override
    public void checkRevert(Dom d, Dom.Snap s) throws VirtException {
        if (s.state().active()) {
            throw VirtException.unsupported("snapshot " + s.name() + " holds a running domain's memory, which jvirt run cannot restore yet");
        }
        writable(s.domain());
    }

    @Override
    public void checkDelete(Dom d, Dom.Snap s) throws VirtException {
        if (d.state.active()) {
            throw VirtException.unsupported("deleting disk snapshots of running domain '" + d.name()
                    + "' needs the VMM, which has the disks open; shut it off first ('jvirt shutdown " + d.name() + "')");
        }
        writable(s.domain());
    }

    @Override
    public void delete(Dom d, Dom.Snap s) throws VirtException {
        for (DomainXml.Disk disk : writable(s.domain())) {
            deleteQuietly(s.name(), disk.source());
        }
    }

    /** Deletes internal snapshot {@code name} of {@code image} if it has one. */
    private static void deleteQuietly(String name, String image) {
        try {
            DirVolumes.ImageTool.run("snapshot", "-q", "-d", name, image);
        } catch (IOException e) {
            // None of that name (or the image is gone): nothing to delete.
        }
    }
}

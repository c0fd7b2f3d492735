package io.jvirt.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds the default guest from Debian's packages into a fresh directory (needs apt-get and a
 * reachable package archive; skips on hosts without apt-get) and checks the result with the
 * real cpio tool and the bzImage header.
 */
@Timeout(600)
class DefaultGuestTest {

    @TempDir
    static Path dir;
    static DefaultGuest guest;

    @BeforeAll
    static void build() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")), "needs apt-get (a Debian host)");
        guest = DefaultGuest.ensure(dir.resolve("default"));
    }

    @Test
    void kernelIsA64BitBzImage() throws IOException {
        // boot.rst: 0x1fe boot_flag 0xaa55, 0x202 header "HdrS", 0x206 version, 0x236 xloadflags
        ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(guest.kernel())).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((short) 0xaa55, h.getShort(0x1fe));
        assertEquals(0x53726448, h.getInt(0x202), "HdrS magic");
        assertTrue((h.getShort(0x206) & 0xffff) >= 0x20c, "boot protocol >= 2.12 for the 64-bit entry");
        assertEquals(1, h.getShort(0x236) & 1, "XLF_KERNEL_64");
        assertEquals(dir.resolve("default/vmlinuz"), guest.kernel());
    }

    @Test
    void initramfsListsBusyboxAppletsDevicesAndInit() throws Exception {
        String listing = cpio(guest.initramfs(), "-itv");
        List<String> names = cpio(guest.initramfs(), "-it").lines().toList();
        for (String n : List.of("init", "bin/busybox", "bin/sh", "sbin/poweroff", "bin/mount", "dev",
                "dev/console", "proc", "sys", "tmp", "lib/modules/virtio_mmio.ko", "lib/modules/virtio_console.ko",
                "lib/modules/virtio_blk.ko", "lib/modules/virtio_net.ko")) {
            assertTrue(names.contains(n), n + " missing from the initramfs:\n" + listing);
        }
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith(" init")), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("lrwxrwxrwx") && l.endsWith("bin/sh -> /bin/busybox")),
                listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("crw-------") && l.contains("5,   1")
                && l.endsWith("dev/console")), listing);
    }

    @Test
    void initMountsAndPrintsTheReadyMarkerThenRunsAShellOnTtyS0() throws Exception {
        Path x = Files.createDirectories(dir.resolve("x"));
        Process p = new ProcessBuilder("cpio", "-i", "--quiet", "init").directory(x.toFile())
                .redirectInput(guest.initramfs().toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "cpio -i init");
        String init = Files.readString(x.resolve("init"));
        assertTrue(init.startsWith("#!/bin/busybox sh\n"), init);
        assertTrue(init.contains("mount -t devtmpfs devtmpfs /dev"), init);
        assertTrue(init.contains("echo \"" + DefaultGuest.READY_MARKER), init);
        assertTrue(init.contains("tty=ttyS0"), init);
        assertTrue(init.contains("insmod /lib/modules/$m.ko"), init);
        assertTrue(init.contains("virtio_ring virtio virtio_mmio virtio_console"), "dependencies first: " + init);
    }

    @Test
    void aSecondEnsureUsesTheCacheAndLeavesNoScratchBehind() throws IOException {
        FileTime before = Files.getLastModifiedTime(guest.initramfs());
        byte[] kernel = Files.readAllBytes(guest.kernel());
        DefaultGuest again = DefaultGuest.ensure(dir.resolve("default"));
        assertEquals(guest, again);
        assertEquals(before, Files.getLastModifiedTime(again.initramfs()));
        assertArrayEquals(kernel, Files.readAllBytes(again.kernel()));
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().contains(".tmp-")), "scratch directory left");
        }
    }

    @Test
    void anUnknownPackageFailsWithOneLineNamingItAndWritesNothing() throws IOException {
        Path target = dir.resolve("broken/default");
        GuestBuildException e = assertThrows(GuestBuildException.class,
                () -> new GuestBuilder("linux-image-jvirt-no-such-package", "busybox-static").buildInto(target));
        assertTrue(e.getMessage().contains("linux-image-jvirt-no-such-package"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get update"), e.getMessage());
        assertFalse(Files.exists(target));
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(0, s.count(), "nothing half-written next to " + target);
        }
    }

    @Test
    void cacheDirectoryFollowsXdgDataHome() {
        Path d = DefaultGuest.cacheDirectory();
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local/share");
        assertEquals(base.resolve("jvirt/guests/" + DefaultGuest.CACHE_NAME), d);
    }

    static String cpio(Path archive, String flags) throws Exception {
        Process p = new ProcessBuilder("cpio", flags, "--quiet").redirectInput(archive.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "cpio " + flags);
        assertEquals(0, p.exitValue(), "cpio " + flags + ": " + err);
        return new String(out, StandardCharsets.UTF_8);
    }
}

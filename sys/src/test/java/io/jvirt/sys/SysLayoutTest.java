package io.jvirt.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves every struct mirror and constant of the sys module against the C headers: generates
 * a C program that prints sizeof/offsetof of every mirrored member and the value of every
 * constant (by its C name), compiles it with gcc, and compares with the Java side.
 */
class SysLayoutTest {

    /** C type expression of each mirrored struct; true when the whole struct is mirrored. */
    private record Mirror(String cType, StructLayout layout, boolean complete) {
    }

    private static final List<Mirror> MIRRORS = List.of(
            new Mirror("struct kvm_regs", KvmLayouts.KVM_REGS, true),
            new Mirror("struct kvm_segment", KvmLayouts.KVM_SEGMENT, true),
            new Mirror("struct kvm_dtable", KvmLayouts.KVM_DTABLE, true),
            new Mirror("struct kvm_sregs", KvmLayouts.KVM_SREGS, true),
            new Mirror("struct kvm_fpu", KvmLayouts.KVM_FPU, true),
            new Mirror("struct kvm_msr_entry", KvmLayouts.KVM_MSR_ENTRY, true),
            new Mirror("struct kvm_msrs", KvmLayouts.KVM_MSRS, true),
            new Mirror("struct kvm_msr_list", KvmLayouts.KVM_MSR_LIST, true),
            new Mirror("struct kvm_cpuid_entry2", KvmLayouts.KVM_CPUID_ENTRY2, true),
            new Mirror("struct kvm_cpuid2", KvmLayouts.KVM_CPUID2, true),
            new Mirror("struct kvm_lapic_state", KvmLayouts.KVM_LAPIC_STATE, true),
            new Mirror("struct kvm_mp_state", KvmLayouts.KVM_MP_STATE, true),
            new Mirror("struct kvm_userspace_memory_region", KvmLayouts.KVM_USERSPACE_MEMORY_REGION, true),
            new Mirror("struct kvm_irq_level", KvmLayouts.KVM_IRQ_LEVEL, true),
            new Mirror("struct kvm_irqfd", KvmLayouts.KVM_IRQFD, true),
            new Mirror("struct kvm_ioeventfd", KvmLayouts.KVM_IOEVENTFD, true),
            new Mirror("struct kvm_pit_config", KvmLayouts.KVM_PIT_CONFIG, true),
            new Mirror("struct kvm_irqchip", KvmLayouts.KVM_IRQCHIP, true),
            new Mirror("struct kvm_pit_channel_state", KvmLayouts.KVM_PIT_CHANNEL_STATE, true),
            new Mirror("struct kvm_pit_state2", KvmLayouts.KVM_PIT_STATE2, true),
            new Mirror("struct kvm_vcpu_events", KvmLayouts.KVM_VCPU_EVENTS, true),
            new Mirror("struct kvm_run", KvmLayouts.KVM_RUN, false),
            new Mirror("struct epoll_event", LinuxLayouts.EPOLL_EVENT, true),
            new Mirror("struct termios", LinuxLayouts.TERMIOS, true),
            new Mirror("struct winsize", LinuxLayouts.WINSIZE, true),
            new Mirror("__sigset_t", LinuxLayouts.SIGSET, true),
            new Mirror("struct sigaction", LinuxLayouts.SIGACTION, true),
            new Mirror("struct ifreq", LinuxLayouts.IFREQ, true));

    private static final List<Class<?>> CONSTANTS = List.of(KvmConstants.class, LinuxConstants.class, TunConstants.class);

    @Test
    void structsAndConstantsMatchTheCHeaders(@TempDir Path dir) throws Exception {
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc), "gcc not installed (scripts/install-deps installs it)");
        assumeTrue(Files.exists(Path.of("/usr/include/linux/kvm.h")), "<linux/kvm.h> missing: install linux-libc-dev");

        Map<String, Long> expected = new LinkedHashMap<>();
        Map<String, Boolean> is32 = new LinkedHashMap<>();
        for (Mirror m : MIRRORS) {
            if (m.complete()) {
                expected.put("sizeof(" + m.cType() + ")", m.layout().byteSize());
            }
            members(m.cType(), m.layout(), "", 0, expected);
        }
        for (Class<?> c : CONSTANTS) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                if (f.getType() == int.class) {
                    expected.put(f.getName(), (long) f.getInt(null));
                    is32.put(f.getName(), true);
                } else if (f.getType() == long.class) {
                    expected.put(f.getName(), f.getLong(null));
                }
            }
        }
        assertTrue(expected.size() > 200, "too few checks: " + expected.size());

        StringBuilder c = new StringBuilder("""
                #define _GNU_SOURCE
                #include <stddef.h>
                #include <stdio.h>
                #include <errno.h>
                #include <fcntl.h>
                #include <signal.h>
                #include <termios.h>
                #include <sys/ioctl.h>
                #include <sys/mman.h>
                #include <sys/epoll.h>
                #include <sys/eventfd.h>
                #include <linux/kvm.h>
                #include <net/if.h>
                #include <linux/if_tun.h>
                int main(void) {
                """);
        for (String expr : expected.keySet()) {
            c.append("    printf(\"%s=%lld\\n\", \"").append(expr).append("\", (long long) (").append(expr).append("));\n");
        }
        c.append("    return 0;\n}\n");
        Path src = dir.resolve("layouts.c");
        Path exe = dir.resolve("layouts");
        Files.writeString(src, c);
        run(List.of(gcc.toString(), "-Wall", "-Werror", "-o", exe.toString(), src.toString()));
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : run(List.of(exe.toString())).split("\n")) {
            int eq = line.lastIndexOf('=');
            actual.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        List<String> wrong = new ArrayList<>();
        for (var e : expected.entrySet()) {
            long want = actual.get(e.getKey());
            long have = e.getValue();
            boolean same = is32.containsKey(e.getKey()) ? (int) want == (int) have : want == have;
            if (!same) {
                wrong.add(e.getKey() + ": C says " + want + " (0x" + Long.toHexString(want) + "), Java has " + have
                        + " (0x" + Long.toHexString(have) + ")");
            }
        }
        assertEquals(List.of(), wrong, "mirrors that disagree with the C headers");
        assertEquals(expected.size(), actual.size());
    }

    /** Adds offsetof and member sizeof for every named member, descending into groups. */
    private static void members(String cType, GroupLayout group, String prefix, long base, Map<String, Long> out) {
        for (MemoryLayout member : group.memberLayouts()) {
            long offset = base + (group instanceof StructLayout ? group.byteOffset(
                    MemoryLayout.PathElement.groupElement(group.memberLayouts().indexOf(member))) : 0);
            if (member instanceof PaddingLayout) {
                continue;
            }
            String path = member.name().map(n -> prefix + n).orElse(null);
            if (path != null) {
                out.put("offsetof(" + cType + ", " + path + ")", offset);
                out.put("sizeof(((" + cType + " *) 0)->" + path + ")", member.byteSize());
            }
            if (member instanceof GroupLayout g) {
                members(cType, g, path == null ? prefix : path + ".", offset, out);
            }
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command + " timed out");
        assertEquals(0, p.exitValue(), command + " failed:\n" + out);
        return out;
    }
}

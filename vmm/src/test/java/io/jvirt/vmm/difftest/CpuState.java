package io.jvirt.vmm.difftest;

import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The state a case left, as difftest.c prints it: "DT i rax=... r15=... rflags=... mem=...". */
record CpuState(int index, long[] gpr, long rflags, byte[] mem) {

    static final String[] NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final Pattern LINE = Pattern.compile("^DT (\\d+) (.*) rflags=([0-9a-f]{16}) mem=([0-9a-f]+)$");
    private static final Pattern REG = Pattern.compile("(\\w+)=([0-9a-f]{16})");

    /** Parses one dump line; null if the line is not one. */
    static CpuState parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        long[] gpr = new long[16];
        Matcher r = REG.matcher(m.group(2));
        int seen = 0;
        while (r.find()) {
            for (int i = 0; i < NAMES.length; i++) {
                if (NAMES[i].equals(r.group(1))) {
                    gpr[i] = Long.parseUnsignedLong(r.group(2), 16);
                    seen++;
                }
            }
        }
        if (seen != 15 || m.group(4).length() != 2 * DiffCase.MEM) {
            return null;
        }
        return new CpuState(Integer.parseInt(m.group(1)), gpr, Long.parseUnsignedLong(m.group(3), 16),
                HexFormat.of().parseHex(m.group(4)));
    }

    /** The differences from {@code expected} that {@code c} defines; empty when they agree. */
    String diff(CpuState expected, DiffCase c) {
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i != DiffCase.RSP && gpr[i] != expected.gpr[i]) {
                d.append(String.format(" %s=%016x (expected %016x)", NAMES[i], gpr[i], expected.gpr[i]));
            }
        }
        int mask = c.comparedFlags();
        if (((rflags ^ expected.rflags) & mask) != 0) {
            d.append(String.format(" rflags=%x (expected %x, compared bits %x)", rflags, expected.rflags, mask));
        }
        for (int b = 0; b < DiffCase.MEM; b++) {
            if (mem[b] != expected.mem[b]) {
                d.append(String.format(" mem[rbx%+d]=%02x (expected %02x)", b - 128, mem[b], expected.mem[b]));
            }
        }
        return d.toString();
    }
}

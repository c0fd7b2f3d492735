package io.jvirt.cli.run;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Freestanding ELF64 guests built with gcc for the {@code jvirt run} tests. */
final class Payloads {

    private Payloads() {
    }

    /**
     * Entered in 64-bit mode with RSI = boot_params: prints "guest says: " and the kernel command
     * line (boot_params.hdr.cmd_line_ptr at 0x228) on COM1, counts boots in RAM at 0x300000
     * (a reset does not clear RAM), then either resets through the i8042 (first boot) or powers
     * off through ACPI PM1a_CNT (S5, 0x604) on the second.
     */
    static final String ECHO_CMDLINE = """
            .globl _start
            _start:
                mov $0x3f8, %dx
                lea msg(%rip), %rcx
            1:  movb (%rcx), %al
                test %al, %al
                jz 2f
                out %al, %dx
                inc %rcx
                jmp 1b
            2:  mov 0x228(%rsi), %ebx
            3:  movb (%rbx), %al
                test %al, %al
                jz 4f
                out %al, %dx
                inc %rbx
                jmp 3b
            4:  mov $'\\n', %al
                out %al, %dx
                incl 0x300000
                cmpl $2, 0x300000
                jae 5f
                mov $0xfe, %al
                out %al, $0x64
                jmp 6f
            5:  mov $0x604, %dx
                mov $0x3c00, %ax
                out %ax, %dx
            6:  hlt
                jmp 6b
            msg: .asciz "guest says: "
            """;

    /** Prints "up" on COM1, then halts with interrupts off: only the host can end it. */
    static final String HALT_FOREVER = """
            .globl _start
            _start:
                mov $0x3f8, %dx
                mov $'u', %al
                out %al, %dx
                mov $'p', %al
                out %al, %dx
                mov $'\\n', %al
                out %al, %dx
            1:  hlt
                jmp 1b
            """;

    static Path build(Path dir, String name, String assembly) throws IOException, InterruptedException {
        Path src = dir.resolve(name + ".S");
        Path lds = dir.resolve(name + ".lds");
        Path out = dir.resolve(name + ".elf");
        Files.writeString(src, assembly);
        Files.writeString(lds, """
                ENTRY(_start)
                SECTIONS {
                  . = 0x200000;
                  .text : { *(.text*) *(.rodata*) *(.data*) *(.bss*) }
                  /DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
                }
                """);
        Process p;
        try {
            p = new ProcessBuilder("gcc", "-nostdlib", "-static", "-no-pie", "-Wl,--build-id=none",
                    "-Wl,-z,max-page-size=0x1000", "-Wl,-T," + lds, "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not available: " + e.getMessage());
            throw e;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0, "gcc failed: " + log);
        return out;
    }
}

package io.jvirt.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.boot.BootException;
import io.jvirt.vmm.boot.TestKernels;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.devices.acpi.AcpiPm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-state machine and power control, driven through the real buses and devices by a
 * scripted stand-in for the accelerator (the real accelerators have their own tests).
 */
@Timeout(30)
class MachineTest {

    /** PM1a_CNT: SLP_TYP=S5 in bits 10-12, SLP_EN bit 13 (ACPI 6.5 §4.8.3.2.1). */
    static final int S5 = AcpiPm.SLP_TYP_S5 << 10 | 1 << 13;

    @TempDir
    static Path dir;
    static Path kernel;

    @BeforeAll
    static void payload() throws Exception {
        kernel = TestKernels.gccElf(dir, "payload", """
                .globl _start
                _start: hlt
                """, 0x200000, 0x200000);
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Machine machine(ScriptedAccelerator accel, int cpus, boolean noReboot, Console console) {
        return Machine.create(accel, new MachineConfig(kernel, Optional.empty(), "console=ttyS0", 32L << 20, cpus,
                noReboot), console);
    }

    static void print(IoBus pio, String s) {
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
            pio.write(0x3f8, 1, b);
        }
    }

    @Test
    void acpiPowerOffStopsWithStatusZeroAndJoinsEveryThread() throws Exception {
        ScriptedAccelerator accel = new ScriptedAccelerator((boot, pio) -> {
            print(pio, "hello\n");
            pio.write(AcpiPm.PM1A_CNT_BLK, 2, S5);
            return null;
        });
        MachineExit exit;
        try (Machine m = machine(accel, 2, false, Console.streams(null, out))) {
            assertEquals(RunState.CREATED, m.state());
            m.start();
            exit = m.awaitExit();
            assertEquals(RunState.STOPPED, m.state());
        }
        assertInstanceOf(MachineExit.PoweredOff.class, exit);
        assertEquals(0, exit.status());
        assertEquals("hello\n", out.toString(StandardCharsets.US_ASCII));
        assertTrue(accel.closed, "VM closed");
        assertNoMachineThreads();
        assertEquals(0x200000, accel.resets.getFirst().rip(), "ELF entry");
        assertEquals(0x7000, accel.resets.getFirst().rsi(), "boot_params");
    }

    @Test
    void i8042ResetReloadsTheKernelAndBootsAgain() throws Exception {
        ScriptedAccelerator accel = new ScriptedAccelerator((boot, pio) -> {
            print(pio, "boot " + boot + "\n");
            if (boot == 1) {
                pio.write(0x64, 1, 0xfe);
            } else {
                pio.write(AcpiPm.PM1A_CNT_BLK, 2, S5);
            }
            return null;
        });
        try (Machine m = machine(accel, 1, false, Console.streams(null, out))) {
            m.start();
            assertEquals(0, m.awaitExit().status());
            assertEquals(1, m.resets());
        }
        assertEquals("boot 1\nboot 2\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(2, accel.resets.size());
        assertEquals(accel.resets.get(0), accel.resets.get(1), "the same boot state after reloading");
    }

    @Test
    void tripleFaultIsAReset() throws Exception {
        ScriptedAccelerator accel = new ScriptedAccelerator((boot, pio) -> {
            if (boot == 1) {
                return new VcpuExit.TripleFault("test");
            }
            pio.write(AcpiPm.PM1A_CNT_BLK, 2, S5);
            return null;
        });
        try (Machine m = machine(accel, 1, false, Console.streams(null, out))) {
            m.start();
            assertInstanceOf(MachineExit.PoweredOff.class, m.awaitExit());
            assertEquals(1, m.resets());
        }
    }

    @Test
    void noRebootTurnsAResetIntoStatusTwo() throws Exception {
        ScriptedAccelerator accel = new ScriptedAccelerator((boot, pio) -> {
            pio.write(0x64, 1, 0xfe);
            return null;
        });
        try (Machine m = machine(accel, 1, true, Console.streams(null, out))) {
            m.start();
            MachineExit exit = m.awaitExit();
            assertInstanceOf(MachineExit.ResetRequested.class, exit);
            assertEquals(2, exit.status());
            assertEquals(0, m.resets());
        }
        assertEquals(1, accel.resets.size(), "not rebooted");
    }

    @Test
    void guestCrashAndVcpuFailureStopWithStatusThree() throws Exception {
        ScriptedAccelerator accel = new ScriptedAccelerator(
                (boot, pio) -> new VcpuExit.SystemEvent(VcpuExit.SystemEvent.Kind.CRASH));
        try (Machine m = machine(accel, 1, false, Console.streams(null, out))) {
            m.start();
            MachineExit exit = m.awaitExit();
            assertEquals(3, exit.status());
            assertTrue(((MachineExit.Failed) exit).detail().contains("crash"));
        }
        ScriptedAccelerator failing = new ScriptedAccelerator((boot, pio) -> {
            throw new IllegalStateException("KVM_RUN: EFAULT");
        });
        try (Machine m = machine(failing, 1, false, Console.streams(null, out))) {
            m.start();
            MachineExit exit = m.awaitExit();
            assertTrue(((MachineExit.Failed) exit).detail().contains("EFAULT"), exit.toString());
        }
    }

    @Test
    void pauseResumeAndStopFromAnotherThread() throws Exception {
        CountDownLatch booted = new CountDownLatch(1);
        ScriptedAccelerator accel = new ScriptedAccelerator((boot, pio) -> {
            booted.countDown();
            return null;
        });
        try (Machine m = machine(accel, 4, false, Console.streams(null, out))) {
            m.start();
            assertTrue(booted.await(10, TimeUnit.SECONDS));
            m.pause();
            assertEquals(RunState.PAUSED, m.state());
            m.resume();
            assertEquals(RunState.RUNNING, m.state());
            m.pause();
            m.reset(); // a reset while paused happens, and the machine stays paused
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (m.resets() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, m.resets());
            assertEquals(RunState.PAUSED, m.state());
            m.resume();
            m.stop();
            MachineExit exit = m.awaitExit();
            assertInstanceOf(MachineExit.Stopped.class, exit);
            assertEquals(0, exit.status());
        }
        assertNoMachineThreads();
    }

    @Test
    void consoleInputReachesTheUartAndCtrlRightBracketQuits() throws Exception {
        CountDownLatch echoed = new CountDownLatch(1);
        ScriptedAccelerator accel = new ScriptedAccelerator((boot, pio) -> {
            StringBuilder got = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.length() < 3 && System.nanoTime() < deadline) {
                if ((pio.read(0x3fd, 1) & 1) != 0) { // LSR.DR
                    got.append((char) pio.read(0x3f8, 1));
                }
            }
            print(pio, "echo:" + got + "\n");
            echoed.countDown();
            return null;
        });
        byte[] input = "abc".getBytes(StandardCharsets.US_ASCII);
        Console console = Console.streams(new ByteArrayInputStream(input), out);
        try (Machine m = machine(accel, 1, false, console)) {
            m.start();
            assertTrue(echoed.await(10, TimeUnit.SECONDS));
            assertEquals(RunState.RUNNING, m.state());
            console.close();
        }
        assertEquals("echo:abc\n", out.toString(StandardCharsets.US_ASCII));

        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        Console quitting = Console.streams(new ByteArrayInputStream(new byte[] {'x', Console.ESCAPE}), out2);
        try (Machine m = machine(new ScriptedAccelerator((boot, pio) -> null), 1, false, quitting)) {
            m.start();
            assertInstanceOf(MachineExit.Stopped.class, m.awaitExit());
        } finally {
            quitting.close();
        }
        assertNoMachineThreads();
    }

    @Test
    void fileConsoleWritesTheGuestOutput() throws Exception {
        Path log = dir.resolve("console.log");
        ScriptedAccelerator accel = new ScriptedAccelerator((boot, pio) -> {
            print(pio, "to the file\n");
            pio.write(AcpiPm.PM1A_CNT_BLK, 2, S5);
            return null;
        });
        Console console = Console.file(log);
        try (Machine m = machine(accel, 1, false, console)) {
            m.start();
            m.awaitExit();
        } finally {
            console.close();
        }
        assertEquals("to the file\n", Files.readString(log));
    }

    @Test
    void badConfigurationIsRefusedBeforeAnythingRuns() {
        ScriptedAccelerator accel = new ScriptedAccelerator((boot, pio) -> null);
        IllegalArgumentException cpus = assertThrows(IllegalArgumentException.class,
                () -> machine(accel, 9, false, Console.streams(null, out)));
        assertEquals("--cpus 9 is outside what the scripted accelerator allows (1..8); pick a count in that range",
                cpus.getMessage());
        assertThrows(BootException.class, () -> Machine.create(accel, new MachineConfig(dir.resolve("missing"),
                Optional.empty(), "", 32L << 20, 1, false), Console.streams(null, out)));
        assertEquals(0, accel.resets.size());
    }

    private static void assertNoMachineThreads() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            assertTrue(!(n.startsWith("vcpu-") || n.equals("machine-control") || n.equals("console-input") || n.equals("rtc-timer"))
                    || !t.isAlive(), "stray thread " + n);
        }
    }
}

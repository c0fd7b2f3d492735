package io.jvirt.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.accel.kvm.KvmAccelerator;
import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.boot.TestKernels;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The run-state machine on the real accelerators: vCPUs spinning in guest code (not halted)
 * are kicked out for pause, run again after resume, and stop for good; a reset from the host
 * reboots the guest. KVM needs /dev/kvm (kvm_pvm is enough for this guest).
 */
@Timeout(60)
class MachineOnAcceleratorsTest {

    /** Prints "up" once per boot, then spins forever with interrupts off. */
    static final String SPIN = """
            .globl _start
            _start:
                mov $0x3f8, %dx
                mov $'u', %al
                out %al, %dx
                mov $'p', %al
                out %al, %dx
                mov $'\\n', %al
                out %al, %dx
            1:  jmp 1b
            """;

    @TempDir
    Path dir;

    /** Counts "up" lines as they arrive. */
    static final class Lines extends OutputStream {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void write(int b) {
            text.append((char) b);
            notifyAll();
        }

        synchronized String text() {
            return text.toString();
        }

        synchronized int count() {
            return text.toString().split("up\n", -1).length - 1;
        }

        synchronized void await(int n) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count() < n && System.nanoTime() < end) {
                wait(100);
            }
            assertEquals(n, count(), text.toString());
        }
    }

    private static Accelerator accelerator(String name) {
        if (name.equals("tcg")) {
            return TcgAccelerator.create();
        }
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "needs /dev/kvm");
        try {
            return KvmAccelerator.open();
        } catch (RuntimeException e) {
            assumeTrue(false, "KVM unavailable: " + e.getMessage());
            return null;
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kvm", "tcg"})
    void pauseResumeResetAndStopASpinningGuest(String accel) throws Exception {
        Path elf = TestKernels.gccElf(dir, "spin", SPIN, 0x200000, 0x200000);
        Lines out = new Lines();
        MachineConfig config = new MachineConfig(elf, Optional.empty(), "", 32L << 20, 2, false);
        try (Machine m = Machine.create(accelerator(accel), config, Console.streams(null, out))) {
            m.start();
            out.await(1);
            m.pause();
            assertEquals(RunState.PAUSED, m.state(), "pause() returned: every vCPU left guest code");
            m.resume();
            assertEquals(RunState.RUNNING, m.state());
            m.reset();
            out.await(2);
            assertEquals(1, m.resets());
            m.stop();
            assertInstanceOf(MachineExit.Stopped.class, m.awaitExit());
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("vcpu-") || !t.isAlive(), "stray thread " + t.getName());
        }
        assertEquals("up\nup\n", out.text(), "one line per boot, nothing else");
    }
}

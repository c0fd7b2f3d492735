package io.jvirt.vmm.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvirt.vmm.accel.tcg.TcgAccelerator;
import io.jvirt.vmm.boot.TestKernels;
import io.jvirt.vmm.machine.Console;
import io.jvirt.vmm.machine.Machine;
import io.jvirt.vmm.machine.MachineConfig;
import io.jvirt.vmm.machine.MachineExit;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real machine on the software CPU, paused, resumed, reset and stopped over the control socket. */
@Timeout(60)
class MachineControlTest {

    @TempDir
    Path dir;

    @Test
    void controlSocketDrivesARealMachine() throws Exception {
        Path kernel = TestKernels.gccElf(dir, "spin", """
                .globl _start
                _start: jmp _start
                """, 0x200000, 0x200000);
        Machine m = Machine.create(TcgAccelerator.create(),
                new MachineConfig(kernel, Optional.empty(), "console=ttyS0", 32L << 20, 1, false),
                Console.streams(null, new ByteArrayOutputStream()));
        Path sock = dir.resolve("vm.ctl");
        try (m; ControlServer s = MachineControl.serve(sock, m);
             ControlServerTest.Peer p = new ControlServerTest.Peer(sock)) {
            List<Map<String, Object>> events = new ArrayList<>();
            p.read();
            p.send("{\"execute\": \"qmp_capabilities\"}");
            p.reply(events);
            p.send("{\"execute\": \"query-status\"}");
            assertEquals("paused", ((Map<?, ?>) p.reply(events).get("return")).get("status"), "created, not started");
            m.start();
            p.send("{\"execute\": \"query-status\"}");
            assertEquals("running", ((Map<?, ?>) p.reply(events).get("return")).get("status"));
            p.send("{\"execute\": \"stop\"}");
            p.reply(events);
            p.send("{\"execute\": \"query-status\"}");
            assertEquals("paused", ((Map<?, ?>) p.reply(events).get("return")).get("status"));
            p.send("{\"execute\": \"cont\"}");
            p.reply(events);
            p.send("{\"execute\": \"system_reset\"}");
            p.reply(events);
            // system_reset is asynchronous (as in QMP): wait for the machine to carry it out.
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (m.resets() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            p.send("{\"execute\": \"quit\"}");
            assertEquals(Map.of(), p.reply(events).get("return"));
            MachineExit exit = m.awaitExit();
            assertInstanceOf(MachineExit.Stopped.class, exit);
            assertTrue(m.resets() >= 1, "system_reset rebooted the machine");
            assertEquals(List.of("STOP", "RESUME", "RESET", "SHUTDOWN"), events.stream().map(e -> e.get("event")).toList());
        }
    }
}

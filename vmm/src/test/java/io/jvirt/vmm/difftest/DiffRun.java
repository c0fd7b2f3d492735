package io.jvirt.vmm.difftest;

import io.jvirt.vmm.accel.Accelerator;
import io.jvirt.vmm.guests.GuestProcess;
import io.jvirt.vmm.guests.JvirtGuest;
import io.jvirt.vmm.guests.PayloadGuests;
import io.jvirt.vmm.guests.Qemu;
import io.jvirt.vmm.guests.RunningGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a set of cases in the difftest payload guest (vmm/src/test/guests/difftest) under one
 * CPU — QEMU's TCG or a jvirt accelerator — with the cases as the initrd, and returns the
 * states the guest dumped, one per case.
 */
final class DiffRun {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private DiffRun() {
    }

    static Path blob(Path dir, List<DiffCase> cases) throws IOException {
        return Files.write(dir.resolve("cases.bin"), DiffBlob.write(cases));
    }

    static List<CpuState> qemu(Path blob, int count) throws Exception {
        try (RunningGuest vm = GuestProcess.start(Qemu.command(PayloadGuests.elf("difftest"), null, 1,
                "-initrd", blob.toString()))) {
            return collect(vm, count);
        }
    }

    static List<CpuState> jvirt(Accelerator accel, Path blob, int count) throws Exception {
        try (RunningGuest vm = new JvirtGuest(accel, PayloadGuests.elf("difftest"), Optional.of(blob), "", 1)) {
            return collect(vm, count);
        }
    }

    private static List<CpuState> collect(RunningGuest vm, int count) throws Exception {
        int status = vm.exit(TIMEOUT);
        String out = vm.output();
        if (status != 0 || !out.contains("DT-END " + count + "\n")) {
            String tail = out.length() > 3000 ? out.substring(out.length() - 3000) : out;
            throw new AssertionError("difftest guest did not finish " + count + " cases (status " + status
                    + "); last output:\n" + tail);
        }
        List<CpuState> states = new ArrayList<>(count);
        for (String line : out.split("\n")) {
            CpuState s = CpuState.parse(line);
            if (s != null) {
                states.add(s);
            }
        }
        if (states.size() != count) {
            throw new AssertionError("parsed " + states.size() + " case dumps, expected " + count);
        }
        return states;
    }
}

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.accel.kvm.KvmAccelerator;
import io.jvirt.vmm.arch.x86_64.LongModeBoot;
import io.jvirt.vmm.arch.x86_64.X86BootState;
import io.jvirt.vmm.devices.BusDevice;
import io.jvirt.vmm.devices.IoBus;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestRam;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The jvirt half of bench/exit: the guest loop of kvm_exit.c (xor eax,eax; 1: out 0x80,al;
 * jmp 1b) in long mode on jvirt's KVM backend. Each OUT exits to Java: KVM_RUN returns, the
 * backend decodes kvm_run and dispatches to the port bus, and a counting device takes the
 * vCPU thread's CPU time (guest time included; immune to preemption on a busy host, like
 * kvm_exit.c's CLOCK_THREAD_CPUTIME_ID) every EXITS_PER_ROUND exits. Prints the median round
 * in ns per exit.
 *
 * <p>usage: java --enable-native-access=ALL-UNNAMED -cp CLASSES ExitBench.java N ROUNDS WARMUP
 */
public final class ExitBench {

    private static final long ENTRY = 0x100000; // LAYOUT.md: kernel at 1 MiB
    private static final int BENCH_PORT = 0x80;
    private static final byte[] GUEST = {0x31, (byte) 0xc0, (byte) 0xe6, (byte) 0x80, (byte) 0xeb, (byte) 0xfc};

    public static void main(String[] args) {
        long perRound = Long.parseLong(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        long[] ns = new long[rounds + warmup];
        GuestMemory memory = GuestRam.allocate(16L << 20);
        X86BootState boot = LongModeBoot.prepare(memory, ENTRY, 0);
        memory.write(ENTRY, GUEST);
        IoBus pio = IoBus.create("pio");
        IoBus mmio = IoBus.create("mmio");
        Vcpu[] vcpu = new Vcpu[1];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        pio.register(BENCH_PORT, 1, new BusDevice() {
            long n;
            long t0 = -1;

            @Override
            public long read(long offset, int size) {
                return 0xff;
            }

            @Override
            public void write(long offset, int size, long value) {
                if (t0 < 0) {
                    t0 = threads.getCurrentThreadCpuTime(); // first exit: on the vCPU thread now
                }
                if (++n % perRound == 0) {
                    long t = threads.getCurrentThreadCpuTime();
                    int round = (int) (n / perRound) - 1;
                    ns[round] = t - t0;
                    t0 = t;
                    if (round == ns.length - 1) {
                        vcpu[0].kick();
                    }
                }
            }
        });
        try (AccelVm vm = KvmAccelerator.open().createVm(memory, pio, mmio, 1)) {
            vm.reset(boot);
            vcpu[0] = vm.vcpu(0);
            for (;;) {
                VcpuExit e = vcpu[0].run();
                if (e instanceof VcpuExit.Kicked) {
                    break;
                }
                System.err.println("ExitBench: unexpected exit " + e);
                System.exit(1);
            }
        }
        long[] measured = Arrays.copyOfRange(ns, warmup, ns.length);
        Arrays.sort(measured);
        System.out.printf("jvirt: median %.1f ns/exit of vCPU-thread CPU time (%d rounds of %d exits, %d warm-up rounds)%n",
                (double) measured[rounds / 2] / perRound, rounds, perRound, warmup);
    }
}

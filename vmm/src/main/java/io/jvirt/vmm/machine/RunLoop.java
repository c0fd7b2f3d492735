package io.jvirt.vmm.machine;

import io.jvirt.vmm.accel.AccelVm;
import io.jvirt.vmm.accel.Vcpu;
import io.jvirt.vmm.accel.VcpuExit;
import io.jvirt.vmm.devices.Waits;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A machine's run state and its threads: one platform thread per vCPU and a control thread
 * that reboots the machine while every vCPU is parked. All run-state changes happen under
 * {@link #lock}; vCPUs check the state between {@link Vcpu#run()} calls and are kicked out of
 * guest code when it changes. What a reboot does to memory and devices is the machine's
 * ({@code reboot}); this class only decides when it may run.
 */
final class RunLoop {

    private static final System.Logger LOG = System.getLogger(RunLoop.class.getName());

    private final AccelVm vm;
    private final boolean noReboot;
    private final Runnable reboot;
    private final Runnable afterStop;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private RunState state = RunState.CREATED;
    private boolean resetPending;
    private String resetCause = "";
    private int parked;
    private int resets;
    private MachineExit exit;
    private final List<Thread> vcpuThreads = new ArrayList<>();
    private Thread control;

    /**
     * @param noReboot  a guest reset stops the machine instead
     * @param reboot    reloads the boot state and resets the devices; runs on the control thread
     *                  with every vCPU parked; a RuntimeException from it fails the machine
     * @param afterStop runs once the vCPU threads have ended (flush the console)
     */
    RunLoop(AccelVm vm, boolean noReboot, Runnable reboot, Runnable afterStop) {
        this.vm = vm;
        this.noReboot = noReboot;
        this.reboot = reboot;
        this.afterStop = afterStop;
    }

    void start() {
        lock.lock();
        try {
            if (state != RunState.CREATED) {
                throw new IllegalStateException("machine already started (state " + state + ")");
            }
            state = RunState.RUNNING;
            for (int i = 0; i < vm.vcpuCount(); i++) {
                Vcpu v = vm.vcpu(i);
                vcpuThreads.add(Thread.ofPlatform().name("vcpu-" + i).start(() -> vcpuLoop(v)));
            }
            control = Thread.ofPlatform().name("machine-control").start(this::controlLoop);
        } finally {
            lock.unlock();
        }
    }

    private void vcpuLoop(Vcpu v) {
        while (true) {
            lock.lock();
            try {
                while (state != RunState.STOPPED && (state == RunState.PAUSED || resetPending)) {
                    parked++;
                    changed.signalAll();
                    changed.awaitUninterruptibly();
                    parked--;
                }
                if (state == RunState.STOPPED) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            VcpuExit e;
            try {
                e = v.run();
            } catch (RuntimeException ex) {
                LOG.log(Level.ERROR, "vcpu " + v.index() + " failed", ex);
                e = new VcpuExit.Failed(ex.toString());
            }
            switch (e) {
                case VcpuExit.Kicked k -> {
                    // Look at the run state again.
                }
                case VcpuExit.TripleFault t -> {
                    LOG.log(Level.WARNING, "vcpu {0}: triple fault ({1}); resetting", v.index(), t.detail());
                    requestReset("triple fault on vcpu " + v.index());
                }
                case VcpuExit.SystemEvent s -> {
                    switch (s.kind()) {
                        case POWER_OFF -> powerOff();
                        case RESET -> requestReset("system reset event");
                        case CRASH -> stopWith(new MachineExit.Failed("the guest reported a crash (vcpu " + v.index() + ")"));
                    }
                }
                case VcpuExit.Failed f -> stopWith(new MachineExit.Failed("vcpu " + v.index() + ": " + f.detail()));
            }
        }
    }

    /** Performs resets while every vCPU is parked; on STOPPED, joins the vCPU threads. */
    private void controlLoop() {
        lock.lock();
        try {
            while (state != RunState.STOPPED) {
                if (!resetPending) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                while (state != RunState.STOPPED && parked < vcpuThreads.size()) {
                    kickAll();
                    changed.await(50, TimeUnit.MILLISECONDS);
                }
                if (state == RunState.STOPPED) {
                    break;
                }
                try {
                    reboot.run();
                    resets++;
                    LOG.log(Level.INFO, "machine reset ({0}), reboot #{1}", resetCause, resets);
                } catch (RuntimeException e) {
                    exit = new MachineExit.Failed("reset failed: " + e.getMessage());
                    state = RunState.STOPPED;
                }
                resetPending = false;
                changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        kickAll();
        for (Thread t : vcpuThreads) {
            Waits.uninterruptibly(t::join);
        }
        afterStop.run();
    }

    private void kickAll() {
        for (int i = 0; i < vm.vcpuCount(); i++) {
            vm.vcpu(i).kick();
        }
    }

    void requestReset(String cause) {
        lock.lock();
        try {
            if (state == RunState.STOPPED) {
                return;
            }
            if (noReboot) {
                stopLocked(new MachineExit.ResetRequested(cause));
                return;
            }
            resetPending = true;
            resetCause = cause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        kickAll();
    }

    void stopWith(MachineExit why) {
        lock.lock();
        try {
            stopLocked(why);
        } finally {
            lock.unlock();
        }
        kickAll();
    }

    private void stopLocked(MachineExit why) {
        if (state == RunState.STOPPED) {
            return;
        }
        exit = why;
        state = RunState.STOPPED;
        changed.signalAll();
    }

    RunState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    void pause() {
        lock.lock();
        try {
            if (state != RunState.RUNNING) {
                return;
            }
            state = RunState.PAUSED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        kickAll();
        if (vcpuThreads.contains(Thread.currentThread())) {
            return; // a vCPU pausing the machine parks itself on its next loop
        }
        lock.lock();
        try {
            while (state == RunState.PAUSED && parked < vcpuThreads.size()) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    void resume() {
        lock.lock();
        try {
            if (state == RunState.PAUSED) {
                state = RunState.RUNNING;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void stop() {
        stopWith(new MachineExit.Stopped());
    }

    void powerOff() {
        stopWith(new MachineExit.PoweredOff());
    }

    int resets() {
        lock.lock();
        try {
            return resets;
        } finally {
            lock.unlock();
        }
    }

    MachineExit awaitExit() throws InterruptedException {
        Thread c;
        lock.lock();
        try {
            while (state != RunState.STOPPED) {
                changed.await();
            }
            c = control;
        } finally {
            lock.unlock();
        }
        if (c != null) {
            c.join();
        }
        return exit;
    }
}

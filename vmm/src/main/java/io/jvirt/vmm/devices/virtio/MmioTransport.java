package io.jvirt.vmm.devices.virtio;

import io.jvirt.vmm.devices.IrqLine;
import io.jvirt.vmm.memory.GuestMemory;
import io.jvirt.vmm.memory.GuestMemoryException;
import java.util.Objects;

/** {@link VirtioMmio}: the register file of virtio 1.2 §4.2.2 over one {@link VirtioDevice}. */
final class MmioTransport implements VirtioMmio {
    private static final System.Logger LOG = System.getLogger(MmioTransport.class.getName());

    // Register offsets, virtio 1.2 §4.2.2 Table "MMIO Device Register Layout".
    static final int MAGIC_VALUE = 0x000;
    static final int VERSION = 0x004;
    static final int DEVICE_ID = 0x008;
    static final int VENDOR_ID = 0x00c;
    static final int DEVICE_FEATURES = 0x010;
    static final int DEVICE_FEATURES_SEL = 0x014;
    static final int DRIVER_FEATURES = 0x020;
    static final int DRIVER_FEATURES_SEL = 0x024;
    static final int QUEUE_SEL = 0x030;
    static final int QUEUE_NUM_MAX = 0x034;
    static final int QUEUE_NUM = 0x038;
    static final int QUEUE_READY = 0x044;
    static final int QUEUE_NOTIFY = QUEUE_NOTIFY_OFFSET;
    static final int INTERRUPT_STATUS = 0x060;
    static final int INTERRUPT_ACK = 0x064;
    static final int STATUS = 0x070;
    static final int QUEUE_DESC_LOW = 0x080;
    static final int QUEUE_DESC_HIGH = 0x084;
    static final int QUEUE_DRIVER_LOW = 0x090;
    static final int QUEUE_DRIVER_HIGH = 0x094;
    static final int QUEUE_DEVICE_LOW = 0x0a0;
    static final int QUEUE_DEVICE_HIGH = 0x0a4;
    static final int SHM_SEL = 0x0ac;
    static final int SHM_LEN_LOW = 0x0b0;
    static final int SHM_BASE_HIGH = 0x0bc;
    static final int CONFIG_GENERATION = 0x0fc;
    static final int CONFIG = 0x100;

    /** "virt" little-endian. */
    static final int MAGIC = 0x74726976;
    /** Version 2: the non-legacy interface. */
    static final int VERSION_2 = 2;
    /** Vendor ID "JVRT" little-endian; any value is allowed (§4.2.2). */
    static final int VENDOR = 0x5452564a;
    // InterruptStatus bits, §4.2.2.
    static final int INT_USED_BUFFER = 1;
    static final int INT_CONFIG_CHANGE = 2;
    /** Rounds of process/rearm per notification before leaving the rest for the next one. */
    private static final int MAX_ROUNDS = 8;

    /** Per-queue registers as the driver wrote them, and the live queue once ready. */
    private static final class QueueRegs {
        int num;
        long desc;
        long driver;
        long device;
        SplitQueue live;
    }

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final IrqLine irq;
    private final QueueRegs[] queues;
    private final long offered;
    private final LogLimiter warnings = new LogLimiter(LOG);
    /** Null: process notifications on the writing thread. */
    private final Runnable doorbell;
    private long notifyWrites;
    private long interrupts;
    /** After {@link #close()}: nothing reaches the device or guest memory any more. */
    private boolean closed;
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private int queueSel;
    private int status;
    private int interruptStatus;
    private int configGeneration;
    private boolean irqLevel;

    MmioTransport(VirtioDevice device, GuestMemory memory, IrqLine irq, Runnable doorbell) {
        this.doorbell = doorbell;
        this.device = Objects.requireNonNull(device, "device");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.irq = Objects.requireNonNull(irq, "irq");
        int max = device.queueMaxSize();
        if (max < 1 || max > Virtio.MAX_QUEUE_SIZE || Integer.bitCount(max) != 1) {
            throw new IllegalArgumentException("virtio device " + device.deviceId() + ": queue size " + max
                    + " is not a power of two in 1.." + Virtio.MAX_QUEUE_SIZE);
        }
        this.queues = new QueueRegs[device.queueCount()];
        this.offered = device.features() | Virtio.TRANSPORT_FEATURES;
        resetState();
        device.attach(this);
    }

    @Override
    public synchronized int status() {
        return status;
    }

    @Override
    public synchronized void configChanged() {
        if (closed) {
            return;
        }
        configGeneration++;
        if ((status & Virtio.DRIVER_OK) != 0) {
            raise(INT_CONFIG_CHANGE);
        }
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (closed) {
            return 0;
        }
        if (offset >= CONFIG) {
            long off = offset - CONFIG;
            return off + size <= device.configSize() ? device.readConfig((int) off, size) : 0;
        }
        if (size != 4 || (offset & 3) != 0) {
            return 0; // §4.2.2.2: control registers are accessed 32 bits wide and aligned only
        }
        QueueRegs q = selected();
        return Integer.toUnsignedLong(switch ((int) offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> VERSION_2;
            case DEVICE_ID -> device.deviceId();
            case VENDOR_ID -> VENDOR;
            case DEVICE_FEATURES -> deviceFeaturesSel == 0 || deviceFeaturesSel == 1 ? (int) (offered >>> (32 * deviceFeaturesSel)) : 0;
            case QUEUE_NUM_MAX -> q == null ? 0 : device.queueMaxSize();
            case QUEUE_READY -> q != null && q.live != null ? 1 : 0;
            case INTERRUPT_STATUS -> interruptStatus;
            case STATUS -> status;
            case SHM_LEN_LOW, SHM_LEN_LOW + 4, SHM_BASE_HIGH - 4, SHM_BASE_HIGH -> -1; // no shared memory regions
            case CONFIG_GENERATION -> configGeneration;
            default -> 0;
        });
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (closed) {
            return;
        }
        if (offset >= CONFIG) {
            long off = offset - CONFIG;
            if (off + size <= device.configSize()) {
                device.writeConfig((int) off, size, value);
            }
            return;
        }
        if (size != 4 || (offset & 3) != 0) {
            return;
        }
        int v = (int) value;
        QueueRegs q = selected();
        boolean setup = q != null && q.live == null && (status & (Virtio.DRIVER_OK | Virtio.FAILED)) == 0;
        switch ((int) offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = v;
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = v;
            case DRIVER_FEATURES -> {
                if ((status & Virtio.FEATURES_OK) == 0 && driverFeaturesSel >= 0 && driverFeaturesSel < 2) {
                    int shift = 32 * driverFeaturesSel;
                    driverFeatures = (driverFeatures & ~(0xffff_ffffL << shift)) | (Integer.toUnsignedLong(v) << shift);
                }
            }
            case QUEUE_SEL -> queueSel = v;
            case QUEUE_NUM -> {
                if (setup) {
                    q.num = v;
                }
            }
            case QUEUE_DESC_LOW, QUEUE_DESC_HIGH -> {
                if (setup) {
                    q.desc = half(q.desc, offset == QUEUE_DESC_HIGH, v);
                }
            }
            case QUEUE_DRIVER_LOW, QUEUE_DRIVER_HIGH -> {
                if (setup) {
                    q.driver = half(q.driver, offset == QUEUE_DRIVER_HIGH, v);
                }
            }
            case QUEUE_DEVICE_LOW, QUEUE_DEVICE_HIGH -> {
                if (setup) {
                    q.device = half(q.device, offset == QUEUE_DEVICE_HIGH, v);
                }
            }
            case QUEUE_READY -> queueReady(q, v);
            case QUEUE_NOTIFY -> {
                notifyWrites++;
                if (doorbell != null) {
                    doorbell.run();
                } else {
                    notifyQueue(v & 0xffff);
                }
            }
            case INTERRUPT_ACK -> {
                interruptStatus &= ~v;
                updateIrq();
            }
            case STATUS -> writeStatus(v & 0xff);
            case SHM_SEL -> { } // no shared memory regions to select
            default -> { } // read-only or reserved: ignored like hardware does
        }
    }

    private static long half(long reg, boolean high, int v) {
        return high ? (reg & 0xffff_ffffL) | ((long) v << 32) : (reg & ~0xffff_ffffL) | Integer.toUnsignedLong(v);
    }

    private QueueRegs selected() {
        return queueSel >= 0 && queueSel < queues.length ? queues[queueSel] : null;
    }

    private void queueReady(QueueRegs q, int v) {
        if (q == null) {
            return;
        }
        if (v == 0) {
            q.live = null; // §4.2.2: writing 0 stops the queue (we do no work in the background)
            return;
        }
        if (q.live != null || (status & Virtio.FEATURES_OK) == 0 || (status & Virtio.DEVICE_NEEDS_RESET) != 0) {
            return;
        }
        try {
            q.live = SplitQueue.create(memory, queueSel, q.num, device.queueMaxSize(), q.desc, q.driver, q.device,
                    negotiated(), warnings);
        } catch (VirtqueueException e) {
            needsReset(e.getMessage());
        }
    }

    private long negotiated() {
        return driverFeatures & offered;
    }

    private void writeStatus(int v) {
        if (v == 0) {
            LOG.log(System.Logger.Level.DEBUG, "virtio device {0}: reset by the driver", device.deviceId());
            resetState();
            device.reset();
            return;
        }
        int was = status;
        int next = (v & ~Virtio.DEVICE_NEEDS_RESET) | (was & Virtio.DEVICE_NEEDS_RESET);
        if ((next & Virtio.FEATURES_OK) != 0 && (was & Virtio.FEATURES_OK) == 0) {
            // §2.2.2 / §3.1.1: accept only offered features, and only the modern interface.
            if ((driverFeatures & ~offered) != 0 || !Virtio.has(driverFeatures, Virtio.F_VERSION_1)) {
                warnings.warn("virtio device {0}: refusing driver features 0x{1} (offered 0x{2})",
                        device.deviceId(), Long.toHexString(driverFeatures), Long.toHexString(offered));
                next &= ~Virtio.FEATURES_OK;
            }
        }
        status = next;
        if ((next & Virtio.DRIVER_OK) != 0 && (was & Virtio.DRIVER_OK) == 0) {
            device.activate(negotiated());
        }
    }

    @Override
    public synchronized void reset() {
        writeStatus(0);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    @Override
    public synchronized Counters counters() {
        return new Counters(notifyWrites, interrupts);
    }

    @Override
    public synchronized void notifyQueues() {
        for (int i = 0; i < queues.length; i++) {
            notifyQueue(i);
        }
    }

    @Override
    public synchronized void resample() {
        if (interruptStatus != 0 && !closed) {
            interrupts++;
            irq.set(true);
        }
    }

    @Override
    public synchronized void notifyQueue(int index) {
        if (closed || index < 0 || index >= queues.length || (status & Virtio.DRIVER_OK) == 0 || (status & Virtio.DEVICE_NEEDS_RESET) != 0) {
            return;
        }
        SplitQueue q = queues[index].live;
        if (q == null) {
            return;
        }
        try {
            int rounds = 0;
            boolean more;
            do {
                device.process(index, q);
                more = q.rearm() && device.buffersAreWork(index);
            } while (more && ++rounds < MAX_ROUNDS);
            if (more && doorbell != null) {
                doorbell.run(); // come back for the rest, after other work of this thread
            }
            if (q.needsInterrupt()) {
                raise(INT_USED_BUFFER);
            }
        } catch (VirtqueueException e) {
            needsReset(e.getMessage());
        } catch (GuestMemoryException e) {
            // A device touched memory the walker did not hand it: a VMM bug, but the guest's VM keeps running.
            LOG.log(System.Logger.Level.ERROR, "virtio device " + device.deviceId() + ": queue " + index, e);
            needsReset(e.getMessage());
        }
    }

    /** §2.1.2: DEVICE_NEEDS_RESET, and a configuration-change interrupt once DRIVER_OK. */
    private void needsReset(String why) {
        warnings.warn("virtio device {0}: needs reset: {1}", device.deviceId(), why);
        status |= Virtio.DEVICE_NEEDS_RESET;
        if ((status & Virtio.DRIVER_OK) != 0) {
            raise(INT_CONFIG_CHANGE);
        }
    }

    private void raise(int bits) {
        interruptStatus |= bits;
        updateIrq();
    }

    private void updateIrq() {
        boolean level = interruptStatus != 0;
        if (level != irqLevel) {
            irqLevel = level;
            if (level) {
                interrupts++;
            }
            irq.set(level);
        }
    }

    private void resetState() {
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new QueueRegs();
        }
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        queueSel = 0;
        status = 0;
        interruptStatus = 0;
        updateIrq();
    }
}

package io.jvirt.sys;

import static io.jvirt.sys.Ioctl.io;
import static io.jvirt.sys.Ioctl.ior;
import static io.jvirt.sys.Ioctl.iow;
import static io.jvirt.sys.Ioctl.iowr;

/**
 * Constants of <linux/kvm.h> (x86-64). Field names are the C macro names; SysLayoutTest
 * compiles each name with gcc and compares the values.
 */
final class KvmConstants {

    private KvmConstants() {
    }

    static final int KVMIO = 0xAE;
    static final int KVM_API_VERSION = 12;

    // ioctls on /dev/kvm
    static final long KVM_GET_API_VERSION = io(KVMIO, 0x00);
    static final long KVM_CREATE_VM = io(KVMIO, 0x01);
    static final long KVM_GET_MSR_INDEX_LIST = iowr(KVMIO, 0x02, KvmLayouts.KVM_MSR_LIST.byteSize());
    static final long KVM_CHECK_EXTENSION = io(KVMIO, 0x03);
    static final long KVM_GET_VCPU_MMAP_SIZE = io(KVMIO, 0x04);
    static final long KVM_GET_SUPPORTED_CPUID = iowr(KVMIO, 0x05, KvmLayouts.KVM_CPUID2.byteSize());

    // ioctls on a VM fd
    static final long KVM_CREATE_VCPU = io(KVMIO, 0x41);
    static final long KVM_SET_USER_MEMORY_REGION = iow(KVMIO, 0x46, KvmLayouts.KVM_USERSPACE_MEMORY_REGION.byteSize());
    static final long KVM_SET_TSS_ADDR = io(KVMIO, 0x47);
    static final long KVM_SET_IDENTITY_MAP_ADDR = iow(KVMIO, 0x48, Long.BYTES);
    static final long KVM_CREATE_IRQCHIP = io(KVMIO, 0x60);
    static final long KVM_IRQ_LINE = iow(KVMIO, 0x61, KvmLayouts.KVM_IRQ_LEVEL.byteSize());
    static final long KVM_GET_IRQCHIP = iowr(KVMIO, 0x62, KvmLayouts.KVM_IRQCHIP.byteSize());
    static final long KVM_SET_IRQCHIP = ior(KVMIO, 0x63, KvmLayouts.KVM_IRQCHIP.byteSize()); // sic: _IOR in <linux/kvm.h>
    static final long KVM_GET_PIT2 = ior(KVMIO, 0x9f, KvmLayouts.KVM_PIT_STATE2.byteSize());
    static final long KVM_SET_PIT2 = iow(KVMIO, 0xa0, KvmLayouts.KVM_PIT_STATE2.byteSize());
    static final long KVM_IRQFD = iow(KVMIO, 0x76, KvmLayouts.KVM_IRQFD.byteSize());
    static final long KVM_CREATE_PIT2 = iow(KVMIO, 0x77, KvmLayouts.KVM_PIT_CONFIG.byteSize());
    static final long KVM_IOEVENTFD = iow(KVMIO, 0x79, KvmLayouts.KVM_IOEVENTFD.byteSize());

    // ioctls on a vCPU fd
    static final long KVM_RUN = io(KVMIO, 0x80);
    static final long KVM_GET_REGS = ior(KVMIO, 0x81, KvmLayouts.KVM_REGS.byteSize());
    static final long KVM_SET_REGS = iow(KVMIO, 0x82, KvmLayouts.KVM_REGS.byteSize());
    static final long KVM_GET_SREGS = ior(KVMIO, 0x83, KvmLayouts.KVM_SREGS.byteSize());
    static final long KVM_SET_SREGS = iow(KVMIO, 0x84, KvmLayouts.KVM_SREGS.byteSize());
    static final long KVM_GET_MSRS = iowr(KVMIO, 0x88, KvmLayouts.KVM_MSRS.byteSize());
    static final long KVM_SET_MSRS = iow(KVMIO, 0x89, KvmLayouts.KVM_MSRS.byteSize());
    static final long KVM_GET_FPU = ior(KVMIO, 0x8c, KvmLayouts.KVM_FPU.byteSize());
    static final long KVM_SET_FPU = iow(KVMIO, 0x8d, KvmLayouts.KVM_FPU.byteSize());
    static final long KVM_GET_LAPIC = ior(KVMIO, 0x8e, KvmLayouts.KVM_LAPIC_STATE.byteSize());
    static final long KVM_SET_LAPIC = iow(KVMIO, 0x8f, KvmLayouts.KVM_LAPIC_STATE.byteSize());
    static final long KVM_SET_CPUID2 = iow(KVMIO, 0x90, KvmLayouts.KVM_CPUID2.byteSize());
    static final long KVM_GET_CPUID2 = iowr(KVMIO, 0x91, KvmLayouts.KVM_CPUID2.byteSize());
    static final long KVM_GET_VCPU_EVENTS = ior(KVMIO, 0x9f, KvmLayouts.KVM_VCPU_EVENTS.byteSize());
    static final long KVM_SET_VCPU_EVENTS = iow(KVMIO, 0xa0, KvmLayouts.KVM_VCPU_EVENTS.byteSize());
    static final long KVM_GET_MP_STATE = ior(KVMIO, 0x98, KvmLayouts.KVM_MP_STATE.byteSize());
    static final long KVM_SET_MP_STATE = iow(KVMIO, 0x99, KvmLayouts.KVM_MP_STATE.byteSize());

    // exit reasons (kvm_run.exit_reason)
    static final int KVM_EXIT_UNKNOWN = 0;
    static final int KVM_EXIT_EXCEPTION = 1;
    static final int KVM_EXIT_IO = 2;
    static final int KVM_EXIT_HYPERCALL = 3;
    static final int KVM_EXIT_DEBUG = 4;
    static final int KVM_EXIT_HLT = 5;
    static final int KVM_EXIT_MMIO = 6;
    static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    static final int KVM_EXIT_SHUTDOWN = 8;
    static final int KVM_EXIT_FAIL_ENTRY = 9;
    static final int KVM_EXIT_INTR = 10;
    static final int KVM_EXIT_NMI = 16;
    static final int KVM_EXIT_INTERNAL_ERROR = 17;
    static final int KVM_EXIT_SYSTEM_EVENT = 24;
    static final int KVM_EXIT_IO_IN = 0;
    static final int KVM_EXIT_IO_OUT = 1;

    // kvm_run.system_event.type
    static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    static final int KVM_SYSTEM_EVENT_RESET = 2;
    static final int KVM_SYSTEM_EVENT_CRASH = 3;

    // kvm_run.internal.suberror
    static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;

    // struct kvm_mp_state values
    static final int KVM_MP_STATE_RUNNABLE = 0;
    static final int KVM_MP_STATE_UNINITIALIZED = 1;
    static final int KVM_MP_STATE_INIT_RECEIVED = 2;
    static final int KVM_MP_STATE_HALTED = 3;
    static final int KVM_MP_STATE_SIPI_RECEIVED = 4;

    // kvm_irqchip.chip_id
    static final int KVM_IRQCHIP_PIC_MASTER = 0;
    static final int KVM_IRQCHIP_PIC_SLAVE = 1;
    static final int KVM_IRQCHIP_IOAPIC = 2;

    // kvm_vcpu_events.flags
    static final int KVM_VCPUEVENT_VALID_NMI_PENDING = 0x00000001;
    static final int KVM_VCPUEVENT_VALID_SHADOW = 0x00000004;

    // flags
    static final int KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
    static final int KVM_MEM_READONLY = 1 << 1;
    static final int KVM_IRQFD_FLAG_DEASSIGN = 1 << 0;
    static final int KVM_IRQFD_FLAG_RESAMPLE = 1 << 1;
    static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1 << 0;
    static final int KVM_IOEVENTFD_FLAG_PIO = 1 << 1;
    static final int KVM_IOEVENTFD_FLAG_DEASSIGN = 1 << 2;
    static final int KVM_PIT_SPEAKER_DUMMY = 1;
    static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1 << 0;

    // capabilities (KVM_CHECK_EXTENSION)
    static final int KVM_CAP_IRQCHIP = 0;
    static final int KVM_CAP_HLT = 1;
    static final int KVM_CAP_USER_MEMORY = 3;
    static final int KVM_CAP_SET_TSS_ADDR = 4;
    static final int KVM_CAP_EXT_CPUID = 7;
    static final int KVM_CAP_NR_VCPUS = 9;
    static final int KVM_CAP_NR_MEMSLOTS = 10;
    static final int KVM_CAP_MP_STATE = 14;
    static final int KVM_CAP_IRQ_ROUTING = 25;
    static final int KVM_CAP_IRQFD = 32;
    static final int KVM_CAP_PIT2 = 33;
    static final int KVM_CAP_IOEVENTFD = 36;
    static final int KVM_CAP_SET_IDENTITY_MAP_ADDR = 37;
    static final int KVM_CAP_MAX_VCPUS = 66;
    static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    static final int KVM_CAP_X86_DISABLE_EXITS = 143;
    static final int KVM_CAP_IRQFD_RESAMPLE = 82;
}

package io.jvirt.vmm.accel.tcg;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The APIC "system bus": carries interrupt messages from the IOAPIC and from ICR writes (IPIs)
 * to the local APICs that match their destination (Intel SDM vol. 3A §11.6.2), and broadcasts
 * EOIs for level-triggered vectors back to the IOAPIC (§11.8.5).
 *
 * <p>Never holds a LAPIC's lock while taking another's: the sender releases its own lock
 * before calling {@link #send}, and each target is matched and then delivered to in turn.
 */
final class ApicBus {

    /** Delivery modes, ICR / redirection-entry bits 10:8 (SDM vol. 3A Figure 11-12, "Interrupt Command Register"). */
    static final int FIXED = 0;
    static final int LOWEST_PRIORITY = 1;
    static final int SMI = 2;
    static final int NMI = 4;
    static final int INIT = 5;
    static final int STARTUP = 6;
    static final int EXTINT = 7;

    /** Destination shorthands, ICR bits 19:18 (SDM Figure 11-12). */
    static final int NO_SHORTHAND = 0;
    static final int SELF = 1;
    static final int ALL_INCLUDING_SELF = 2;
    static final int ALL_EXCLUDING_SELF = 3;

    /**
     * One interrupt message. {@code destination} is 8 bits for xAPIC-format senders (the IOAPIC,
     * xAPIC ICR) and 32 bits for x2APIC ICR writes ({@code x2apicFormat}).
     */
    record Message(int vector, int deliveryMode, boolean logical, int destination, boolean levelTriggered,
                   int shorthand, boolean x2apicFormat) {

        static Message fromIoApic(int vector, int deliveryMode, boolean logical, int destination,
                                  boolean levelTriggered) {
            return new Message(vector, deliveryMode, logical, destination & 0xff, levelTriggered, NO_SHORTHAND,
                    false);
        }
    }

    private final List<LocalApic> apics = new ArrayList<>();
    private volatile IntConsumer eoiListener = v -> { };
    private int lowestPriorityRotor;

    void attach(LocalApic apic) {
        apics.add(apic);
    }

    List<LocalApic> apics() {
        return apics;
    }

    /** Where level-triggered EOIs go (the IOAPIC). */
    void onEoi(IntConsumer listener) {
        eoiListener = listener;
    }

    void broadcastEoi(int vector) {
        eoiListener.accept(vector);
    }

    /** Delivers {@code m} from {@code source} (null for the IOAPIC). */
    void send(LocalApic source, Message m) {
        List<LocalApic> targets = new ArrayList<>(2);
        switch (m.shorthand()) {
            case SELF -> targets.add(source);
            case ALL_INCLUDING_SELF -> targets.addAll(apics);
            case ALL_EXCLUDING_SELF -> apics.stream().filter(a -> a != source).forEach(targets::add);
            default -> {
                for (LocalApic a : apics) {
                    if (m.logical() ? a.matchesLogical(m.destination(), m.x2apicFormat())
                            : a.matchesPhysical(m.destination(), m.x2apicFormat())) {
                        targets.add(a);
                    }
                }
            }
        }
        targets.removeIf(a -> a == null || !a.hardwareEnabled());
        if (targets.isEmpty()) {
            return;
        }
        if (m.deliveryMode() == LOWEST_PRIORITY && targets.size() > 1) {
            targets = List.of(lowestPriority(targets));
        }
        for (LocalApic a : targets) {
            switch (m.deliveryMode()) {
                case FIXED, LOWEST_PRIORITY -> a.acceptFixed(m.vector(), m.levelTriggered());
                case NMI -> a.acceptNmi();
                case INIT -> a.acceptInit();
                case STARTUP -> a.acceptStartup(m.vector());
                case EXTINT -> a.acceptExtInt();
                default -> { } // SMI and reserved modes: no SMM here, dropped
            }
        }
    }

    /** Lowest task priority wins; ties rotate so no CPU takes them all (SDM §11.6.2.4). */
    private synchronized LocalApic lowestPriority(List<LocalApic> targets) {
        int n = targets.size();
        int start = lowestPriorityRotor++ % n;
        LocalApic best = null;
        int bestPriority = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            LocalApic a = targets.get((start + i) % n);
            int p = a.taskPriority();
            if (p < bestPriority) {
                best = a;
                bestPriority = p;
            }
        }
        return best;
    }
}

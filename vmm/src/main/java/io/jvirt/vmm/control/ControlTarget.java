package io.jvirt.vmm.control;

/**
 * What the control socket drives: one running machine. The VMM implements it; the
 * {@link ControlServer} calls it from its client threads, so implementations must be
 * thread-safe. Each call returns once the request is accepted (a power-button press returns
 * before the guest has shut down; the guest's shutdown later arrives as a SHUTDOWN event the
 * machine emits through {@link ControlServer#emit}).
 */
public interface ControlTarget {

    /** QMP's RunState subset (qapi/run-state.json): what query-status reports. */
    enum RunState {
        RUNNING("running"), PAUSED("paused"), SHUTDOWN("shutdown"), INTERNAL_ERROR("internal-error");

        private final String word;

        RunState(String word) {
            this.word = word;
        }

        /** The lower-case word on the wire ("running", "paused", ...). */
        public String word() {
            return word;
        }
    }

    RunState state();

    /** Pauses every vCPU (QMP stop). */
    void stop();

    /** Resumes the vCPUs (QMP cont). */
    void cont();

    /** Presses the ACPI power button (QMP system_powerdown). */
    void powerdown();

    /** Resets the machine as the reset line would (QMP system_reset). */
    void reset();

    /** Ends the VMM process after the reply is sent (QMP quit). */
    void quit();
}

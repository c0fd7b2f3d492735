package io.jvirt.manager;

/**
 * A lifecycle event (libvirt's virDomainEventType subset): {@code type} is one of defined,
 * undefined, started, suspended, resumed, stopped, shutdown (guest asked), rebooted;
 * {@code detail} is the reason ("booted", "destroyed", "crashed", ...).
 */
public record DomainEvent(long timeMillis, String domain, String type, String detail) {
}

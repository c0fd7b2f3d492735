/**
 * Host networking for VMs, the way libvirt does it: network namespaces, Linux bridges, veth
 * pairs and TAPs through iproute2 ({@link io.jvirt.net.Netns}); the TAP descriptor itself is
 * {@code io.jvirt.sys.Tap}. Tests build their networks inside namespaces they create and delete.
 */
package io.jvirt.net;

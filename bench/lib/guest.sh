# Shared by bench/blk and bench/net (sourced): Debian's cloud kernel and a busybox initramfs for
# a benchmark guest, the same material the Linux tests use (testkit's DebianKernel and
# TestInitramfs, cache ~/.cache/jvirt-test/debian-cloud-kernel).

# bench_kernel: sets KERNEL (the bzImage) and MODULES (lib/modules/<release>/kernel), downloading
# linux-image-cloud-amd64's kernel package once with apt-get download (never installed).
bench_kernel() {
  local cache="$HOME/.cache/jvirt-test/debian-cloud-kernel"
  if ! ls "$cache"/root/boot/vmlinuz-* >/dev/null 2>&1; then
    local pkg tmp
    pkg="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -1)"
    [ -n "$pkg" ] || { echo "bench: apt-cache knows no linux-image-cloud-amd64 dependency; run apt-get update on a Debian host" >&2; return 1; }
    mkdir -p "$(dirname "$cache")"
    tmp="$(mktemp -d "$(dirname "$cache")/download-XXXXXX")"
    (cd "$tmp" && apt-get download -q "$pkg" >&2 && dpkg-deb -x ./*.deb root && rm -f ./*.deb) \
      || { echo "bench: apt-get download $pkg failed; check the package archive" >&2; rm -rf "$tmp"; return 1; }
    mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"   # another run may have been first
  fi
  KERNEL="$(ls "$cache"/root/boot/vmlinuz-* | head -1)"
  MODULES="$cache/root/lib/modules/${KERNEL##*/vmlinuz-}/kernel"
}

# bench_initramfs DIR INIT MODULE...: writes DIR/initrd.cpio (newc, uncompressed) from DIR/root,
# which the caller may have filled with extra files: busybox-static as /bin/busybox, the MODULEs
# (names, in load order: dependencies first, as testkit's ModinfoTest checks for virtio) and /init = a
# prologue (busybox applets, proc, sys, devtmpfs, insmod) followed by the text INIT.
bench_initramfs() {
  local dir="$1" init="$2"; shift 2
  local root="$dir/root" m ko
  [ -x /bin/busybox ] || { echo "bench: /bin/busybox missing; apt-get install busybox-static" >&2; return 1; }
  mkdir -p "$root"/{bin,proc,sys,dev,tmp,mnt,lib/modules}
  cp /bin/busybox "$root/bin/busybox"
  { printf '#!/bin/busybox sh\n/bin/busybox --install -s /bin\nexport PATH=/bin\n'
    printf 'mount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev\n'
    for m in "$@"; do
      ko="$(find "$MODULES" -name "$m.ko" | head -1)"
      [ -n "$ko" ] || { echo "bench: kernel module $m.ko not in $MODULES" >&2; return 1; }
      cp "$ko" "$root/lib/modules/"
      printf 'insmod /lib/modules/%s.ko\n' "$m"
    done
    printf '%s\n' "$init"
  } > "$root/init"
  chmod +x "$root/init"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$dir/initrd.cpio"
}

# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# host_tsc_khz DIR: the host's TSC rate in kHz (rdtsc against CLOCK_MONOTONIC_RAW over 200 ms;
# the helper is built in DIR). Under TCG QEMU's guest reads the host's TSC (QEMU's
# cpu_get_ticks() without icount), so this is the guest's TSC rate there.
host_tsc_khz() {
  cat > "$1/tsc_khz.c" <<'C'
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC_RAW, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(void) {
    double t0 = now(); unsigned long long c0 = __rdtsc(), c1; double t1;
    do { t1 = now(); c1 = __rdtsc(); } while (t1 - t0 < 0.2);
    printf("%.0f\n", (c1 - c0) / (t1 - t0) / 1000);
    return 0;
}
C
  gcc -O2 -o "$1/tsc_khz" "$1/tsc_khz.c" && "$1/tsc_khz"
}

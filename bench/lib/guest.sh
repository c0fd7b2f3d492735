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

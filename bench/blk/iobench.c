/*
 * iobench: the guest half of bench/blk. Runs inside the VM (built with gcc -static into the
 * bench's initramfs) and times O_DIRECT I/O on a block device with the guest's own clock
 * (CLOCK_MONOTONIC), so the VM's boot never counts.
 *
 * usage: iobench DEVICE SECONDS REPS
 *
 * For each of REPS rounds, four phases of SECONDS each (at least one operation):
 *   seq-write  1 MiB writes, sequential, wrapping at the end of the device; fdatasync() at the end (timed)
 *   seq-read   1 MiB reads, sequential, wrapping
 *   rand-write 4 KiB writes at random 4 KiB-aligned offsets (xorshift64, fixed seed); fdatasync() at the end (timed)
 *   rand-read  4 KiB reads at random 4 KiB-aligned offsets
 * and prints one line per phase:
 *   IOBENCH <phase> round=R ops=N bytes=B secs=S MiBps=X iops=Y
 * After them, for context, a phase without I/O: cpu, the guest CPU's speed alone (one op =
 * 2^20 xorshift64 steps), to read the I/O ratios against.
 * then "IOBENCH done". O_DIRECT (open(2)) bypasses the guest's page cache, so every operation
 * is a virtio-blk request; buffers are 4 KiB-aligned as O_DIRECT requires.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BLOCK (1 << 20)
#define RAND_BLOCK 4096
#define ALIGN 4096

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_random(void) { /* xorshift64 (Marsaglia 2003) */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void die(const char *what, const char *dev) {
    fprintf(stderr, "IOBENCH error: %s %s: ", what, dev);
    perror("");
    printf("IOBENCH failed\n");
    exit(1);
}

static void phase(int fd, const char *dev, const char *name, int round, int write, int seq,
                  uint64_t size, double seconds, char *buf) {
    size_t block = seq ? SEQ_BLOCK : RAND_BLOCK;
    uint64_t blocks = size / block, ops = 0, pos = 0;
    double start = now(), end = start + seconds, t;
    do {
        uint64_t off = seq ? (pos++ % blocks) * block : (next_random() % blocks) * block;
        ssize_t n = write ? pwrite(fd, buf, block, off) : pread(fd, buf, block, off);
        if (n != (ssize_t)block)
            die(write ? "pwrite" : "pread", dev);
        ops++;
        t = now();
    } while (t < end);
    if (write && fdatasync(fd) != 0)
        die("fdatasync", dev);
    t = now() - start;
    double bytes = (double)ops * block;
    printf("IOBENCH %s round=%d ops=%llu bytes=%.0f secs=%.3f MiBps=%.2f iops=%.1f\n", name, round,
           (unsigned long long)ops, bytes, t, bytes / t / (1 << 20), ops / t);
    fflush(stdout);
}

static volatile uint64_t sink;

static void cpu_phase(int round, double seconds) {
    uint64_t ops = 0, x = 88172645463325252ULL;
    double start = now(), t;
    do {
        for (int i = 0; i < (1 << 20); i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        ops++;
        t = now();
    } while (t < start + seconds);
    sink = x;
    t -= start;
    printf("IOBENCH cpu round=%d ops=%llu bytes=0 secs=%.3f MiBps=0 iops=%.1f\n", round,
           (unsigned long long)ops, t, ops / t);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: iobench DEVICE SECONDS REPS\n");
        return 2;
    }
    const char *dev = argv[1];
    double seconds = atof(argv[2]);
    int reps = atoi(argv[3]);
    int fd = open(dev, O_RDWR | O_DIRECT);
    if (fd < 0)
        die("open O_DIRECT", dev);
    uint64_t size;
    if (ioctl(fd, BLKGETSIZE64, &size) != 0) { /* a regular file (trying it out on the host) */
        off_t end = lseek(fd, 0, SEEK_END);
        if (end < 0)
            die("BLKGETSIZE64 and lseek", dev);
        size = (uint64_t)end;
    }
    if (size < SEQ_BLOCK)
        die("device smaller than 1 MiB", dev);
    char *buf;
    if (posix_memalign((void **)&buf, ALIGN, SEQ_BLOCK) != 0)
        die("posix_memalign", dev);
    for (int i = 0; i < SEQ_BLOCK; i++)
        buf[i] = (char)(i * 7 + 1);
    printf("IOBENCH device=%s size=%llu seconds=%.1f reps=%d\n", dev, (unsigned long long)size, seconds, reps);
    for (int r = 1; r <= reps; r++) {
        phase(fd, dev, "seq-write", r, 1, 1, size, seconds, buf);
        phase(fd, dev, "seq-read", r, 0, 1, size, seconds, buf);
        phase(fd, dev, "rand-write", r, 1, 0, size, seconds, buf);
        phase(fd, dev, "rand-read", r, 0, 0, size, seconds, buf);
        cpu_phase(r, seconds);
    }
    printf("IOBENCH done\n");
    return 0;
}

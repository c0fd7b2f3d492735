/*
 * tcpbench: both halves of bench/net's TCP stream. The guest runs it statically linked from the
 * bench's initramfs; the host runs the same source in the bench's network namespace.
 *
 *   tcpbench listen-recv PORT COUNT       accept COUNT connections one after another, read each to EOF
 *   tcpbench listen-send PORT COUNT SECS  accept COUNT connections one after another, write to each for SECS, close
 *   tcpbench connect-send HOST PORT SECS  connect, write for SECS, close
 *   tcpbench connect-recv HOST PORT       connect, read to EOF
 *
 * A receiver times from its first byte to EOF with CLOCK_MONOTONIC and prints
 *   TCPBENCH recv bytes=B secs=S MiBps=X
 * which is the number the bench reads (a sender prints "TCPBENCH send ..." for the log only:
 * its last writes may still sit in socket buffers when it stops). Writes are 128 KiB.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (128 * 1024)

static char buf[CHUNK];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    perror(what);
    printf("TCPBENCH failed: %s\n", what);
    exit(1);
}

static void report(const char *dir, double bytes, double secs) {
    printf("TCPBENCH %s bytes=%.0f secs=%.3f MiBps=%.2f\n", dir, bytes, secs,
           secs > 0 ? bytes / secs / (1 << 20) : 0);
    fflush(stdout);
}

static void recv_all(int fd) {
    double bytes = 0, start = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (bytes == 0)
            start = now();
        bytes += n;
    }
    if (n < 0)
        die("read");
    report("recv", bytes, bytes > 0 ? now() - start : 0);
}

static void send_for(int fd, double secs) {
    double bytes = 0, start = now(), end = start + secs;
    while (now() < end) {
        ssize_t n = write(fd, buf, sizeof buf);
        if (n <= 0)
            die("write");
        bytes += n;
    }
    report("send", bytes, now() - start);
}

static int listener(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (fd < 0)
        die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("bind");
    if (listen(fd, 4) != 0)
        die("listen");
    return fd;
}

static int connect_to(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (fd < 0)
        die("socket");
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        die("inet_pton");
    for (int tries = 0; connect(fd, (struct sockaddr *)&a, sizeof a) != 0; tries++) {
        if (tries == 50)
            die("connect");
        usleep(200 * 1000); /* the listener may not be there yet */
        close(fd);
        if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
            die("socket");
    }
    return fd;
}

int main(int argc, char **argv) {
    memset(buf, 0x5a, sizeof buf);
    if (argc == 4 && strcmp(argv[1], "listen-recv") == 0) {
        int l = listener(atoi(argv[2]));
        for (int i = atoi(argv[3]); i > 0; i--) {
            int c = accept(l, NULL, NULL);
            if (c < 0)
                die("accept");
            recv_all(c);
            close(c);
        }
    } else if (argc == 5 && strcmp(argv[1], "listen-send") == 0) {
        int l = listener(atoi(argv[2]));
        for (int i = atoi(argv[3]); i > 0; i--) {
            int c = accept(l, NULL, NULL);
            if (c < 0)
                die("accept");
            send_for(c, atof(argv[4]));
            close(c);
        }
    } else if (argc == 5 && strcmp(argv[1], "connect-send") == 0) {
        int c = connect_to(argv[2], atoi(argv[3]));
        send_for(c, atof(argv[4]));
        close(c);
    } else if (argc == 4 && strcmp(argv[1], "connect-recv") == 0) {
        int c = connect_to(argv[2], atoi(argv[3]));
        recv_all(c);
        close(c);
    } else {
        fprintf(stderr, "usage: tcpbench listen-recv PORT COUNT | listen-send PORT COUNT SECS |"
                        " connect-send HOST PORT SECS | connect-recv HOST PORT\n");
        return 2;
    }
    return 0;
}

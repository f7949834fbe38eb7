// SPDX-License-Identifier: MIT
// A userspace WAN link between two tun devices, for bench/wan_bench.py (this kernel has no sch_netem).
//
//     wan_link CLIENT_TUN SERVER_TUN
//
// Creates both tun devices (IFF_TUN, no packet information), prints "ready", then forwards every IP packet
// read from one device to the other after a one-way delay, dropping a fraction at random (seeded, so runs
// are repeatable). Packets keep their order; there is no bandwidth limit (only this loop's speed) and a
// delay queue of at most 256 MiB per direction (beyond that a packet is dropped and counted as overflow).
// The caller moves the devices into their namespaces: the file descriptors keep working.
//
// Commands, one per line on stdin; each answers one line on stdout:
//   set RTT_US LOSS_PPM SEED   one-way delay RTT_US/2 each way, drop LOSS_PPM per million packets -> "ok"
//   stats                      counters since the last stats, as one JSON object; then zeroes them
// EOF on stdin ends the process.
//
// "flights" counts client round trips: a client->server packet carrying TCP data (or a SYN) that the client
// sent after a server->client packet carrying data (or a SYN) had been delivered to it since the client's
// previous counted flight. Pure ACKs, FINs and RSTs are not counted, so delayed ACKs do not add round trips.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

enum { k_max_packet = 65536, k_batch = 64 };
static const size_t k_max_queued = 256u << 20;

struct packet {
    struct packet* next;
    uint64_t due_ns;
    size_t len;
    unsigned char data[];
};

struct direction {
    int in, out;
    struct packet *head, *tail;
    size_t queued;
    uint64_t packets, bytes, dropped, overflow, write_errors;
};

static uint64_t g_delay_ns;
static uint32_t g_loss_ppm;
static uint64_t g_rng = 1;
static uint64_t g_flights;
static int g_server_answered = 1;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t next_random(void) {  // xorshift64*
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return (uint32_t)((g_rng * 0x2545F4914F6CDD1Dull) >> 32);
}

static int open_tun(const char* name) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        perror("wan_link: /dev/net/tun");
        exit(2);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("wan_link: TUNSETIFF");
        exit(2);
    }
    return fd;
}

// True when the IPv4 packet is TCP with payload bytes or the SYN flag.
static int carries_data(const unsigned char* p, size_t len) {
    if (len < 20 || (p[0] >> 4) != 4 || p[9] != 6)
        return 0;
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;
    size_t total = (size_t)p[2] << 8 | p[3];
    if (len < ihl + 20 || total > len)
        return 0;
    size_t doff = (size_t)(p[ihl + 12] >> 4) * 4;
    int syn = p[ihl + 13] & 0x02;
    return syn || total > ihl + doff;
}

static void read_packets(struct direction* d, int client_side, uint64_t now) {
    static unsigned char buffer[k_max_packet];
    for (int i = 0; i < k_batch; ++i) {
        ssize_t n = read(d->in, buffer, sizeof buffer);
        if (n <= 0)
            return;
        d->packets++;
        d->bytes += (uint64_t)n;
        if (client_side && carries_data(buffer, (size_t)n) && g_server_answered) {
            g_flights++;
            g_server_answered = 0;
        }
        if (g_loss_ppm && next_random() % 1000000u < g_loss_ppm) {
            d->dropped++;
            continue;
        }
        if (d->queued + (size_t)n > k_max_queued) {
            d->overflow++;
            continue;
        }
        struct packet* pkt = malloc(sizeof *pkt + (size_t)n);
        if (!pkt)
            abort();
        memcpy(pkt->data, buffer, (size_t)n);
        pkt->next = NULL;
        pkt->due_ns = now + g_delay_ns;
        pkt->len = (size_t)n;
        d->queued += pkt->len;
        if (d->tail)
            d->tail->next = pkt;
        else
            d->head = pkt;
        d->tail = pkt;
    }
}

static void deliver_due(struct direction* d, int to_client, uint64_t now) {
    while (d->head && d->head->due_ns <= now) {
        struct packet* pkt = d->head;
        d->head = pkt->next;
        if (!d->head)
            d->tail = NULL;
        d->queued -= pkt->len;
        // EIO while the peer device is down, EAGAIN if its queue is full: the packet is lost, as on a wire.
        if (write(d->out, pkt->data, pkt->len) < 0)
            d->write_errors++;
        else if (to_client && carries_data(pkt->data, pkt->len))
            g_server_answered = 1;
        free(pkt);
    }
}

static void print_stats(struct direction* up, struct direction* down) {
    printf("{\"c2s_packets\": %llu, \"c2s_bytes\": %llu, \"s2c_packets\": %llu, \"s2c_bytes\": %llu, "
           "\"dropped\": %llu, \"overflow\": %llu, \"write_errors\": %llu, \"flights\": %llu}\n",
           (unsigned long long)up->packets, (unsigned long long)up->bytes, (unsigned long long)down->packets,
           (unsigned long long)down->bytes, (unsigned long long)(up->dropped + down->dropped),
           (unsigned long long)(up->overflow + down->overflow),
           (unsigned long long)(up->write_errors + down->write_errors), (unsigned long long)g_flights);
    fflush(stdout);
    up->packets = up->bytes = up->dropped = up->overflow = up->write_errors = 0;
    down->packets = down->bytes = down->dropped = down->overflow = down->write_errors = 0;
    g_flights = 0;
    g_server_answered = 1;
}

// Runs one command line; returns 0 when it is malformed.
static int handle_command(char* line, struct direction* up, struct direction* down) {
    unsigned long long rtt_us, loss_ppm, seed;
    if (sscanf(line, "set %llu %llu %llu", &rtt_us, &loss_ppm, &seed) == 3) {
        g_delay_ns = rtt_us * 1000u / 2;
        g_loss_ppm = (uint32_t)loss_ppm;
        g_rng = seed ? seed : 1;
        printf("ok\n");
        fflush(stdout);
        return 1;
    }
    if (strncmp(line, "stats", 5) == 0) {
        print_stats(up, down);
        return 1;
    }
    fprintf(stderr, "wan_link: unknown command: %s\n", line);
    return 0;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: wan_link CLIENT_TUN SERVER_TUN\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1UL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    struct direction up = {.in = open_tun(argv[1]), .out = -1};
    struct direction down = {.in = open_tun(argv[2]), .out = -1};
    up.out = down.in;
    down.out = up.in;
    printf("ready\n");
    fflush(stdout);

    char command[256];
    size_t have = 0;
    for (;;) {
        uint64_t now = now_ns();
        uint64_t next = UINT64_MAX;
        if (up.head)
            next = up.head->due_ns;
        if (down.head && down.head->due_ns < next)
            next = down.head->due_ns;
        struct timespec wait = {1, 0};
        if (next != UINT64_MAX) {
            uint64_t in = next > now ? next - now : 0;
            wait.tv_sec = (time_t)(in / 1000000000u);
            wait.tv_nsec = (long)(in % 1000000000u);
        }
        struct pollfd fds[3] = {{up.in, POLLIN, 0}, {down.in, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (ppoll(fds, 3, &wait, NULL) < 0 && errno != EINTR) {
            perror("wan_link: ppoll");
            return 1;
        }
        now = now_ns();
        if (fds[0].revents & POLLIN)
            read_packets(&up, 1, now);
        if (fds[1].revents & POLLIN)
            read_packets(&down, 0, now);
        deliver_due(&up, 0, now);
        deliver_due(&down, 1, now);
        if (fds[2].revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(STDIN_FILENO, command + have, sizeof command - 1 - have);
            if (n <= 0)
                return 0;
            have += (size_t)n;
            command[have] = '\0';
            char* newline;
            while ((newline = strchr(command, '\n')) != NULL) {
                *newline = '\0';
                if (!handle_command(command, &up, &down))
                    return 2;
                have -= (size_t)(newline + 1 - command);
                memmove(command, newline + 1, have + 1);
            }
            if (have == sizeof command - 1)
                return 2;
        }
    }
}

/*
 * The ceiling: a plain libmosquitto subscriber that only counts messages.
 *
 * It connects the way the agent does (MQTT 5, persistent session, Receive Maximum 1000, threaded
 * mode with its own poll loop: read while the socket has data, then write the PUBACKs), so the
 * only difference between its rate and the agent's is what the agent does per message (decode,
 * SQLite commit). Compiled by Benchmarks/run-all.sh: gcc -O2 sub.c -lmosquitto.
 *
 *   cg-sub HOST PORT CLIENT_ID FILTER COUNT [RECEIVE_MAXIMUM]
 *
 * COUNT > 0: exits after COUNT messages and prints when the last one arrived (CLOCK_REALTIME ns);
 *            or 5 s after the last message if fewer come (the broker may drop QoS 0 messages:
 *            then stalled=1 and done_ns is the last message's time).
 * COUNT = 0: subscribes, waits for the SUBACK and disconnects (primes a persistent session).
 * COUNT < 0: counts until SIGTERM/SIGINT (idle-cost companion).
 * Always prints its own peak RSS (VmHWM).
 */
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long received;
static long long last_ns;
static int subscribed;
static int failed;
static const char *filter;
static volatile sig_atomic_t stop;

static long long realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long peak_rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  if (!f) return -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "VmHWM:", 6) == 0) kib = atol(line + 6);
  }
  fclose(f);
  return kib;
}

static void on_connect(struct mosquitto *m, void *u, int rc, int flags, const mosquitto_property *p) {
  (void)u; (void)flags; (void)p;
  if (rc != 0) {
    fprintf(stderr, "cg-sub: connection refused: %s\n", mosquitto_reason_string(rc));
    failed = 1;
    return;
  }
  mosquitto_subscribe_v5(m, NULL, filter, 1, 0, NULL);
}

static void on_subscribe(struct mosquitto *m, void *u, int mid, int n, const int *granted,
                         const mosquitto_property *p) {
  (void)m; (void)u; (void)mid; (void)n; (void)granted; (void)p;
  subscribed = 1;
}

static void on_message(struct mosquitto *m, void *u, const struct mosquitto_message *msg,
                       const mosquitto_property *p) {
  (void)m; (void)u; (void)msg; (void)p;
  received++;
}

static long long realtime_ns(void);

static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: cg-sub HOST PORT CLIENT_ID FILTER COUNT [RECEIVE_MAXIMUM]\n");
    return 64;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  const char *id = argv[3];
  filter = argv[4];
  long target = atol(argv[5]);
  int receive_maximum = argc > 6 ? atoi(argv[6]) : 1000;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  mosquitto_lib_init();
  struct mosquitto *m = mosquitto_new(id, false, NULL);
  mosquitto_threaded_set(m, true);
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_connect_v5_callback_set(m, on_connect);
  mosquitto_subscribe_v5_callback_set(m, on_subscribe);
  mosquitto_message_v5_callback_set(m, on_message);
  mosquitto_property *props = NULL;
  mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 7 * 24 * 3600);
  mosquitto_property_add_int16(&props, MQTT_PROP_RECEIVE_MAXIMUM, (uint16_t)receive_maximum);
  int rc = mosquitto_connect_bind_v5(m, host, port, 30, NULL, props);
  mosquitto_property_free_all(&props);
  if (rc != MOSQ_ERR_SUCCESS) {
    fprintf(stderr, "cg-sub: connect: %s\n", mosquitto_strerror(rc));
    return 1;
  }
  int fd = mosquitto_socket(m);
  long long started_ns = realtime_ns();
  long seen = 0;
  int stalled = 0;
  while (!failed && !stop) {
    if (target == 0 && subscribed) break;
    if (target > 0 && received >= target) break;
    if (received != seen) { seen = received; last_ns = realtime_ns(); }
    if (target > 0 && realtime_ns() - (seen ? last_ns : started_ns) > (seen ? 5 : 30) * 1000000000LL) {
      stalled = 1;
      break;
    }
    struct pollfd pfd = {fd, POLLIN | (mosquitto_want_write(m) ? POLLOUT : 0), 0};
    if (poll(&pfd, 1, 100) < 0) continue;
    if (pfd.revents & (POLLIN | POLLERR | POLLHUP)) {
      /* Read while the socket has data, as the agent does; PUBACKs leave in loop_write. */
      do {
        if (mosquitto_loop_read(m, 1) != MOSQ_ERR_SUCCESS) { failed = 1; break; }
        pfd.events = POLLIN;
      } while ((target <= 0 || received < target) && poll(&pfd, 1, 0) > 0);
    }
    if (mosquitto_want_write(m)) mosquitto_loop_write(m, 1);
    mosquitto_loop_misc(m);
  }
  long long done_ns = stalled ? last_ns : realtime_ns();
  if (mosquitto_want_write(m)) mosquitto_loop_write(m, 1);
  mosquitto_disconnect(m);
  mosquitto_loop_write(m, 1);
  printf("received=%ld done_ns=%lld peak_rss_kib=%ld stalled=%d\n", received, done_ns, peak_rss_kib(), stalled);
  mosquitto_destroy(m);
  mosquitto_lib_cleanup();
  return failed ? 1 : 0;
}

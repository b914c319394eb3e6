/*
 * Load generator: ClassGate native telemetry from many simulated devices, as fast as the broker
 * takes it, or at a fixed rate. Compiled by Benchmarks/run-all.sh: gcc -O2 pub.c -lmosquitto.
 *
 *   cg-pub HOST PORT COUNT DEVICES QOS [RATE_PER_S] [MIX] [FIRST_ID]
 *
 * COUNT      messages to publish (0 with a rate: until SIGTERM).
 * QOS 0      published in chunks, then a QoS 1 "fence" on a topic nobody subscribes to: its PUBACK
 *            means the broker has processed (queued or delivered) every message before it.
 * QOS 1      at most 1000 unacknowledged; exits when every PUBACK is in.
 * RATE_PER_S 0 = as fast as possible; otherwise paced. Either way ts is the time of publishing.
 * MIX        "env" (default): every device is an air sensor, 8 metrics, ~170-byte payloads as a
 *            Python/Raspberry Pi sensor writes them (json.dumps spacing).
 *            "school": devices by index mod 4 are a board (3 metrics), a projector (3), an air
 *            sensor (5) and a card reader heartbeat (1): the per-kind payloads of a real school.
 * FIRST_ID   device ids run from bench-FIRST_ID (default 0): a flood of ids nobody knows yet.
 */
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long acked;
static int connected;
static int fence_mid = -1;
static int fence_acked;
static volatile sig_atomic_t stop;
static int first_id;

static long long now_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void on_connect(struct mosquitto *m, void *u, int rc, int f, const mosquitto_property *p) {
  (void)m; (void)u; (void)f; (void)p;
  if (rc != 0) {
    fprintf(stderr, "cg-pub: refused: %s\n", mosquitto_reason_string(rc));
    exit(1);
  }
  connected = 1;
}

static void on_publish(struct mosquitto *m, void *u, int mid, int rc, const mosquitto_property *p) {
  (void)m; (void)u; (void)rc; (void)p;
  if (mid == fence_mid) fence_acked = 1; else acked++;
}

static void on_signal(int sig) { (void)sig; stop = 1; }

/* One loop turn: read what is there, write what is queued, keepalive. */
static int pump(struct mosquitto *m, int timeout_ms) {
  int fd = mosquitto_socket(m);
  if (fd < 0) return 1;
  struct pollfd pfd = {fd, POLLIN | (mosquitto_want_write(m) ? POLLOUT : 0), 0};
  if (poll(&pfd, 1, timeout_ms) > 0) {
    if (pfd.revents & (POLLIN | POLLERR | POLLHUP)) {
      if (mosquitto_loop_read(m, 1) != MOSQ_ERR_SUCCESS) return 1;
      pfd.events = POLLIN;
      while (poll(&pfd, 1, 0) > 0) {
        if (mosquitto_loop_read(m, 1) != MOSQ_ERR_SUCCESS) return 1;
      }
    }
  }
  if (mosquitto_want_write(m) && mosquitto_loop_write(m, 1) != MOSQ_ERR_SUCCESS) return 1;
  mosquitto_loop_misc(m);
  return 0;
}

/* Cheap deterministic variation. */
static unsigned mix32(unsigned x) {
  x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
  return x;
}

static int payload(char *buf, size_t size, char *topic, size_t tsize, long index, int devices,
                   int school, long long ts) {
  int d = (int)(index % devices);
  unsigned r = mix32((unsigned)index * 2654435761U);
  if (!school || d % 4 == 2) {
    snprintf(topic, tsize, "classgate/r%d/env_sensor/bench-%d/telemetry", d / 4 % 100, d + first_id);
    if (school)
      return snprintf(buf, size,
                      "{\"ts\": %lld, \"co2\": %u, \"temperature\": %.2f, \"humidity\": %.1f, "
                      "\"noise\": %.1f, \"battery\": %u}",
                      ts, 420 + r % 900, 24 + (r % 900) / 100.0, 45 + (r >> 8) % 400 / 10.0,
                      35 + (r >> 12) % 300 / 10.0, 60 + (r >> 20) % 40);
    return snprintf(buf, size,
                    "{\"ts\": %lld, \"co2\": %u, \"temperature\": %.2f, \"humidity\": %.1f, "
                    "\"noise\": %.1f, \"illuminance\": %u, \"pm25\": %.1f, \"voc\": %u, "
                    "\"battery\": %u}",
                    ts, 420 + r % 900, 24 + (r % 900) / 100.0, 45 + (r >> 8) % 400 / 10.0,
                    35 + (r >> 12) % 300 / 10.0, 150 + (r >> 4) % 700, 5 + (r >> 16) % 300 / 10.0,
                    100 + (r >> 6) % 500, 60 + (r >> 20) % 40);
  }
  switch (d % 4) {
  case 0:
    snprintf(topic, tsize, "classgate/r%d/board/bench-%d/telemetry", d / 4 % 100, d + first_id);
    return snprintf(buf, size, "{\"ts\": %lld, \"power_on\": %s, \"active\": %s, \"input_source\": %u}",
                    ts, r % 3 ? "true" : "false", r % 5 ? "false" : "true", 1 + r % 3);
  case 1:
    snprintf(topic, tsize, "classgate/r%d/projector/bench-%d/telemetry", d / 4 % 100, d + first_id);
    return snprintf(buf, size, "{\"ts\": %lld, \"power_on\": %s, \"lamp_hours\": %.1f, \"error_code\": 0}",
                    ts, r % 3 ? "true" : "false", 1000 + d + index / 36000.0);
  default:
    snprintf(topic, tsize, "classgate/r%d/attendance_reader/bench-%d/telemetry", d / 4 % 100, d + first_id);
    return snprintf(buf, size, "{\"ts\": %lld, \"rssi\": -%u}", ts, 40 + r % 40);
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: cg-pub HOST PORT COUNT DEVICES QOS [RATE_PER_S] [env|school] [FIRST_ID]\n");
    return 64;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  long count = atol(argv[3]);
  int devices = atoi(argv[4]);
  int qos = atoi(argv[5]);
  double rate = argc > 6 ? atof(argv[6]) : 0;
  int school = argc > 7 && strcmp(argv[7], "school") == 0;
  first_id = argc > 8 ? atoi(argv[8]) : 0;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  mosquitto_lib_init();
  char id[64];
  snprintf(id, sizeof id, "cg-pub-%d", (int)getpid());
  struct mosquitto *m = mosquitto_new(id, true, NULL);
  mosquitto_threaded_set(m, true);
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, 65535);
  mosquitto_connect_v5_callback_set(m, on_connect);
  mosquitto_publish_v5_callback_set(m, on_publish);
  if (mosquitto_connect_bind_v5(m, host, port, 30, NULL, NULL) != MOSQ_ERR_SUCCESS) {
    fprintf(stderr, "cg-pub: cannot connect\n");
    return 1;
  }
  mosquitto_loop_write(m, 1);
  while (!connected) {
    if (pump(m, 100)) { fprintf(stderr, "cg-pub: connection lost\n"); return 1; }
  }

  char buf[512], topic[128];
  /* Live data: ts is the time of publishing, kept distinct per device (a device's messages are
   * DEVICES publishes apart, at most a few ms at full speed). Old timestamps would be late data
   * for periods the agent has summarised, and it would summarise them again after the load. */
  long long *last_ts = calloc((size_t)devices, sizeof *last_ts);
  long long started = now_ms(CLOCK_MONOTONIC);
  long bytes = 0;
  long sent = 0;
  while (!stop && (count == 0 || sent < count)) {
    if (rate > 0) {
      long long due = started + (long long)(sent * 1000.0 / rate);
      long long now = now_ms(CLOCK_MONOTONIC);
      if (now < due) {
        if (pump(m, (int)(due - now))) return 1;
        continue;
      }
    } else if (qos > 0 && sent - acked >= 1000) {
      if (pump(m, 100)) return 1;
      continue;
    }
    long long ts = now_ms(CLOCK_REALTIME);
    int device = (int)(sent % devices);
    if (ts <= last_ts[device]) ts = last_ts[device] + 1;
    last_ts[device] = ts;
    int n = payload(buf, sizeof buf, topic, sizeof topic, sent, devices, school, ts);
    bytes += n;
    if (mosquitto_publish_v5(m, NULL, topic, n, buf, qos, false, NULL) != MOSQ_ERR_SUCCESS) {
      fprintf(stderr, "cg-pub: publish failed\n");
      return 1;
    }
    sent++;
    if (rate > 0 || sent % 200 == 0) {
      if (pump(m, 0)) return 1;
    }
  }
  /* Everything out; QoS 1: every PUBACK in; QoS 0: the fence's PUBACK in. */
  if (qos == 0) {
    mosquitto_publish_v5(m, &fence_mid, "bench/fence", 1, "x", 1, false, NULL);
    while (!fence_acked) if (pump(m, 100)) return 1;
  } else {
    while (acked < sent) if (pump(m, 100)) return 1;
  }
  double seconds = (now_ms(CLOCK_MONOTONIC) - started) / 1000.0;
  printf("published=%ld qos=%d devices=%d seconds=%.3f msgs_per_s=%.0f avg_payload_bytes=%.1f\n", sent,
         qos, devices, seconds, sent / (seconds > 0 ? seconds : 1), sent ? (double)bytes / sent : 0);
  mosquitto_disconnect(m);
  mosquitto_loop_write(m, 1);
  mosquitto_destroy(m);
  mosquitto_lib_cleanup();
  return 0;
}

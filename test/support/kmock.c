/* Kafka-protocol broker for tests: librdkafka's in-process mock cluster behind a line protocol.
 * Prints the bootstrap address, then answers one line per stdin command; exits on SIGTERM or stdin EOF.
 * Usage: kmock [broker_count]
 * Commands: topic <name> <partitions> | down <broker_id> | up <broker_id> | rtt <broker_id> <ms>
 *           | topic_error <name> <kafka_error_code> | quit
 * Replies:  "ok <command>" or "error <reason>". */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply(rd_kafka_resp_err_t err, const char *cmd) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) printf("ok %s\n", cmd);
  else printf("error %s: %s\n", cmd, rd_kafka_err2str(err));
  fflush(stdout);
}

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  if (brokers < 1) brokers = 1;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock cluster; keep its own logging quiet. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "kmock: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "kmock: rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[1024], name[512];
  while (fgets(line, sizeof(line), stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    int a = 0, b = 0;
    if (sscanf(line, "topic_error %511s %d", name, &a) == 2) {
      rd_kafka_mock_topic_set_error(mc, name, (rd_kafka_resp_err_t)a);
      reply(RD_KAFKA_RESP_ERR_NO_ERROR, line);
    } else if (sscanf(line, "topic %511s %d", name, &a) == 2) {
      reply(rd_kafka_mock_topic_create(mc, name, a, 1), line);
    } else if (sscanf(line, "down %d", &a) == 1) {
      reply(rd_kafka_mock_broker_set_down(mc, a), line);
    } else if (sscanf(line, "up %d", &a) == 1) {
      reply(rd_kafka_mock_broker_set_up(mc, a), line);
    } else if (sscanf(line, "rtt %d %d", &a, &b) == 2) {
      reply(rd_kafka_mock_broker_set_rtt(mc, a, b), line);
    } else if (strcmp(line, "quit") == 0) {
      break;
    } else {
      printf("error unknown command: %s\n", line);
      fflush(stdout);
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

// jf-delayer: holds the packets of one NFQUEUE queue for a while, then lets them through.
//
//   jf-delayer --queue N --delay-ms D [--jitter-ms J] [--capacity C] --max-seconds S
//
// The harness (net/delay.h) starts it on a node, waits for its "ready" line, and only then sends
// packets to queue N with iptables `-j NFQUEUE --queue-num N --queue-bypass`. Every packet is held
// D ms plus a uniform 0..J ms, never overtaking one that arrived before it (net/delay_line.h), and
// then accepted unchanged. Only the packets' metadata crosses to user space (copy mode meta).
//
// Bounded in every way: at most C packets (default 20000) are held, more are accepted at once and
// counted; the kernel queue is a little longer and fails open (a full queue passes packets); it
// exits by itself after S seconds, or on SIGTERM/SIGINT, accepting what it still holds. If it dies
// instead (SIGKILL), the kernel drops the packets it held (TCP sends them again), and from then on
// --queue-bypass passes packets: a dead delayer never cuts the network.
//
// Output: "ready queue=N delay_ms=D" on stdout once the queue is bound (flushed); warnings, errors
// and the final counts on stderr. Exit status: 0 after S seconds or a signal; 2 on bad arguments;
// 1 if the queue cannot be bound (no nfnetlink_queue, no CAP_NET_ADMIN, the queue is taken) or the
// netlink socket fails.
//
// A standalone program (no jf_core), one thread: ppoll() on the queue's socket and a signalfd,
// with a timeout until the next release or the deadline.
#include <arpa/inet.h>  // first: glibc before the kernel headers
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "net/delay_line.h"

namespace {

using Clock = std::chrono::steady_clock;

// The kernel's queue is this much longer than --capacity, so that packets beyond the capacity
// reach this program (which passes them at once and counts them) rather than the kernel's
// fail-open path (which passes them too, but uncounted).
constexpr uint32_t kKernelQueueSlack = 1024;
constexpr int kReceiveBufferBytes = 8 << 20;
// Messages read per round before due packets are released again, so that a flood of arrivals
// cannot hold back releases.
constexpr int kReadsPerRound = 256;

struct Args {
  long queue = -1;
  long delay_ms = -1;
  long jitter_ms = 0;
  long capacity = 20000;
  double max_seconds = -1;
};

constexpr const char* kUsage =
    "usage: jf-delayer --queue N --delay-ms D [--jitter-ms J] [--capacity C] --max-seconds S\n"
    "Holds every packet of NFQUEUE queue N for D ms (+ uniform 0..J ms, keeping their order),\n"
    "then accepts it. At most C packets (default 20000) are held; more pass at once. Exits 0\n"
    "after S seconds or on SIGTERM/SIGINT, accepting what it holds.\n";

bool ParseLong(const char* s, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

// Returns false (after printing why) if the arguments are not usable.
bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "jf-delayer: %s needs a value\n%s", flag.c_str(), kUsage);
      return false;
    }
    const char* v = argv[++i];
    bool ok = false;
    if (flag == "--queue") {
      ok = ParseLong(v, 0, 65535, &a->queue);
    } else if (flag == "--delay-ms") {
      ok = ParseLong(v, 0, 3600 * 1000, &a->delay_ms);
    } else if (flag == "--jitter-ms") {
      ok = ParseLong(v, 0, 3600 * 1000, &a->jitter_ms);
    } else if (flag == "--capacity") {
      ok = ParseLong(v, 1, 1000000, &a->capacity);
    } else if (flag == "--max-seconds") {
      char* end = nullptr;
      errno = 0;
      a->max_seconds = std::strtod(v, &end);
      ok = errno == 0 && end != v && *end == '\0' && std::isfinite(a->max_seconds) &&
           a->max_seconds > 0 && a->max_seconds <= 1e7;
    } else {
      std::fprintf(stderr, "jf-delayer: unknown argument %s\n%s", flag.c_str(), kUsage);
      return false;
    }
    if (!ok) {
      std::fprintf(stderr, "jf-delayer: bad value for %s: '%s'\n%s", flag.c_str(), v, kUsage);
      return false;
    }
  }
  if (a->queue < 0 || a->delay_ms < 0 || a->max_seconds <= 0) {
    std::fprintf(stderr, "jf-delayer: --queue, --delay-ms and --max-seconds are required\n%s",
                 kUsage);
    return false;
  }
  return true;
}

struct Counters {
  uint64_t received = 0;        // packets the kernel handed over
  uint64_t passed_at_once = 0;  // not held: the line was full
  uint64_t verdict_errors = 0;  // verdicts the kernel refused (the packet may be lost)
  uint64_t lost_messages = 0;   // ENOBUFS on the socket: messages the kernel could not deliver
};

struct State {
  jf::DelayLine* line;
  Counters* counters;
};

// Called by nfq_handle_packet for each queued packet.
int OnPacket(struct nfq_q_handle* qh, struct nfgenmsg* /*msg*/, struct nfq_data* nfa, void* data) {
  auto* st = static_cast<State*>(data);
  struct nfqnl_msg_packet_hdr* ph = nfq_get_msg_packet_hdr(nfa);
  if (ph == nullptr) return 0;
  uint32_t id = ntohl(ph->packet_id);
  ++st->counters->received;
  if (!st->line->Push(id, Clock::now())) {
    ++st->counters->passed_at_once;
    if (nfq_set_verdict(qh, id, NF_ACCEPT, 0, nullptr) < 0) ++st->counters->verdict_errors;
  }
  return 0;
}

// Accepts the packets in `ids` (oldest first) and clears it. A run of ids that the kernel numbered
// in order goes out as one batch verdict ("every id <= last"); otherwise one verdict each.
void Accept(struct nfq_q_handle* qh, const jf::DelayLine& line, std::vector<uint32_t>* ids,
            Counters* counters) {
  if (ids->empty()) return;
  if (line.ids_increasing()) {
    if (nfq_set_verdict_batch(qh, ids->back(), NF_ACCEPT) < 0) {
      counters->verdict_errors += ids->size();
    }
  } else {
    for (uint32_t id : *ids) {
      if (nfq_set_verdict(qh, id, NF_ACCEPT, 0, nullptr) < 0) ++counters->verdict_errors;
    }
  }
  ids->clear();
}

const char* BindHint(int err) {
  switch (err) {
    case EPERM:
      return " (the queue is bound by another program, or this process lacks CAP_NET_ADMIN)";
    case EBUSY:
      return " (the queue is bound by another program)";
    case EOPNOTSUPP:
    case EPROTONOSUPPORT:
    case ENOENT:
      return " (the kernel has no nfnetlink_queue)";
    default:
      return "";
  }
}

int Run(const Args& a) {
  // Signals arrive through a signalfd, so that the loop sees them between two ppoll()s.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) {
    std::fprintf(stderr, "jf-delayer: sigprocmask: %s\n", std::strerror(errno));
    return 1;
  }
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    std::fprintf(stderr, "jf-delayer: signalfd: %s\n", std::strerror(errno));
    return 1;
  }

  struct nfq_handle* h = nfq_open();
  if (h == nullptr) {
    int err = errno;
    std::fprintf(stderr, "jf-delayer: cannot open a netfilter netlink socket: %s%s\n",
                 std::strerror(err), BindHint(err));
    return 1;
  }
  jf::DelayLine::Options opts;
  opts.delay = std::chrono::milliseconds(a.delay_ms);
  opts.jitter = std::chrono::milliseconds(a.jitter_ms);
  opts.capacity = static_cast<size_t>(a.capacity);
  opts.seed = static_cast<uint64_t>(Clock::now().time_since_epoch().count()) ^ getpid();
  jf::DelayLine line(opts);
  Counters counters;
  State st{&line, &counters};

  struct nfq_q_handle* qh = nfq_create_queue(h, static_cast<uint16_t>(a.queue), &OnPacket, &st);
  if (qh == nullptr) {
    int err = errno;
    std::fprintf(stderr, "jf-delayer: cannot bind NFQUEUE queue %ld: %s%s\n", a.queue,
                 std::strerror(err), BindHint(err));
    nfq_close(h);
    return 1;
  }
  if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
    std::fprintf(stderr, "jf-delayer: cannot set copy mode meta on queue %ld: %s\n", a.queue,
                 std::strerror(errno));
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 1;
  }
  const uint32_t maxlen = static_cast<uint32_t>(a.capacity) + kKernelQueueSlack;
  if (nfq_set_queue_maxlen(qh, maxlen) < 0) {
    std::fprintf(stderr, "jf-delayer: warning: cannot set the queue length to %u: %s\n", maxlen,
                 std::strerror(errno));
  }
  // Fail open: a full kernel queue (or a full socket) passes packets instead of dropping them.
  // GSO: a GSO packet is queued whole instead of one message per segment; only its metadata is
  // copied and it is not changed, so its partial checksum does not matter here.
  uint32_t flags = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO;
  if (nfq_set_queue_flags(qh, flags, flags) < 0 &&
      nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN) < 0) {
    std::fprintf(stderr, "jf-delayer: warning: the kernel does not fail this queue open: %s\n",
                 std::strerror(errno));
  }
  int fd = nfq_fd(h);
  // A large receive buffer, so that bursts are not lost (ENOBUFS). FORCE needs CAP_NET_ADMIN,
  // which binding the queue needed already; the plain option is capped by rmem_max.
  int rcvbuf = kReceiveBufferBytes;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }

  std::printf("ready queue=%ld delay_ms=%ld\n", a.queue, a.delay_ms);
  std::fflush(stdout);

  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(a.max_seconds));
  std::vector<uint32_t> due;
  due.reserve(1024);
  alignas(8) static char buf[65536];
  std::string reason;
  int status = 0;

  while (reason.empty()) {
    auto now = Clock::now();
    if (now >= deadline) {
      reason = "after --max-seconds";
      break;
    }
    line.PopDue(now, &due);
    Accept(qh, line, &due, &counters);

    auto wake = deadline;
    if (auto next = line.NextRelease(); next && *next < wake) wake = *next;
    auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(wake - Clock::now());
    if (wait.count() < 0) wait = std::chrono::nanoseconds(0);
    struct timespec ts;
    ts.tv_sec = static_cast<time_t>(wait.count() / 1000000000);
    ts.tv_nsec = static_cast<long>(wait.count() % 1000000000);
    struct pollfd fds[2] = {{fd, POLLIN, 0}, {sfd, POLLIN, 0}};
    int n = ppoll(fds, 2, &ts, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "jf-delayer: poll: %s\n", std::strerror(errno));
      reason = "on a poll error";
      status = 1;
      break;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        reason = si.ssi_signo == SIGTERM ? "on SIGTERM" : "on SIGINT";
      }
    }
    if (fds[0].revents == 0) continue;  // (ENOBUFS shows as POLLERR: recv() reports it)
    for (int i = 0; i < kReadsPerRound; ++i) {
      ssize_t len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (len > 0) {
        nfq_handle_packet(h, buf, static_cast<int>(len));
        continue;
      }
      if (len < 0 && errno == EINTR) continue;
      if (len < 0 && errno == ENOBUFS) {
        // The kernel could not deliver some messages; their packets stay queued until a batch
        // verdict covers their ids (or the queue goes away).
        ++counters.lost_messages;
        continue;
      }
      if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      std::fprintf(stderr, "jf-delayer: recv: %s\n", len < 0 ? std::strerror(errno) : "EOF");
      reason = "on a socket error";
      status = 1;
      break;
    }
  }

  // Let go of everything still held before the queue goes away (the kernel would drop it).
  line.PopAll(&due);
  Accept(qh, line, &due, &counters);
  nfq_destroy_queue(qh);
  nfq_close(h);
  close(sfd);
  std::fprintf(stderr,
               "jf-delayer: exiting %s: received=%llu held=%llu passed_at_once=%llu "
               "released=%llu verdict_errors=%llu lost_messages=%llu\n",
               reason.c_str(), static_cast<unsigned long long>(counters.received),
               static_cast<unsigned long long>(line.held_total()),
               static_cast<unsigned long long>(counters.passed_at_once),
               static_cast<unsigned long long>(line.released()),
               static_cast<unsigned long long>(counters.verdict_errors),
               static_cast<unsigned long long>(counters.lost_messages));
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, &a)) return 2;
  return Run(a);
}

#include "core/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace jf {
namespace {

constexpr int kUndoingSlots = 8;
constexpr size_t kUndoingBytes = 201;

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_interrupts{0};
std::atomic<int> g_fd{2};
char g_slots[kUndoingSlots][kUndoingBytes];
std::atomic<int> g_next_slot{0};
std::atomic<const char*> g_undoing{"stopping the run"};

void WriteAll(int fd, const char* s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void WriteString(int fd, const char* s) { WriteAll(fd, s, strlen(s)); }

// Decimal digits of n into buf (at least 12 bytes); async-signal-safe.
const char* Decimal(long n, char* buf) {
  char* p = buf + 11;
  *p = '\0';
  bool negative = n < 0;
  unsigned long u = negative ? 0UL - static_cast<unsigned long>(n) : static_cast<unsigned long>(n);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u > 0 && p > buf + 1);
  if (negative) *--p = '-';
  return p;
}

void OnInterrupt(int) {
  int saved_errno = errno;
  g_interrupted.store(true);
  if (g_interrupts.fetch_add(1) > 0) {
    int fd = g_fd.load();
    char pid[12];
    // A leading newline: the status line of --progress may be on the terminal.
    WriteString(fd, "\njepsen-flink: interrupted again; still undoing: ");
    WriteString(fd, g_undoing.load());
    WriteString(fd,
                ". The run stops by itself once every fault is healed and the cluster is down. "
                "To abandon that: kill -9 ");
    WriteString(fd, Decimal(static_cast<long>(getpid()), pid));
    WriteString(fd, ", then `jepsen-flink cluster down --all`.\n");
  }
  errno = saved_errno;
}

}  // namespace

void InstallInterruptHandlers(int fd) {
  g_fd.store(fd);
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  // Both handlers block both signals, so a message is never written twice at once.
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool Interrupted() { return g_interrupted.load(); }

int InterruptCount() { return g_interrupts.load(); }

void SetUndoing(std::string_view what) {
  int slot = g_next_slot.fetch_add(1) % kUndoingSlots;
  size_t n = std::min(what.size(), kUndoingBytes - 1);
  std::memcpy(g_slots[slot], what.data(), n);
  g_slots[slot][n] = '\0';
  g_undoing.store(g_slots[slot]);
}

void ResetInterruptsForTest() {
  g_interrupted.store(false);
  g_interrupts.store(0);
}

}  // namespace jf

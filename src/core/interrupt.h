// Interrupts: SIGINT and SIGTERM during a run. The first asks the run to wind down (it stops
// injecting faults, heals, tears down, keeps the history and reports unknown); every further one
// writes what the run is still undoing to the chosen fd, and the run goes on undoing it: a run
// stopped half-way would leave the damage it was meant to find (a partition, a paused process).
//
// The handlers only set an atomic flag, bump a counter and write(2) a message assembled from
// text stored beforehand, all async-signal-safe. SetUndoing may be called from any thread; its
// text is copied into one of a ring of static buffers and published with an atomic pointer, so a
// handler always reads a complete string (the ring is large enough that a buffer is not reused
// while a handler could still be reading it, unless the run names more than kUndoingSlots - 1
// steps during one write of a few hundred bytes).
#ifndef JF_CORE_INTERRUPT_H_
#define JF_CORE_INTERRUPT_H_

#include <string_view>

namespace jf {

// Installs the SIGINT and SIGTERM handlers; a further interrupt's message goes to `fd`
// (stderr in a run). May be called again (a later call replaces the fd).
void InstallInterruptHandlers(int fd = 2);

// Whether SIGINT or SIGTERM came since the handlers were installed.
bool Interrupted();

// How many interrupts came.
int InterruptCount();

// What the run is doing now, in the words a further interrupt uses ("healing every fault",
// "tearing down zookeeper"). At most 200 bytes are kept.
void SetUndoing(std::string_view what);

// Tests only: forgets the interrupts that came (the handlers stay).
void ResetInterruptsForTest();

}  // namespace jf

#endif  // JF_CORE_INTERRUPT_H_

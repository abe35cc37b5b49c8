// ZooKeeper's four-letter-word admin commands (ruok, srvr, mntr) over plain TCP, from the harness
// to a server's client port. Thread-safe; each call opens its own connection.
#ifndef JF_NET_FOUR_LETTER_WORD_H_
#define JF_NET_FOUR_LETTER_WORD_H_

#include <chrono>
#include <string>

#include "common/status.h"

namespace jf {

// Sends `word` to host:port and returns everything the server wrote before closing.
Result<std::string> FourLetterWord(const std::string& host, int port, const std::string& word,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(3));

// The "Mode:" line of `srvr` (leader, follower, standalone), or an error if the server does not
// serve (e.g. "This ZooKeeper instance is not currently serving requests").
Result<std::string> ZooKeeperMode(const std::string& host, int port);

}  // namespace jf

#endif  // JF_NET_FOUR_LETTER_WORD_H_

package io.jepsenflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Properties of the key-to-split assignment the harness's checkers rely on. */
class SeqSplitTest {

    @Test
    void everyKeyBelongsToExactlyOneSplitAndIsCongruentToIt() {
        for (int splits = 1; splits <= 13; splits++) {
            for (int keys = 1; keys <= 5; keys++) {
                Map<Long, Integer> owner = new HashMap<>();
                for (int s = 0; s < splits; s++) {
                    for (long n = 0; n < 3L * keys; n++) {
                        long key = SeqSplit.keyOf(s, n, splits, keys);
                        assertEquals(s, key % splits, "key " + key + " of split " + s);
                        Integer prev = owner.putIfAbsent(key, s);
                        assertTrue(prev == null || prev == s, "key " + key + " in two splits");
                    }
                }
                assertEquals(splits * keys, owner.size(), "S x K distinct keys");
            }
        }
    }

    @Test
    void seqCountsUpByOnePerKeyFromZero() {
        int splits = 7, keys = 3;
        for (int s = 0; s < splits; s++) {
            Map<Long, Long> last = new HashMap<>();
            for (long n = 0; n < 1000; n++) {
                long key = SeqSplit.keyOf(s, n, splits, keys);
                long seq = SeqSplit.seqOf(n, keys);
                assertEquals(last.getOrDefault(key, -1L) + 1, seq, "key " + key + " at n=" + n);
                last.put(key, seq);
            }
        }
    }

    @Test
    void recordNumbersMapOneToOneToKeySeqPairs() {
        int splits = 4, keys = 4;
        Set<String> seen = new HashSet<>();
        for (int s = 0; s < splits; s++) {
            for (long n = 0; n < 400; n++) {
                String pair = SeqSplit.keyOf(s, n, splits, keys) + "/" + SeqSplit.seqOf(n, keys);
                assertTrue(seen.add(pair), "duplicate " + pair);
            }
        }
    }
}

package io.jepsenflink.job;

import java.util.Objects;

/**
 * One emitted record: {@code (key, seq)} plus the split that emitted it.
 *
 * <p>A Flink POJO (public class, public no-arg constructor, public fields), so Flink serializes
 * it with its PojoSerializer on both Flink lines, without Kryo.
 */
public class SeqRecord {
    /** The key: split {@code s} owns keys {@code s, s+S, s+2S, ...}. */
    public long key;
    /** Per-key sequence number, 0, 1, 2, ... with no gaps and no repeats. */
    public long seq;
    /** Index of the split that emitted this record ({@code key % S}). */
    public int split;

    public SeqRecord() {}

    public SeqRecord(long key, long seq, int split) {
        this.key = key;
        this.seq = seq;
        this.split = split;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SeqRecord)) {
            return false;
        }
        SeqRecord r = (SeqRecord) o;
        return key == r.key && seq == r.seq && split == r.split;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, seq, split);
    }

    @Override
    public String toString() {
        return "SeqRecord{key=" + key + ", seq=" + seq + ", split=" + split + "}";
    }
}

package io.jepsenflink.job;

import org.apache.flink.api.connector.source.SourceSplit;

/**
 * A split of the sequence source: an index {@code s} in {@code [0, S)} and a position.
 *
 * <p>The position is the number of records this split has emitted so far. Record number
 * {@code n} (0-based) of split {@code s} is {@code key = s + (n % K) * S}, {@code seq = n / K},
 * where {@code S} is the number of splits and {@code K} the keys per split. So a position
 * {@code p} means: all records with record number {@code < p} have been emitted.
 *
 * <p>Immutable; the reader keeps its mutable positions separately.
 */
public final class SeqSplit implements SourceSplit {
    private final int index;
    private final long position;

    public SeqSplit(int index, long position) {
        if (index < 0 || position < 0) {
            throw new IllegalArgumentException("bad split " + index + "@" + position);
        }
        this.index = index;
        this.position = position;
    }

    public int index() {
        return index;
    }

    public long position() {
        return position;
    }

    @Override
    public String splitId() {
        return Integer.toString(index);
    }

    /** Key of record number {@code n} of split {@code s}. */
    public static long keyOf(int s, long n, int numSplits, int keysPerSplit) {
        return s + (n % keysPerSplit) * (long) numSplits;
    }

    /** Seq of record number {@code n} (of any split). */
    public static long seqOf(long n, int keysPerSplit) {
        return n / keysPerSplit;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeqSplit
                && ((SeqSplit) o).index == index
                && ((SeqSplit) o).position == position;
    }

    @Override
    public int hashCode() {
        return 31 * index + Long.hashCode(position);
    }

    @Override
    public String toString() {
        return "SeqSplit{" + index + "@" + position + "}";
    }
}

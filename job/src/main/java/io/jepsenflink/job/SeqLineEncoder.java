package io.jepsenflink.job;

import org.apache.flink.api.common.serialization.Encoder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The output line format shared by both output sinks: {@code <key> <seq>\n}, two decimal integers
 * in ASCII, one space, one {@code '\n'}, nothing else. As a FileSink {@link Encoder} it writes
 * each line with a single {@code write(byte[], int, int)} call.
 */
public final class SeqLineEncoder implements Encoder<SeqRecord> {
    private static final long serialVersionUID = 1L;

    /** Longest possible line: two 20-character longs (sign included), a space and a newline. */
    public static final int MAX_LINE_BYTES = 20 + 1 + 20 + 1;

    private transient byte[] scratch;

    @Override
    public void encode(SeqRecord element, OutputStream stream) throws IOException {
        if (scratch == null) {
            scratch = new byte[MAX_LINE_BYTES];
        }
        int n = encode(element.key, element.seq, scratch, 0);
        stream.write(scratch, 0, n);
    }

    /**
     * Writes {@code "<key> <seq>\n"} into {@code buf} at {@code off} and returns the offset after
     * it; {@code buf} needs at most {@link #MAX_LINE_BYTES} bytes from {@code off}.
     */
    public static int encode(long key, long seq, byte[] buf, int off) {
        off = putLong(buf, off, key);
        buf[off++] = ' ';
        off = putLong(buf, off, seq);
        buf[off++] = '\n';
        return off;
    }

    /** The line for one record, as bytes (tests, logging). */
    public static byte[] line(long key, long seq) {
        byte[] buf = new byte[MAX_LINE_BYTES];
        int n = encode(key, seq, buf, 0);
        byte[] out = new byte[n];
        System.arraycopy(buf, 0, out, 0, n);
        return out;
    }

    private static int putLong(byte[] buf, int off, long v) {
        if (v < 0) {
            // The job never produces negative keys or seqs; handled for completeness only.
            byte[] s = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, buf, off, s.length);
            return off + s.length;
        }
        int digits = 1;
        for (long t = v / 10; t != 0; t /= 10) {
            digits++;
        }
        int end = off + digits;
        int p = end;
        do {
            buf[--p] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        return end;
    }
}

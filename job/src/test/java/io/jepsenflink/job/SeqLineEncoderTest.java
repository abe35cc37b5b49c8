package io.jepsenflink.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeqLineEncoderTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void exactBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SeqLineEncoder enc = new SeqLineEncoder();
        enc.encode(new SeqRecord(0, 0, 0), out);
        enc.encode(new SeqRecord(7, 12345, 7), out);
        enc.encode(new SeqRecord(47, 10, 11), out);
        enc.encode(new SeqRecord(Long.MAX_VALUE, 9, 0), out);
        assertArrayEquals(ascii("0 0\n7 12345\n47 10\n9223372036854775807 9\n"), out.toByteArray());
    }

    @Test
    void oneWriteCallPerRecord() throws IOException {
        List<String> writes = new ArrayList<>();
        OutputStream spy =
                new OutputStream() {
                    @Override
                    public void write(int b) {
                        writes.add("byte");
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        writes.add(new String(b, off, len, StandardCharsets.US_ASCII));
                    }
                };
        new SeqLineEncoder().encode(new SeqRecord(3, 100, 3), spy);
        assertEquals(List.of("3 100\n"), writes);
    }

    @Test
    void matchesLongToStringEverywhere() {
        long[] values = {0, 1, 9, 10, 99, 100, 999_999, 1_000_000, 4_294_967_296L,
                999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE, -1,
                -10, Long.MIN_VALUE};
        byte[] buf = new byte[3 + SeqLineEncoder.MAX_LINE_BYTES];
        for (long k : values) {
            for (long s : values) {
                int end = SeqLineEncoder.encode(k, s, buf, 3);
                String got = new String(buf, 3, end - 3, StandardCharsets.US_ASCII);
                assertEquals(k + " " + s + "\n", got);
                assertArrayEquals(ascii(k + " " + s + "\n"), SeqLineEncoder.line(k, s));
            }
        }
        assertEquals(SeqLineEncoder.MAX_LINE_BYTES,
                SeqLineEncoder.encode(Long.MIN_VALUE, Long.MIN_VALUE, buf, 0));
    }
}

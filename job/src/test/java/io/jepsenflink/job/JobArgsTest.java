package io.jepsenflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobArgsTest {
    private static final String[] REQUIRED = {"--commit-log-dir", "/c", "--alert-dir", "/a"};

    private static JobArgs parse(String... extra) {
        String[] all = new String[REQUIRED.length + extra.length];
        System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
        System.arraycopy(extra, 0, all, REQUIRED.length, extra.length);
        return JobArgs.parse(all);
    }

    @Test
    void defaultsHaveNoOutput() {
        JobArgs a = parse();
        assertEquals(12, a.splits);
        assertEquals(4, a.keysPerSplit);
        assertEquals(100.0, a.rate);
        assertEquals("/c", a.commitLogDir);
        assertEquals("/a", a.alertDir);
        assertEquals("jepsen-flink-test-job", a.jobName);
        assertNull(a.outputDir);
        assertEquals(JobArgs.SinkMode.EXACTLY_ONCE, a.sink);
    }

    @Test
    void outputDirDefaultsToExactlyOnce() {
        JobArgs a = parse("--output-dir", "hdfs://nn:8020/jepsen/out");
        assertEquals("hdfs://nn:8020/jepsen/out", a.outputDir);
        assertEquals(JobArgs.SinkMode.EXACTLY_ONCE, a.sink);
    }

    @Test
    void sinkValuesBothSyntaxes() {
        JobArgs a = parse("--output-dir=/shared/out", "--sink=append");
        assertEquals("/shared/out", a.outputDir);
        assertEquals(JobArgs.SinkMode.APPEND, a.sink);
        JobArgs b = parse("--sink", "exactly-once", "--output-dir", "/o");
        assertEquals(JobArgs.SinkMode.EXACTLY_ONCE, b.sink);
        assertTrue(b.toString().contains("output-dir=/o sink=exactly-once"), b.toString());
    }

    @Test
    void sinkWithoutOutputDirIsAcceptedAndIgnored() {
        JobArgs a = parse("--sink", "append");
        assertNull(a.outputDir);
        assertEquals(JobArgs.SinkMode.APPEND, a.sink);
        assertTrue(a.toString().contains("output-dir=(none)"), a.toString());
    }

    @Test
    void badSinkValuesFail() {
        for (String bad : new String[] {"", "exactly_once", "EXACTLY-ONCE", "at-least-once", " append"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class,
                            () -> parse("--output-dir", "/o", "--sink", bad), bad);
            assertTrue(e.getMessage().startsWith("--sink must be exactly-once or append"),
                    e.getMessage());
        }
        // Also without --output-dir: a bad value is a bad value.
        assertThrows(IllegalArgumentException.class, () -> parse("--sink", "bogus"));
    }

    @Test
    void emptyOrMissingOutputDirFails() {
        assertThrows(IllegalArgumentException.class, () -> parse("--output-dir="));
        assertThrows(IllegalArgumentException.class, () -> parse("--output-dir"));
    }

    @Test
    void unknownOptionStillFails() {
        assertThrows(IllegalArgumentException.class, () -> parse("--output", "/o"));
        assertThrows(IllegalArgumentException.class, () -> parse("--sinks", "append"));
    }
}

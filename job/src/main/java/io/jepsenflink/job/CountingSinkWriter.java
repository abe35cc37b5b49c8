package io.jepsenflink.job;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts and discards records. Shared by both Flink lines' {@code CountingSink}. */
public final class CountingSinkWriter implements SinkWriter<SeqRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(CountingSinkWriter.class);

    private final int subtask;
    private final Counter counter;
    private long count;

    public CountingSinkWriter(int subtask, MetricGroup metrics) {
        this.subtask = subtask;
        this.counter = metrics.counter("jepsenRecordsDiscarded");
    }

    @Override
    public void write(SeqRecord element, Context context) {
        count++;
        counter.inc();
    }

    @Override
    public void flush(boolean endOfInput) {}

    public long count() {
        return count;
    }

    @Override
    public void close() {
        LOG.info("CountingSinkWriter {} closing after {} records", subtask, count);
    }
}

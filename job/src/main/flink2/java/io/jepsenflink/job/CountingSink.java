package io.jepsenflink.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** Flink 2.x: Sink V2 with only {@code createWriter(WriterInitContext)}. */
public final class CountingSink implements Sink<SeqRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public SinkWriter<SeqRecord> createWriter(WriterInitContext context) {
        return new CountingSinkWriter(
                context.getTaskInfo().getIndexOfThisSubtask(), context.metricGroup());
    }
}

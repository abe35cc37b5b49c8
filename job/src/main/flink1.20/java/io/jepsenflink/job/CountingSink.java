package io.jepsenflink.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Flink 1.20: Sink V2 where {@code createWriter(Sink.InitContext)} is still abstract (deprecated);
 * both overloads are implemented.
 */
public final class CountingSink implements Sink<SeqRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    @Deprecated
    public SinkWriter<SeqRecord> createWriter(Sink.InitContext context) {
        return new CountingSinkWriter(
                context.getTaskInfo().getIndexOfThisSubtask(), context.metricGroup());
    }

    @Override
    public SinkWriter<SeqRecord> createWriter(WriterInitContext context) {
        return new CountingSinkWriter(
                context.getTaskInfo().getIndexOfThisSubtask(), context.metricGroup());
    }
}

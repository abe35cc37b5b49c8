package io.jepsenflink.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Flink 2.x: the non-transactional append sink (see {@link AppendSinkWriter}), Sink V2 with only
 * {@code createWriter(WriterInitContext)}.
 */
public final class AppendSink implements Sink<SeqRecord> {
    private static final long serialVersionUID = 1L;

    private final String dir;

    public AppendSink(String dir) {
        this.dir = dir;
    }

    @Override
    public SinkWriter<SeqRecord> createWriter(WriterInitContext context) {
        return new AppendSinkWriter(dir, context.getTaskInfo().getIndexOfThisSubtask());
    }
}

package io.jepsenflink.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Flink 1.20: the non-transactional append sink (see {@link AppendSinkWriter}), Sink V2 where
 * {@code createWriter(Sink.InitContext)} is still abstract (deprecated); both overloads are
 * implemented.
 */
public final class AppendSink implements Sink<SeqRecord> {
    private static final long serialVersionUID = 1L;

    private final String dir;

    public AppendSink(String dir) {
        this.dir = dir;
    }

    @Override
    @Deprecated
    public SinkWriter<SeqRecord> createWriter(Sink.InitContext context) {
        return new AppendSinkWriter(dir, context.getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    public SinkWriter<SeqRecord> createWriter(WriterInitContext context) {
        return new AppendSinkWriter(dir, context.getTaskInfo().getIndexOfThisSubtask());
    }
}

package io.jepsenflink.job;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Paths;
import java.util.UUID;

/**
 * Keyed by {@link SeqRecord#key}: checks that every key's seqs arrive as 0, 1, 2, ... exactly
 * once. Keeps the last seq per key in {@code ValueState<Long>}; on a mismatch it appends
 * {@code "key expected actual wallclock-ms subtask\n"} to
 * {@code <alert-dir>/alerts-<subtask>-<uuid>.log} (fsync'd immediately, created on first alert)
 * and continues from the actual seq. Every record is forwarded.
 */
public class SeqChecker extends KeyedProcessFunction<Long, SeqRecord, SeqRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SeqChecker.class);

    private final String alertDir;

    private transient ValueState<Long> lastSeq;
    private transient DurableAppendLog alerts;
    private transient int subtask;
    private transient long alertCount;

    public SeqChecker(String alertDir) {
        this.alertDir = alertDir;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        lastSeq = getRuntimeContext().getState(new ValueStateDescriptor<>("last-seq", Types.LONG));
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        alerts =
                new DurableAppendLog(
                        Paths.get(alertDir, "alerts-" + subtask + "-" + UUID.randomUUID() + ".log"));
    }

    @Override
    public void processElement(SeqRecord r, Context ctx, Collector<SeqRecord> out)
            throws Exception {
        Long last = lastSeq.value();
        long expected = last == null ? 0 : last + 1;
        if (r.seq != expected) {
            alertCount++;
            String line =
                    r.key + " " + expected + " " + r.seq + " " + System.currentTimeMillis() + " "
                            + subtask + "\n";
            if (alertCount <= 100 || alertCount % 1000 == 0) {
                LOG.warn("Sequence alert #{} (key expected actual ms subtask): {}",
                        alertCount, line.trim());
            }
            alerts.append(line);
        }
        lastSeq.update(r.seq);
        out.collect(r);
    }

    @Override
    public void close() throws Exception {
        if (alerts != null) {
            alerts.close();
        }
        super.close();
    }
}

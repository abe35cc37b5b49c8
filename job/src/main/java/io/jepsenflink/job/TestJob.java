package io.jepsenflink.job;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jepsen-flink test job: sequence source -> keyBy(key) -> sequence checker -> counting sink.
 *
 * <p>Restart strategy, state backend, checkpointing and parallelism all come from the cluster
 * configuration; nothing is set here.
 */
public final class TestJob {
    private static final Logger LOG = LoggerFactory.getLogger(TestJob.class);

    /** Stable operator uids (savepoint compatibility): do not change. */
    public static final String SOURCE_UID = "jepsen-seq-source";
    public static final String CHECKER_UID = "jepsen-seq-checker";
    public static final String SINK_UID = "jepsen-counting-sink";

    private TestJob() {}

    /** Key selector as a named class so the key type needs no lambda type extraction. */
    public static final class KeyOf implements KeySelector<SeqRecord, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long getKey(SeqRecord r) {
            return r.key;
        }
    }

    public static void main(String[] argv) throws Exception {
        JobArgs args = JobArgs.parse(argv);
        LOG.info("jepsen-flink test job: {}", args);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        DataStream<SeqRecord> records =
                env.fromSource(
                                new SeqSource(
                                        args.splits, args.keysPerSplit, args.rate, args.commitLogDir),
                                WatermarkStrategy.noWatermarks(),
                                "seq-source",
                                TypeInformation.of(SeqRecord.class))
                        .uid(SOURCE_UID)
                        .name("seq-source");

        DataStream<SeqRecord> checked =
                records.keyBy(new KeyOf(), Types.LONG)
                        .process(new SeqChecker(args.alertDir))
                        .uid(CHECKER_UID)
                        .name("seq-checker");

        checked.sinkTo(new CountingSink()).uid(SINK_UID).name("counting-sink");

        env.execute(args.jobName);
    }
}

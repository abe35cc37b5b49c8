package io.jepsenflink.job;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jepsen-flink test job: sequence source -> keyBy(key) -> sequence checker -> counting sink,
 * plus, with {@code --output-dir}, an output sink on the checker's output (FileSink or the
 * non-transactional append sink, see {@link JobArgs.SinkMode}).
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
    public static final String FILE_SINK_UID = "jepsen-file-sink";
    public static final String APPEND_SINK_UID = "jepsen-append-sink";

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
        build(env, args);
        env.execute(args.jobName);
    }

    /** Adds the job's pipeline to {@code env} (also used by the end-to-end test). */
    static void build(StreamExecutionEnvironment env, JobArgs args) {
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

        // Always present, so the default topology is unchanged and the record count stays.
        checked.sinkTo(new CountingSink()).uid(SINK_UID).name("counting-sink");

        if (args.outputDir != null) {
            switch (args.sink) {
                case EXACTLY_ONCE:
                    checked.sinkTo(fileSink(args.outputDir)).uid(FILE_SINK_UID).name("file-sink");
                    break;
                case APPEND:
                    checked.sinkTo(new AppendSink(args.outputDir))
                            .uid(APPEND_SINK_UID)
                            .name("append-sink");
                    break;
                default:
                    throw new IllegalStateException("unhandled sink " + args.sink);
            }
        }
    }

    /**
     * Row-format FileSink writing {@code "<key> <seq>\n"} lines directly into {@code dir} (no
     * bucket directories), rolling only on checkpoints, with the default part-file names.
     */
    static FileSink<SeqRecord> fileSink(String dir) {
        return FileSink.forRowFormat(new Path(dir), new SeqLineEncoder())
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .build();
    }
}

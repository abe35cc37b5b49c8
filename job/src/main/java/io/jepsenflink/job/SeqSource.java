package io.jepsenflink.job;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.ArrayList;
import java.util.List;

/**
 * Unbounded FLIP-27 source of {@link SeqRecord}s.
 *
 * <p>{@code numSplits} splits, independent of parallelism. Split {@code s} owns keys
 * {@code s + i*numSplits} for {@code i in [0, keysPerSplit)} and emits (key, seq) round-robin over
 * them, seq counting up per key from 0. The whole source emits {@code ratePerSecond} records per
 * second; every split gets an equal share.
 */
public final class SeqSource
        implements Source<SeqRecord, SeqSplit, SeqEnumeratorState>,
                ResultTypeQueryable<SeqRecord> {
    private static final long serialVersionUID = 1L;

    private final int numSplits;
    private final int keysPerSplit;
    private final double ratePerSecond;
    private final String commitLogDir;

    public SeqSource(int numSplits, int keysPerSplit, double ratePerSecond, String commitLogDir) {
        if (numSplits <= 0 || keysPerSplit <= 0 || !(ratePerSecond > 0)) {
            throw new IllegalArgumentException("splits, keys-per-split and rate must be positive");
        }
        this.numSplits = numSplits;
        this.keysPerSplit = keysPerSplit;
        this.ratePerSecond = ratePerSecond;
        this.commitLogDir = commitLogDir;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<SeqRecord, SeqSplit> createReader(SourceReaderContext readerContext) {
        return new SeqReader(readerContext, numSplits, keysPerSplit, ratePerSecond, commitLogDir);
    }

    @Override
    public SplitEnumerator<SeqSplit, SeqEnumeratorState> createEnumerator(
            SplitEnumeratorContext<SeqSplit> enumContext) {
        List<SeqSplit> all = new ArrayList<>(numSplits);
        for (int s = 0; s < numSplits; s++) {
            all.add(new SeqSplit(s, 0));
        }
        return new SeqEnumerator(enumContext, all);
    }

    @Override
    public SplitEnumerator<SeqSplit, SeqEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<SeqSplit> enumContext, SeqEnumeratorState checkpoint) {
        return new SeqEnumerator(enumContext, checkpoint.unassigned());
    }

    @Override
    public SimpleVersionedSerializer<SeqSplit> getSplitSerializer() {
        return SeqSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<SeqEnumeratorState> getEnumeratorCheckpointSerializer() {
        return SeqEnumeratorStateSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<SeqRecord> getProducedType() {
        return TypeInformation.of(SeqRecord.class);
    }
}

package io.jepsenflink.job;

import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Assigns the fixed set of splits round-robin: split {@code s} goes to reader
 * {@code s % parallelism}, as soon as that reader is registered. Splits handed back (reader
 * failure, {@link #addSplitsBack}) become unassigned again and are reassigned to their owner when
 * it registers again. The enumerator checkpoint is the set of unassigned splits.
 */
public final class SeqEnumerator implements SplitEnumerator<SeqSplit, SeqEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(SeqEnumerator.class);

    private final SplitEnumeratorContext<SeqSplit> context;
    /** Unassigned splits by index. */
    private final TreeMap<Integer, SeqSplit> unassigned = new TreeMap<>();

    public SeqEnumerator(SplitEnumeratorContext<SeqSplit> context, List<SeqSplit> unassigned) {
        this.context = context;
        for (SeqSplit s : unassigned) {
            this.unassigned.put(s.index(), s);
        }
    }

    @Override
    public void start() {
        LOG.info("SeqEnumerator started, unassigned splits: {}", unassigned.values());
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // Push-based: readers never request splits.
    }

    @Override
    public void addSplitsBack(List<SeqSplit> splits, int subtaskId) {
        LOG.info("Splits added back from reader {}: {}", subtaskId, splits);
        for (SeqSplit s : splits) {
            unassigned.put(s.index(), s);
        }
        assignPending();
    }

    @Override
    public void addReader(int subtaskId) {
        LOG.info("Reader {} registered", subtaskId);
        assignPending();
    }

    private void assignPending() {
        if (unassigned.isEmpty()) {
            return;
        }
        int parallelism = context.currentParallelism();
        Set<Integer> registered = context.registeredReaders().keySet();
        Map<Integer, List<SeqSplit>> assignment = new HashMap<>();
        Iterator<SeqSplit> it = unassigned.values().iterator();
        while (it.hasNext()) {
            SeqSplit s = it.next();
            int owner = s.index() % parallelism;
            if (registered.contains(owner)) {
                assignment.computeIfAbsent(owner, k -> new ArrayList<>()).add(s);
                it.remove();
            }
        }
        if (!assignment.isEmpty()) {
            LOG.info("Assigning splits: {}", assignment);
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
    }

    @Override
    public SeqEnumeratorState snapshotState(long checkpointId) {
        return new SeqEnumeratorState(new ArrayList<>(unassigned.values()));
    }

    @Override
    public void close() {}
}

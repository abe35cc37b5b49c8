package io.jepsenflink.job;

import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Reader of {@link SeqSplit}s. Emits the records of its splits round-robin, throttled to
 * {@code rate * ownedSplits / numSplits} records per second (no splits, no records). Throttling
 * uses {@code NOTHING_AVAILABLE} plus an availability future completed by a timer thread, so the
 * task thread never spins or sleeps.
 *
 * <p>On {@link #snapshotState} it remembers the positions of its splits under the checkpoint id;
 * on {@link #notifyCheckpointComplete} it appends {@code "checkpointId splitId position\n"} per
 * split to its own commit log {@code <commit-log-dir>/source-<subtask>-<uuid>.log} and fsyncs.
 *
 * <p>All methods except the timer callback run on the task's mailbox thread.
 */
public final class SeqReader implements SourceReader<SeqRecord, SeqSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(SeqReader.class);

    /** Shortest timer delay, so a reader never wakes up more often than once per ms. */
    private static final long MIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Backlog cap after a stall (backpressure, GC, ...): at most this much time is caught up. */
    private static final long MAX_CATCH_UP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int numSplits;
    private final int keysPerSplit;
    private final double ratePerSecond;
    private final int subtask;
    private final DurableAppendLog commitLog;

    /** Owned splits: index -> position (records emitted so far), in assignment order. */
    private final LinkedHashMap<Integer, long[]> positions = new LinkedHashMap<>();
    /** Round-robin order over the owned splits. */
    private final List<long[]> order = new ArrayList<>();
    private final List<Integer> orderIndex = new ArrayList<>();
    private int next;

    /** checkpoint id -> (split index -> position) at snapshot time, awaiting completion. */
    private final TreeMap<Long, Map<Integer, Long>> pendingCommits = new TreeMap<>();

    // Throttle: records due = (now - baseNanos) * perReaderRate; emittedSinceBase counts emitted.
    private long baseNanos;
    private long emittedSinceBase;

    private ScheduledThreadPoolExecutor timer;
    private CompletableFuture<Void> available = CompletableFuture.completedFuture(null);

    public SeqReader(
            SourceReaderContext context,
            int numSplits,
            int keysPerSplit,
            double ratePerSecond,
            String commitLogDir) {
        this.numSplits = numSplits;
        this.keysPerSplit = keysPerSplit;
        this.ratePerSecond = ratePerSecond;
        this.subtask = context.getIndexOfSubtask();
        this.commitLog =
                new DurableAppendLog(
                        Paths.get(commitLogDir, "source-" + subtask + "-" + UUID.randomUUID() + ".log"));
    }

    @Override
    public void start() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jepsen-seq-source-timer-" + subtask);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        LOG.info("SeqReader {} started, commit log {}", subtask, commitLog.path());
    }

    @Override
    public InputStatus pollNext(ReaderOutput<SeqRecord> output) {
        if (order.isEmpty()) {
            if (available.isDone()) {
                available = new CompletableFuture<>(); // completed by addSplits
            }
            return InputStatus.NOTHING_AVAILABLE;
        }
        double readerRate = ratePerSecond * order.size() / numSplits; // records per second
        long now = System.nanoTime();
        long due = (long) ((now - baseNanos) * readerRate / 1e9);
        long cap = Math.max(1, (long) (readerRate * MAX_CATCH_UP_NANOS / 1e9));
        if (due - emittedSinceBase > cap) {
            emittedSinceBase = due - cap; // forget what was missed beyond the cap
        }
        if (due > emittedSinceBase) {
            int slot = next;
            next = (next + 1) % order.size();
            long[] pos = order.get(slot);
            int s = orderIndex.get(slot);
            long n = pos[0]++;
            emittedSinceBase++;
            output.collect(
                    new SeqRecord(
                            SeqSplit.keyOf(s, n, numSplits, keysPerSplit),
                            SeqSplit.seqOf(n, keysPerSplit),
                            s));
            if (due > emittedSinceBase) {
                return InputStatus.MORE_AVAILABLE;
            }
        }
        // Wake up when the next record is due.
        long nextDueNanos = baseNanos + (long) Math.ceil((emittedSinceBase + 1) * 1e9 / readerRate);
        long delay = Math.max(MIN_DELAY_NANOS, nextDueNanos - now);
        CompletableFuture<Void> f = new CompletableFuture<>();
        available = f;
        timer.schedule(() -> f.complete(null), delay, TimeUnit.NANOSECONDS);
        return InputStatus.NOTHING_AVAILABLE;
    }

    @Override
    public List<SeqSplit> snapshotState(long checkpointId) {
        List<SeqSplit> splits = new ArrayList<>(positions.size());
        Map<Integer, Long> snapshot = new TreeMap<>();
        for (Map.Entry<Integer, long[]> e : positions.entrySet()) {
            splits.add(new SeqSplit(e.getKey(), e.getValue()[0]));
            snapshot.put(e.getKey(), e.getValue()[0]);
        }
        pendingCommits.put(checkpointId, snapshot);
        return splits;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws IOException {
        Map<Integer, Long> snapshot = pendingCommits.get(checkpointId);
        pendingCommits.headMap(checkpointId, true).clear();
        if (snapshot == null || snapshot.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, Long> e : snapshot.entrySet()) {
            sb.append(checkpointId).append(' ').append(e.getKey()).append(' ').append(e.getValue())
                    .append('\n');
        }
        commitLog.append(sb.toString());
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        pendingCommits.remove(checkpointId);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<SeqSplit> splits) {
        LOG.info("SeqReader {} got splits {}", subtask, splits);
        for (SeqSplit s : splits) {
            if (s.index() >= numSplits) {
                throw new IllegalStateException(
                        "split " + s + " out of range for --splits " + numSplits);
            }
            if (positions.containsKey(s.index())) {
                throw new IllegalStateException("split " + s + " assigned twice to " + subtask);
            }
            positions.put(s.index(), new long[] {s.position()});
        }
        order.clear();
        orderIndex.clear();
        for (Map.Entry<Integer, long[]> e : positions.entrySet()) {
            orderIndex.add(e.getKey());
            order.add(e.getValue());
        }
        next = 0;
        // Restart the throttle for the new per-reader rate.
        baseNanos = System.nanoTime();
        emittedSinceBase = 0;
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        // Unbounded: never signalled.
    }

    /** Split indices owned right now (for tests/logging). */
    List<Integer> ownedSplits() {
        return Collections.unmodifiableList(orderIndex);
    }

    @Override
    public void close() throws Exception {
        if (timer != null) {
            timer.shutdownNow();
        }
        commitLog.close();
        LOG.info("SeqReader {} closed, positions {}", subtask, snapshotPositions());
    }

    private Map<Integer, Long> snapshotPositions() {
        Map<Integer, Long> m = new TreeMap<>();
        positions.forEach((k, v) -> m.put(k, v[0]));
        return m;
    }
}

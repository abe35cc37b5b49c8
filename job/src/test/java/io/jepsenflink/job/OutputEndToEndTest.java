package io.jepsenflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Runs the whole job on a local MiniCluster (parallelism 2, checkpoint every 500 ms) for a few
 * seconds with {@code --output-dir}, then cancels it or stops it with a savepoint, and checks the
 * output the way the harness's output checker does. The three tests run side by side (about 10 s
 * in all); each MiniCluster binds only random ports.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@Execution(ExecutionMode.CONCURRENT) // each test has its own MiniCluster; they mostly wait
class OutputEndToEndTest {
    private static final int SPLITS = 4;
    private static final int KEYS = 3;
    /** Minimum run time; then the test also waits for MIN_CHECKPOINTS complete checkpoints. */
    private static final long RUN_MILLIS = 3000;
    private static final int MIN_CHECKPOINTS = 3;
    private static final Pattern LINE = Pattern.compile("(0|[1-9][0-9]{0,18}) (0|[1-9][0-9]{0,18})");
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    /** FileSink's default finished part name (both lines): part-<uuid>-<partCounter>. */
    private static final Pattern FILE_SINK_PART = Pattern.compile("part-" + UUID + "-(\\d+)");
    /** FileSink's in-progress/pending file: .part-<uuid>-<partCounter>.inprogress.<uuid>. */
    private static final Pattern IN_PROGRESS =
            Pattern.compile("\\.(part-" + UUID + "-\\d+)\\.inprogress\\." + UUID);

    @TempDir Path tmp;

    private Path out;
    private Path commits;
    private Path alerts;

    private JobClient start(String sink) throws Exception {
        out = tmp.resolve("out");
        commits = tmp.resolve("commits");
        alerts = tmp.resolve("alerts");
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(RestOptions.BIND_PORT, "0"); // never the machine's 8081
        // Flink's RPC loader unpacks its jar into io.tmp.dirs (default: /tmp) and leaves it there:
        // keep such files under the build's target/ (not the test's @TempDir, which JUnit deletes
        // while a cancelled MiniCluster may still be writing to it).
        conf.set(CoreOptions.TMP_DIRS, FlinkTmpDir.get());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        env.enableCheckpointing(500);
        TestJob.build(env, JobArgs.parse(new String[] {
            "--splits", "" + SPLITS, "--keys-per-split", "" + KEYS, "--rate", "2000",
            "--commit-log-dir", commits.toString(), "--alert-dir", alerts.toString(),
            "--output-dir", out.toString(), "--sink", sink}));
        JobClient client = env.executeAsync("jepsen-e2e-" + sink);
        Thread.sleep(RUN_MILLIS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (completeCheckpoints().size() < MIN_CHECKPOINTS) {
            assertTrue(System.nanoTime() < deadline, "too few checkpoints in the commit logs");
            Thread.sleep(100);
        }
        assertEquals(JobStatus.RUNNING, client.getJobStatus().get());
        return client;
    }

    /**
     * Waits for the end of the job. (The per-job MiniCluster shuts down right after, so the job
     * status cannot be polled.) Returns the failure, or null if the job finished normally.
     */
    private static Throwable awaitEnd(JobClient client) throws Exception {
        try {
            client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private String stopWithSavepoint(JobClient client) throws Exception {
        String sp = client.stopWithSavepoint(
                        false, tmp.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        Throwable failure = awaitEnd(client);
        if (failure != null) {
            throw new AssertionError("job did not finish normally", failure);
        }
        return sp;
    }

    /** Per key, the seqs in the finished part files (each line checked; duplicates fail). */
    private static final class Output {
        final Map<Long, Set<Long>> seqs = new TreeMap<>();
        final List<String> finished = new ArrayList<>();
        final List<String> inProgress = new ArrayList<>();
        long records;
    }

    private Output readOutput(Pattern finished) throws IOException {
        Output o = new Output();
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.sorted().collect(Collectors.toList());
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            assertTrue(Files.isRegularFile(f), "no bucket directories expected: " + f);
            Matcher ip = IN_PROGRESS.matcher(name);
            if (ip.matches()) {
                assertTrue(finished.matcher(ip.group(1)).matches(), name);
                o.inProgress.add(name);
                continue;
            }
            assertTrue(finished.matcher(name).matches(), "unexpected " + name);
            o.finished.add(name);
            String text = new String(Files.readAllBytes(f), StandardCharsets.US_ASCII);
            assertTrue(text.isEmpty() || text.endsWith("\n"), "torn last line in " + name);
            Map<Long, Long> lastInFile = new HashMap<>();
            String[] lines = text.split("\n", -1); // the last element is the "" after the last '\n'
            for (int n = 1; n < lines.length; n++) {
                String line = lines[n - 1];
                Matcher m = LINE.matcher(line);
                assertTrue(m.matches(), name + ":" + n + " malformed '" + line + "'");
                long key = Long.parseLong(m.group(1));
                long seq = Long.parseLong(m.group(2));
                assertTrue(key < (long) SPLITS * KEYS, "unknown key " + line);
                Long prev = lastInFile.put(key, seq);
                assertTrue(prev == null || seq == prev + 1, name + ":" + n + " out of order");
                assertTrue(o.seqs.computeIfAbsent(key, k -> new HashSet<>()).add(seq),
                        "duplicate " + line + " (" + name + ":" + n + ")");
                o.records++;
            }
        }
        System.out.printf("output: %d finished part files (%d records), %d in progress, e.g. %s%n",
                o.finished.size(), o.records, o.inProgress.size(),
                o.finished.isEmpty() ? "-" : o.finished.get(o.finished.size() - 1));
        return o;
    }

    /**
     * Checkpoint id -> split positions, for the ids in the source commit logs with a line for
     * every split (the logs may be read while they are written: a line without '\n' is skipped).
     */
    private TreeMap<Long, Map<Integer, Long>> completeCheckpoints() throws IOException {
        TreeMap<Long, Map<Integer, Long>> byCheckpoint = new TreeMap<>();
        if (!Files.isDirectory(commits)) {
            return byCheckpoint;
        }
        try (Stream<Path> s = Files.list(commits)) {
            for (Path f : s.collect(Collectors.toList())) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.US_ASCII);
                String[] lines = text.split("\n", -1);
                for (int i = 0; i < lines.length - 1; i++) {
                    String[] p = lines[i].split(" ");
                    byCheckpoint.computeIfAbsent(Long.parseLong(p[0]), k -> new TreeMap<>())
                            .put(Integer.parseInt(p[1]), Long.parseLong(p[2]));
                }
            }
        }
        byCheckpoint.values().removeIf(m -> m.size() != SPLITS);
        return byCheckpoint;
    }

    /** Split positions of the highest checkpoint id with a line for every split. */
    private Map<Integer, Long> committedPositions() throws IOException {
        TreeMap<Long, Map<Integer, Long>> complete = completeCheckpoints();
        assertFalse(complete.isEmpty(), "no complete checkpoint in the commit logs");
        return complete.lastEntry().getValue();
    }

    /** Number of seqs of key {@code k} covered by split position {@code p}. */
    private static long committedBound(long k, long p) {
        long i = k / SPLITS;
        return p > i ? (p - i + KEYS - 1) / KEYS : 0;
    }

    private void assertNoAlerts() {
        assertFalse(Files.exists(alerts), "the in-job checker wrote alerts");
    }

    /** Every key's seqs are exactly 0..n-1 (no gaps); returns n per key. */
    private static Map<Long, Long> assertPrefixes(Output o) {
        Map<Long, Long> n = new TreeMap<>();
        for (Map.Entry<Long, Set<Long>> e : o.seqs.entrySet()) {
            long size = e.getValue().size();
            for (long s = 0; s < size; s++) {
                assertTrue(e.getValue().contains(s), "key " + e.getKey() + " misses seq " + s);
            }
            n.put(e.getKey(), size);
        }
        return n;
    }

    @Test
    void exactlyOnceStopWithSavepointCommitsExactlyTheSavepoint() throws Exception {
        JobClient client = start("exactly-once");
        assertNotNull(stopWithSavepoint(client));

        Output o = readOutput(FILE_SINK_PART);
        assertFalse(o.finished.isEmpty());
        // The synchronous savepoint rolled and committed every part; nothing came after it.
        assertTrue(o.inProgress.isEmpty(), o.inProgress.toString());
        Map<Long, Long> n = assertPrefixes(o);
        Map<Integer, Long> pos = committedPositions();
        for (long k = 0; k < (long) SPLITS * KEYS; k++) {
            long bound = committedBound(k, pos.get((int) (k % SPLITS)));
            assertTrue(bound > 0, "key " + k + " has nothing committed");
            assertEquals(bound, n.getOrDefault(k, 0L), "key " + k + ": output vs savepoint");
        }
        assertNoAlerts();
    }

    @Test
    void exactlyOnceCancelLeavesOnlyCommittedFinishedParts() throws Exception {
        JobClient client = start("exactly-once");
        client.cancel().get(60, TimeUnit.SECONDS);
        Throwable failure = awaitEnd(client);
        assertNotNull(failure, "a cancelled job has no normal result");

        Output o = readOutput(FILE_SINK_PART);
        assertFalse(o.finished.isEmpty(), "no finished part files after " + RUN_MILLIS + " ms");
        Map<Long, Long> n = assertPrefixes(o);
        assertEquals((long) SPLITS * KEYS, n.size(), "keys in the output: " + n.keySet());
        assertNoAlerts();
    }

    @Test
    void appendStopWithSavepoint() throws Exception {
        JobClient client = start("append");
        stopWithSavepoint(client);

        Output o = readOutput(AppendSinkWriterTest.APPEND_PART);
        assertTrue(o.inProgress.isEmpty(), o.inProgress.toString());
        assertTrue(o.finished.size() >= 1 && o.finished.size() <= 2, o.finished.toString());
        for (String f : o.finished) {
            assertTrue(f.endsWith("-0"), f);
        }
        Map<Long, Long> n = assertPrefixes(o);
        Map<Integer, Long> pos = committedPositions();
        for (long k = 0; k < (long) SPLITS * KEYS; k++) {
            long bound = committedBound(k, pos.get((int) (k % SPLITS)));
            assertTrue(n.getOrDefault(k, 0L) >= bound, "key " + k + " lost records");
        }
        assertNoAlerts();
    }
}

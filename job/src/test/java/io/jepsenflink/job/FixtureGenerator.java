package io.jepsenflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generates the checked-in fixture of REAL FileSink output that the C++ output checker's unit
 * test reads (src/checker/testdata/filesink-&lt;version&gt;/, see its README.md). Run on demand
 * only; a normal build skips it (it needs {@code -Djf.fixture.dir}, and its name does not match
 * surefire's default includes):
 *
 * <pre>
 * cd job &amp;&amp; mvn -B -q -P flink-2 test -Dtest=FixtureGenerator -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djf.fixture.dir=$PWD/../src/checker/testdata/filesink-2.2.1
 * </pre>
 *
 * <p>It runs the real test job (TestJob.build, FileSink, parallelism 2, checkpoint every 500 ms,
 * fixed-delay restarts, full-graph failover) on a local MiniCluster, next to a small, separate
 * "injector" pipeline (sequence source -> map -> discarding sink, parallelism 1) whose map
 * function is steered through static fields (the MiniCluster runs in this JVM):
 *
 * <ol>
 *   <li>after some checkpoints, mid-interval, the map throws once: the whole job fails over and
 *       restarts from the last completed checkpoint; the FileSink's in-progress files of the
 *       failed attempt stay behind as hidden orphans;
 *   <li>after some more checkpoints the map blocks its task for a few seconds: the next
 *       checkpoint's barrier is not processed by the injector task, so the checkpoint stays in
 *       flight while the FileSink writers have already closed their part files at that barrier
 *       (pending: closed, still hidden, not committed); once a pending file is seen the job is
 *       cancelled, so pending and in-progress files remain.
 * </ol>
 *
 * <p>Then it copies the output directory, the commit logs (and alerts, if any) into
 * {@code jf.fixture.dir}/{output,commits,alerts} and writes {@code files.tsv} (every file, its
 * kind as observed here, bytes, lines) and {@code expected.json} (what the C++ checker should
 * report, computed here independently of it).
 */
@EnabledIfSystemProperty(named = "jf.fixture.dir", matches = ".+")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FixtureGenerator {
    private static final int SPLITS = 4;
    private static final int KEYS = 2;
    private static final String RATE = "200";
    private static final int PARALLELISM = 2;
    private static final long CHECKPOINT_MILLIS = 500;
    private static final long RESTART_DELAY_MILLIS = 2000;
    private static final long STALL_MILLIS = 6000;

    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final Pattern FINISHED = Pattern.compile("part-(" + UUID + ")-(\\d+)");
    private static final Pattern HIDDEN =
            Pattern.compile("\\.part-(" + UUID + ")-(\\d+)\\.inprogress\\." + UUID);

    /** The injector's map throws once when this is set. */
    static final AtomicBoolean FAIL = new AtomicBoolean();
    /** Failures the injector has thrown. */
    static final AtomicInteger FAILURES = new AtomicInteger();
    /** The injector's next record blocks the task this long (then 0 again). */
    static final AtomicLong STALL = new AtomicLong();

    /** Throttles the injector pipeline to ~100 records/s and injects the failure and the stall. */
    static final class Injector implements MapFunction<Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long map(Long v) throws Exception {
            if (FAIL.compareAndSet(true, false)) {
                FAILURES.incrementAndGet();
                throw new RuntimeException("fixture generator: injected failure (once)");
            }
            long stall = STALL.getAndSet(0);
            Thread.sleep(stall > 0 ? stall : 10);
            return v;
        }
    }

    @TempDir Path tmp;
    private Path out;
    private Path commits;
    private Path alerts;

    private static void log(String fmt, Object... args) {
        System.out.printf("[fixture] " + fmt + "%n", args);
    }

    /** Regular files below OUT (relative path -> size); also notes directories. */
    private Map<String, Long> listOutput(Set<String> dirs) {
        Map<String, Long> files = new TreeMap<>();
        if (!Files.isDirectory(out)) {
            return files;
        }
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.collect(Collectors.toList())) {
                if (p.equals(out)) {
                    continue;
                }
                String rel = out.relativize(p).toString();
                try {
                    if (Files.isDirectory(p)) {
                        dirs.add(rel);
                    } else if (Files.isRegularFile(p)) {
                        files.put(rel, Files.size(p));
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // renamed (committed) while listed: the next listing sees the new name
                }
            }
        } catch (IOException | UncheckedIOException e) {
            log("listing failed (%s), retrying", e);
            return listOutput(dirs);
        }
        return files;
    }

    private Map<String, Long> listOutput() {
        return listOutput(new TreeSet<>());
    }

    /** The writer uuid of a finished or hidden FileSink part file, or null. */
    private static String uuidOf(String name) {
        Matcher m = HIDDEN.matcher(name);
        if (m.matches()) {
            return m.group(1);
        }
        m = FINISHED.matcher(name);
        return m.matches() ? m.group(1) : null;
    }

    /** Checkpoint id -> split -> position, for ids with a line for every split ('\n'-terminated). */
    private TreeMap<Long, Map<Integer, Long>> completeCheckpoints() throws IOException {
        TreeMap<Long, Map<Integer, Long>> byId = new TreeMap<>();
        if (!Files.isDirectory(commits)) {
            return byId;
        }
        try (Stream<Path> s = Files.list(commits)) {
            for (Path f : s.collect(Collectors.toList())) {
                String[] lines = read(f).split("\n", -1);
                for (int i = 0; i < lines.length - 1; i++) {
                    String[] p = lines[i].split(" ");
                    byId.computeIfAbsent(Long.parseLong(p[0]), k -> new TreeMap<>())
                            .put(Integer.parseInt(p[1]), Long.parseLong(p[2]));
                }
            }
        }
        byId.values().removeIf(m -> m.size() != SPLITS);
        return byId;
    }

    private long lastComplete() throws IOException {
        TreeMap<Long, Map<Integer, Long>> c = completeCheckpoints();
        return c.isEmpty() ? 0 : c.lastKey();
    }

    private long commitLogFiles() throws IOException {
        if (!Files.isDirectory(commits)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(commits)) {
            return s.count();
        }
    }

    /** Waits until the commit logs show a complete checkpoint with an id above {@code id}. */
    private long awaitCompleteAbove(long id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last;
        while ((last = lastComplete()) <= id) {
            assertTrue(System.nanoTime() < deadline, "no checkpoint after " + id);
            Thread.sleep(10);
        }
        return last;
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII);
    }

    @Test
    void generate() throws Exception {
        Path dest = Paths.get(System.getProperty("jf.fixture.dir")).toAbsolutePath();
        out = tmp.resolve("output");
        commits = tmp.resolve("commits");
        alerts = tmp.resolve("alerts");

        Configuration conf = new Configuration();
        // Flink's RPC loader unpacks its jar into io.tmp.dirs (default: /tmp) and leaves it there:
        // keep such files under the build's target/ (not the test's @TempDir, which JUnit deletes
        // while a cancelled MiniCluster may still be writing to it).
        conf.set(CoreOptions.TMP_DIRS, FlinkTmpDir.get());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                java.time.Duration.ofMillis(RESTART_DELAY_MILLIS));
        // The injector is a separate pipelined region; "full" makes its failure restart the job.
        conf.set(JobManagerOptions.EXECUTION_FAILOVER_STRATEGY, "full");
        conf.set(RestOptions.BIND_PORT, "0"); // never the machine's 8081
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
        env.enableCheckpointing(CHECKPOINT_MILLIS);
        String[] jobArgs = {
            "--splits", "" + SPLITS, "--keys-per-split", "" + KEYS, "--rate", RATE,
            "--commit-log-dir", commits.toString(), "--alert-dir", alerts.toString(),
            "--output-dir", out.toString()};
        TestJob.build(env, JobArgs.parse(jobArgs));
        env.fromSequence(0, Long.MAX_VALUE).setParallelism(1).name("fixture-injector-source")
                .map(new Injector()).setParallelism(1).name("fixture-injector")
                .sinkTo(new DiscardingSink<>()).setParallelism(1).name("fixture-injector-sink");
        JobClient client = env.executeAsync("jepsen-flink-fixture");
        List<String> events = new ArrayList<>();

        // 1. Some checkpoints of the first attempt.
        long id = awaitCompleteAbove(2);
        log("first attempt: checkpoint %d complete", id);
        events.add("first attempt: checkpoints up to " + id + " complete in the commit logs");

        // 2. One failure, mid-interval (150 ms after a checkpoint was notified).
        id = awaitCompleteAbove(id);
        Thread.sleep(150);
        FAIL.set(true);
        while (FAILURES.get() == 0) {
            Thread.sleep(5);
        }
        long failedAfter = lastComplete();
        Thread.sleep(500); // the old attempt is cancelled; the restart waits RESTART_DELAY_MILLIS
        Set<String> oldUuids = new TreeSet<>();
        for (String name : listOutput().keySet()) {
            String u = uuidOf(name);
            if (u != null) {
                oldUuids.add(u);
            }
        }
        log("injected failure after checkpoint %d; writers of the failed attempt: %s",
                failedAfter, oldUuids);
        events.add("failure injected (injector map throws) after checkpoint " + failedAfter
                + " was notified; writer uuids of the failed attempt: " + oldUuids);

        // 3. The restarted attempt: its readers write new commit logs; some checkpoints.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (commitLogFiles() < 2L * PARALLELISM) {
            assertTrue(System.nanoTime() < deadline, "the job did not restart");
            Thread.sleep(20);
        }
        id = awaitCompleteAbove(failedAfter + 2);
        assertEquals(JobStatus.RUNNING, client.getJobStatus().get());
        events.add("restarted attempt: checkpoints up to " + id + " complete");
        log("restarted; checkpoint %d complete", id);

        // 4. Stall the injector so that a checkpoint stays in flight; catch a pending file.
        Set<String> pending = new TreeSet<>();
        for (int attempt = 1; attempt <= 3 && pending.isEmpty(); attempt++) {
            id = awaitCompleteAbove(lastComplete());
            long stallStart = System.nanoTime();
            STALL.set(STALL_MILLIS);
            Map<String, Long> a = null;
            long until = stallStart + TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS / 2);
            while (System.nanoTime() < until) {
                Map<String, Long> l = listOutput();
                Map<String, Integer> hiddenPerNewWriter = new TreeMap<>();
                for (String name : l.keySet()) {
                    Matcher m = HIDDEN.matcher(name);
                    if (m.matches() && !oldUuids.contains(m.group(1))) {
                        hiddenPerNewWriter.merge(m.group(1), 1, Integer::sum);
                    }
                }
                if (!hiddenPerNewWriter.isEmpty()
                        && hiddenPerNewWriter.values().stream().allMatch(n -> n >= 2)) {
                    a = l;
                    break;
                }
                Thread.sleep(20);
            }
            if (a != null) {
                Thread.sleep(300);
                Map<String, Long> b = listOutput();
                // Pending: a hidden file of a live writer with a later hidden sibling (the writer
                // rolled at a barrier), not growing, not committed.
                for (String name : a.keySet()) {
                    Matcher m = HIDDEN.matcher(name);
                    if (!m.matches() || oldUuids.contains(m.group(1))) {
                        continue;
                    }
                    long counter = Long.parseLong(m.group(2));
                    boolean later = a.keySet().stream().anyMatch(o -> {
                        Matcher n = HIDDEN.matcher(o);
                        return n.matches() && n.group(1).equals(m.group(1))
                                && Long.parseLong(n.group(2)) > counter;
                    });
                    if (later && a.get(name).equals(b.get(name))) {
                        pending.add(name);
                    }
                }
                log("stall %d: pending %s", attempt, pending);
            }
            if (pending.isEmpty()) {
                log("stall %d: no pending file seen; waiting for the stall to end", attempt);
                events.add("stall " + attempt + ": no pending file caught");
                Thread.sleep(STALL_MILLIS + 1000);
            } else {
                events.add("stall " + attempt + ": the injector blocks its task " + STALL_MILLIS
                        + " ms after checkpoint " + id + " was notified; the next checkpoint is in"
                        + " flight, pending files seen: " + pending + "; job cancelled");
            }
        }
        long committedBeforeCancel = lastComplete();

        // 5. Cancel: in-progress and pending files stay hidden.
        client.cancel().get(60, TimeUnit.SECONDS);
        try {
            client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException expected) {
            // a cancelled job has no normal result
        }
        assertEquals(1, FAILURES.get());

        // 6. Classify, count, copy.
        Set<String> dirs = new TreeSet<>();
        Map<String, Long> files = listOutput(dirs);
        TreeMap<Long, Map<Integer, Long>> complete = completeCheckpoints();
        assertFalse(complete.isEmpty());
        long committed = complete.lastKey();
        assertEquals(committedBeforeCancel, committed, "a checkpoint completed during the cancel");
        long committedRecords = complete.lastEntry().getValue().values().stream()
                .mapToLong(Long::longValue).sum();

        StringBuilder tsv = new StringBuilder("# kind\tfile\tbytes\tlines\tends_with_newline\n");
        Map<String, Integer> kindFiles = new TreeMap<>();
        Map<String, Long> kindLines = new TreeMap<>();
        long finishedFiles = 0;
        long finishedRecords = 0;
        long hiddenFiles = 0;
        long hiddenLines = 0;
        long otherFiles = 0;
        for (Map.Entry<String, Long> e : files.entrySet()) {
            String name = e.getKey();
            String text = read(out.resolve(name));
            long lines = text.chars().filter(c -> c == '\n').count();
            String base = Paths.get(name).getFileName().toString();
            String kind;
            Matcher h = HIDDEN.matcher(base);
            if (FINISHED.matcher(base).matches()) {
                kind = "finished";
                finishedFiles++;
                finishedRecords += lines;
            } else if (h.matches()) {
                kind = oldUuids.contains(h.group(1)) ? "orphaned"
                        : pending.contains(name) ? "pending" : "in-progress";
                hiddenFiles++;
                hiddenLines += lines;
            } else {
                kind = "other";
                otherFiles++;
            }
            kindFiles.merge(kind, 1, Integer::sum);
            kindLines.merge(kind, lines, Long::sum);
            tsv.append(String.format("%s\t%s\t%d\t%d\t%s%n", kind, name, e.getValue(), lines,
                    text.isEmpty() ? "empty" : text.endsWith("\n") ? "yes" : "NO"));
        }
        for (String p : pending) {
            assertTrue(files.containsKey(p), "pending file " + p + " was committed after all");
        }
        long commitLogFiles = commitLogFiles();
        long commitLogLines = 0;
        try (Stream<Path> s = Files.list(commits)) {
            for (Path f : s.collect(Collectors.toList())) {
                commitLogLines += read(f).chars().filter(c -> c == '\n').count();
            }
        }
        long alertFiles = 0;
        if (Files.isDirectory(alerts)) {
            try (Stream<Path> s = Files.list(alerts)) {
                alertFiles = s.count();
            }
        }
        log("files by kind: %s, lines by kind: %s, directories: %s", kindFiles, kindLines, dirs);
        log("committed checkpoint %d covers %d records; finished files hold %d", committed,
                committedRecords, finishedRecords);

        // Copy into the fixture directory (replacing what the generator wrote there before).
        Files.createDirectories(dest);
        for (String sub : new String[] {"output", "commits", "alerts"}) {
            deleteTree(dest.resolve(sub));
        }
        copyTree(out, dest.resolve("output"));
        copyTree(commits, dest.resolve("commits"));
        if (alertFiles > 0) {
            copyTree(alerts, dest.resolve("alerts"));
        }
        Files.write(dest.resolve("files.tsv"), tsv.toString().getBytes(StandardCharsets.US_ASCII));
        String json = String.format(
                "{%n"
                        + "  \"flink_version\": \"%s\",%n"
                        + "  \"splits\": %d,%n"
                        + "  \"keys_per_split\": %d,%n"
                        + "  \"valid\": true,%n"
                        + "  \"anomalies\": {},%n"
                        + "  \"finished_files\": %d,%n"
                        + "  \"finished_records\": %d,%n"
                        + "  \"in_progress_files\": %d,%n"
                        + "  \"in_progress_records\": %d,%n"
                        + "  \"other_files\": %d,%n"
                        + "  \"committed_checkpoint\": %d,%n"
                        + "  \"highest_checkpoint\": %d,%n"
                        + "  \"committed_records\": %d,%n"
                        + "  \"commit_log_files\": %d,%n"
                        + "  \"commit_log_lines\": %d,%n"
                        + "  \"alert_files\": %d,%n"
                        + "  \"hidden_files_by_kind\": {\"orphaned\": %d, \"pending\": %d, \"in-progress\": %d}%n"
                        + "}%n",
                EnvironmentInformation.getVersion(), SPLITS, KEYS, finishedFiles, finishedRecords,
                hiddenFiles, hiddenLines, otherFiles, committed, highestId(), committedRecords,
                commitLogFiles, commitLogLines, alertFiles, kindFiles.getOrDefault("orphaned", 0),
                kindFiles.getOrDefault("pending", 0), kindFiles.getOrDefault("in-progress", 0));
        Files.write(dest.resolve("expected.json"), json.getBytes(StandardCharsets.US_ASCII));
        events.add("final: " + kindFiles + " files, " + kindLines + " lines; directories: " + dirs);
        for (String e : events) {
            log("event: %s", e);
        }
        Files.write(dest.resolve("generator.log"),
                (String.join("\n", events) + "\n").getBytes(StandardCharsets.US_ASCII));
        log("wrote %s", dest);
    }

    /** The highest checkpoint id in the commit logs, complete or not. */
    private long highestId() throws IOException {
        long max = 0;
        try (Stream<Path> s = Files.list(commits)) {
            for (Path f : s.collect(Collectors.toList())) {
                for (String line : read(f).split("\n")) {
                    if (!line.isEmpty()) {
                        max = Math.max(max, Long.parseLong(line.split(" ")[0]));
                    }
                }
            }
        }
        return max;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
            for (Path p : all) {
                Files.delete(p);
            }
        }
    }
}

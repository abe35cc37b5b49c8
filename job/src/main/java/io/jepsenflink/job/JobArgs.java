package io.jepsenflink.job;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Command line of {@link TestJob}: {@code --name value} pairs, parsed by hand because
 * {@code ParameterTool} lives in different packages in Flink 1.20 and 2.x.
 */
public final class JobArgs {
    public static final String USAGE =
            "usage: TestJob --commit-log-dir DIR --alert-dir DIR [--splits 12]"
                    + " [--keys-per-split 4] [--rate 100] [--job-name jepsen-flink-test-job]"
                    + " [--output-dir DIR [--sink exactly-once|append]]";

    private static final Set<String> KNOWN =
            Set.of("splits", "keys-per-split", "rate", "commit-log-dir", "alert-dir", "job-name",
                    "output-dir", "sink");

    /** The output sink selected by {@code --sink} (used only with {@code --output-dir}). */
    public enum SinkMode {
        /** Flink's FileSink: part files are committed with the checkpoints. */
        EXACTLY_ONCE("exactly-once"),
        /** {@code AppendSink}: plain appends, no commit protocol (a negative control). */
        APPEND("append");

        public final String argValue;

        SinkMode(String argValue) {
            this.argValue = argValue;
        }

        static SinkMode parse(String v) {
            for (SinkMode m : values()) {
                if (m.argValue.equals(v)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(
                    "--sink must be exactly-once or append, got '" + v + "'\n" + USAGE);
        }
    }

    public final int splits;
    public final int keysPerSplit;
    public final double rate;
    public final String commitLogDir;
    public final String alertDir;
    public final String jobName;
    /** {@code --output-dir}: a Flink path (local or {@code hdfs://...}), or null (no output). */
    public final String outputDir;
    /** {@code --sink}; {@link SinkMode#EXACTLY_ONCE} by default, ignored without an output dir. */
    public final SinkMode sink;

    private JobArgs(Map<String, String> m) {
        splits = positiveInt(m, "splits", 12);
        keysPerSplit = positiveInt(m, "keys-per-split", 4);
        rate = positiveDouble(m, "rate", 100);
        commitLogDir = required(m, "commit-log-dir");
        alertDir = required(m, "alert-dir");
        jobName = m.getOrDefault("job-name", "jepsen-flink-test-job");
        outputDir = optionalNonEmpty(m, "output-dir");
        String s = m.get("sink");
        sink = s == null ? SinkMode.EXACTLY_ONCE : SinkMode.parse(s);
    }

    public static JobArgs parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name;
            String value;
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
            }
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                name = a.substring(2);
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for --" + name + "\n" + USAGE);
                }
                value = args[++i];
            }
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "\n" + USAGE);
            }
            m.put(name, value);
        }
        return new JobArgs(m);
    }

    private static String required(Map<String, String> m, String name) {
        String v = m.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " is required\n" + USAGE);
        }
        return v;
    }

    private static String optionalNonEmpty(Map<String, String> m, String name) {
        String v = m.get(name);
        if (v != null && v.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " must not be empty\n" + USAGE);
        }
        return v;
    }

    private static int positiveInt(Map<String, String> m, String name, int dflt) {
        String v = m.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--" + name + " must be a positive integer, got " + v);
    }

    private static double positiveDouble(Map<String, String> m, String name, double dflt) {
        String v = m.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d > 0 && !Double.isInfinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--" + name + " must be a positive number, got " + v);
    }

    @Override
    public String toString() {
        return "splits=" + splits + " keys-per-split=" + keysPerSplit + " rate=" + rate
                + " commit-log-dir=" + commitLogDir + " alert-dir=" + alertDir
                + " job-name=" + jobName
                + (outputDir == null ? " output-dir=(none)"
                        : " output-dir=" + outputDir + " sink=" + sink.argValue);
    }
}

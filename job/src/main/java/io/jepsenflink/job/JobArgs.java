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
                    + " [--keys-per-split 4] [--rate 100] [--job-name jepsen-flink-test-job]";

    private static final Set<String> KNOWN =
            Set.of("splits", "keys-per-split", "rate", "commit-log-dir", "alert-dir", "job-name");

    public final int splits;
    public final int keysPerSplit;
    public final double rate;
    public final String commitLogDir;
    public final String alertDir;
    public final String jobName;

    private JobArgs(Map<String, String> m) {
        splits = positiveInt(m, "splits", 12);
        keysPerSplit = positiveInt(m, "keys-per-split", 4);
        rate = positiveDouble(m, "rate", 100);
        commitLogDir = required(m, "commit-log-dir");
        alertDir = required(m, "alert-dir");
        jobName = m.getOrDefault("job-name", "jepsen-flink-test-job");
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
                + " job-name=" + jobName;
    }
}

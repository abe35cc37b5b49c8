package io.jepsenflink.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** io.tmp.dirs for the tests' MiniClusters: target/flink-tmp, so nothing is left in /tmp. */
final class FlinkTmpDir {
    private FlinkTmpDir() {}

    static String get() {
        Path dir = Paths.get("target", "flink-tmp").toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.toString();
    }
}

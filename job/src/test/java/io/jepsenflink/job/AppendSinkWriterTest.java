package io.jepsenflink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendSinkWriterTest {
    /**
     * The append sink's file name, part-<uuid>-<subtaskIndex>-0: what the harness's output checker
     * parses as a finished part file (part-<uuid>-<subtask>-<counter>).
     */
    static final Pattern APPEND_PART =
            Pattern.compile("part-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-(\\d+)-(0)");

    @TempDir Path tmp;

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII);
    }

    @Test
    void nothingWrittenNoFile() throws Exception {
        Path out = tmp.resolve("out");
        AppendSinkWriter w = new AppendSinkWriter(out.toString(), 0);
        w.flush(false);
        w.close();
        assertFalse(Files.exists(out));
    }

    @Test
    void appendsLinesToItsOwnVisiblePartFile() throws Exception {
        Path out = tmp.resolve("out");
        AppendSinkWriter w = new AppendSinkWriter(out.toString(), 3);
        w.write(new SeqRecord(3, 0, 3), null);
        w.write(new SeqRecord(15, 0, 3), null);
        List<Path> fs = files(out);
        assertEquals(1, fs.size(), "created on first write: " + fs);
        Path f = fs.get(0);
        var m = APPEND_PART.matcher(f.getFileName().toString());
        assertTrue(m.matches(), f.toString());
        assertEquals("3", m.group(1));
        assertEquals("0", m.group(2));
        assertEquals(f.getFileName().toString(), w.file().getName());
        assertEquals("", read(f), "buffered until flush");

        w.flush(false); // what Flink does before a checkpoint barrier
        assertEquals("3 0\n15 0\n", read(f));

        w.write(new SeqRecord(3, 1, 3), null);
        w.close();
        assertEquals("3 0\n15 0\n3 1\n", read(f));
        assertEquals(3, w.records());
    }

    @Test
    void largeVolumeAndSeparateFilesPerAttempt() throws Exception {
        Path out = tmp.resolve("out");
        StringBuilder expected = new StringBuilder();
        AppendSinkWriter w = new AppendSinkWriter("file://" + out.toAbsolutePath(), 1);
        for (long seq = 0; seq < 20_000; seq++) { // several 64 KiB buffers
            w.write(new SeqRecord(1, seq, 1), null);
            expected.append("1 ").append(seq).append('\n');
            if (seq == 7777) {
                w.flush(false);
            }
        }
        w.close();
        // A second attempt of the same subtask gets its own file and never touches the first.
        AppendSinkWriter again = new AppendSinkWriter(out.toString(), 1);
        again.write(new SeqRecord(1, 19_999, 1), null);
        again.close();

        List<Path> fs = files(out);
        assertEquals(2, fs.size(), fs.toString());
        assertNotEquals(w.file().getName(), again.file().getName());
        assertEquals(expected.toString(), read(out.resolve(w.file().getName())));
        assertEquals("1 19999\n", read(out.resolve(again.file().getName())));
    }
}

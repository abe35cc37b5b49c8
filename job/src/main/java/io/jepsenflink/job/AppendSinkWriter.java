package io.jepsenflink.job;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.UUID;

/**
 * Writer of the deliberately NON-transactional {@code AppendSink} (a negative control for the
 * harness's exactly-once checker). Shared by both Flink lines' {@code AppendSink}.
 *
 * <p>Each writer instance (one subtask attempt) appends {@code "<key> <seq>\n"} lines to its own
 * visible file {@code <dir>/part-<random-uuid>-<subtaskIndex>-0}, named like a finished FileSink
 * part file. The file is created ({@link FileSystem.WriteMode#NO_OVERWRITE}) on the first
 * record. Lines are buffered in memory and handed to the file system on every {@link #flush}
 * (Flink calls it before each checkpoint barrier and at end of input) and on {@link #close}.
 * There is no commit protocol and no state: after a restore, every record since the restored
 * checkpoint is written again (by a new writer, to a new file), so the output has duplicates.
 */
public final class AppendSinkWriter implements SinkWriter<SeqRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(AppendSinkWriter.class);

    static final int BUFFER_BYTES = 64 * 1024;

    private final int subtask;
    private final Path file;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private int len;
    private FSDataOutputStream out;
    private long records;

    public AppendSinkWriter(String dir, int subtask) {
        this.subtask = subtask;
        this.file = new Path(new Path(dir), "part-" + UUID.randomUUID() + "-" + subtask + "-0");
    }

    /** The file this writer appends to (created on the first record). */
    public Path file() {
        return file;
    }

    public long records() {
        return records;
    }

    @Override
    public void write(SeqRecord element, Context context) throws IOException {
        if (out == null) {
            out = file.getFileSystem().create(file, FileSystem.WriteMode.NO_OVERWRITE);
            LOG.info("AppendSinkWriter {} writing to {}", subtask, file);
        }
        if (len + SeqLineEncoder.MAX_LINE_BYTES > buf.length) {
            drain();
        }
        len = SeqLineEncoder.encode(element.key, element.seq, buf, len);
        records++;
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        if (out != null) {
            drain();
            out.flush();
        }
    }

    private void drain() throws IOException {
        if (len > 0) {
            out.write(buf, 0, len);
            len = 0;
        }
    }

    @Override
    public void close() throws IOException {
        if (out == null) {
            return;
        }
        try {
            drain();
            out.flush();
        } finally {
            out.close();
            out = null;
            LOG.info("AppendSinkWriter {} closed {} after {} records", subtask, file, records);
        }
    }
}

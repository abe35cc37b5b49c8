package io.jepsenflink.job;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An append-only text file owned by exactly one writer. Every {@link #append} writes whole lines
 * and fsyncs before returning. The file (and its directory entry) is created on first append.
 */
final class DurableAppendLog implements Closeable {
    private final Path path;
    private FileChannel channel;

    DurableAppendLog(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** Appends {@code text} (one or more complete lines) and fsyncs the file. */
    void append(String text) throws IOException {
        if (channel == null) {
            open();
        }
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(true);
    }

    private void open() throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        channel =
                FileChannel.open(
                        path,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
        channel.force(true);
        // Make the new directory entry durable too (best effort; works on Linux).
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // ignore: not all file systems allow fsync on a directory
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            try {
                channel.close();
            } finally {
                channel = null;
            }
        }
    }
}

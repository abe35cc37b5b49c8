package io.jepsenflink.job;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Version 1: {@code int index, long position}, big-endian (12 bytes). */
public final class SeqSplitSerializer implements SimpleVersionedSerializer<SeqSplit> {
    public static final SeqSplitSerializer INSTANCE = new SeqSplitSerializer();
    static final int VERSION = 1;
    static final int SIZE = Integer.BYTES + Long.BYTES;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(SeqSplit split) {
        return ByteBuffer.allocate(SIZE).putInt(split.index()).putLong(split.position()).array();
    }

    @Override
    public SeqSplit deserialize(int version, byte[] bytes) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown SeqSplit serializer version " + version);
        }
        if (bytes.length != SIZE) {
            throw new IOException("bad SeqSplit length " + bytes.length);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new SeqSplit(b.getInt(), b.getLong());
    }
}

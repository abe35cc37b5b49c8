package io.jepsenflink.job;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Version 1: {@code int count}, then {@code count} times {@code (int index, long position)}. */
public final class SeqEnumeratorStateSerializer
        implements SimpleVersionedSerializer<SeqEnumeratorState> {
    public static final SeqEnumeratorStateSerializer INSTANCE = new SeqEnumeratorStateSerializer();
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(SeqEnumeratorState state) {
        List<SeqSplit> splits = state.unassigned();
        ByteBuffer b = ByteBuffer.allocate(Integer.BYTES + splits.size() * SeqSplitSerializer.SIZE);
        b.putInt(splits.size());
        for (SeqSplit s : splits) {
            b.putInt(s.index()).putLong(s.position());
        }
        return b.array();
    }

    @Override
    public SeqEnumeratorState deserialize(int version, byte[] bytes) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown SeqEnumeratorState serializer version " + version);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int n = b.getInt();
        if (n < 0 || bytes.length != Integer.BYTES + n * SeqSplitSerializer.SIZE) {
            throw new IOException("bad SeqEnumeratorState: count " + n + ", length " + bytes.length);
        }
        List<SeqSplit> splits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            splits.add(new SeqSplit(b.getInt(), b.getLong()));
        }
        return new SeqEnumeratorState(splits);
    }
}

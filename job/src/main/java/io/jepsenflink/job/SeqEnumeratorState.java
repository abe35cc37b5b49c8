package io.jepsenflink.job;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Enumerator checkpoint: the splits not currently assigned to any reader (with positions). */
public final class SeqEnumeratorState {
    private final List<SeqSplit> unassigned;

    public SeqEnumeratorState(List<SeqSplit> unassigned) {
        this.unassigned = Collections.unmodifiableList(new ArrayList<>(unassigned));
    }

    public List<SeqSplit> unassigned() {
        return unassigned;
    }

    @Override
    public String toString() {
        return "SeqEnumeratorState{unassigned=" + unassigned + "}";
    }
}

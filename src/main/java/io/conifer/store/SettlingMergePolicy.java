package io.conifer.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.MergeTrigger;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.TieredMergePolicy;

/**
 * Tiered merging while writes come in, plus a settle merge once they stop ({@link Settler} asks for it
 * with an explicit {@code maybeMerge}). An HNSW search costs nearly as much in a small segment as in a
 * big one, so an idle index should be searched as few segments as possible; but rewriting the big
 * segment after every small change would make every incremental backup a full one. The settled layout
 * therefore keeps a segment only if it is at least {@link #KEEP_RATIO} times all smaller segments
 * together, and merges the rest into one: a bulk load ends as one segment, while the small segments of
 * later changes merge among themselves until together they reach a fifth of the big one. While writes
 * come in and queries search the index, the same merge runs as soon as more than {@link #MAX_UNSETTLED}
 * such segments exist; while nobody reads, merging waits for the settle (up to {@link #MAX_UNREAD_SEGMENTS}).
 */
final class SettlingMergePolicy extends FilterMergePolicy {
    static final double KEEP_RATIO = 5;
    /**
     * Segments outside the settled layout that writes may leave for queries to search: each refresh
     * under writes flushes one, and HNSW searches each with the full ef, so more merge eagerly among
     * themselves (the big settled segments untouched) rather than wait for tiered merging's ten. One:
     * the mixed benchmark (16 query clients, 4 unthrottled writers) searched 7.5-7.9 segments per query
     * with it against 10.5-11.0 with three (M1 0.16-0.18 against 0.14-0.15); the extra merging is
     * charged to writes by the write governor, not to queries (docs/BENCHMARKS.md).
     */
    static final int MAX_UNSETTLED = 1;
    /**
     * Segments a write stream nobody reads may leave before tiered merging starts. Merges under writes
     * serve queries only, and the settle merge redoes their work (it joins the HNSW graphs again), so
     * a bulk load leaves its flushed segments to it; a stream that never pauses stays bounded.
     */
    static final int MAX_UNREAD_SEGMENTS = 100;
    private final long maxSegmentBytes;
    private final BooleanSupplier read;

    /** {@code read}: whether queries are searching the index now, so fewer segments would serve them. */
    SettlingMergePolicy(TieredMergePolicy writes, BooleanSupplier read) {
        super(writes);
        this.maxSegmentBytes = (long) (writes.getMaxMergedSegmentMB() * 1024 * 1024);
        this.read = read;
    }

    @Override
    public MergeSpecification findMerges(MergeTrigger trigger, SegmentInfos infos, MergeContext context) throws IOException {
        if (trigger != MergeTrigger.EXPLICIT && !read.getAsBoolean()) {
            return infos.size() > MAX_UNREAD_SEGMENTS ? super.findMerges(trigger, infos, context) : null;
        }
        if (trigger == MergeTrigger.EXPLICIT) {
            // The settle merge comes first: a tiered merge would join only some of a bulk load's segments,
            // whose graphs the settle merge would then join again, and could leave a small segment
            // beside the big one that every query searches too.
            if (!context.getMergingSegments().isEmpty()) return null;
            MergeSpecification settle = unsettled(infos, context, 2);
            return settle != null ? settle : super.findMerges(trigger, infos, context);
        }
        MergeSpecification tiered = super.findMerges(trigger, infos, context);
        if (tiered != null && !tiered.merges.isEmpty()) return tiered;
        return unsettled(infos, context, MAX_UNSETTLED + 1);
    }

    /**
     * The merge of every segment outside the settled layout into one (the smallest ones only if they
     * would exceed the maximum size), if there are at least {@code atLeast} of them; otherwise null.
     * Segments being merged and segments of at least half the maximum size are left alone.
     */
    private MergeSpecification unsettled(SegmentInfos infos, MergeContext context, int atLeast) throws IOException {
        record Sized(SegmentCommitInfo info, long bytes) {}
        List<Sized> open = new ArrayList<>();
        for (SegmentCommitInfo info : infos) {
            long bytes = size(info, context);
            if (bytes < maxSegmentBytes / 2 && !context.getMergingSegments().contains(info)) open.add(new Sized(info, bytes));
        }
        open.sort(Comparator.comparingLong(Sized::bytes).reversed());
        long[] smaller = new long[open.size() + 1];
        for (int i = open.size() - 1; i >= 0; i--) smaller[i] = smaller[i + 1] + open.get(i).bytes();
        for (int i = 0; i + 1 < open.size(); i++) {
            if (open.get(i).bytes() >= KEEP_RATIO * smaller[i + 1]) continue;
            if (open.size() - i < atLeast) return null;
            int from = i;
            while (smaller[from] > maxSegmentBytes && from + 2 < open.size()) from++;
            MergeSpecification spec = new MergeSpecification();
            spec.add(new OneMerge(open.subList(from, open.size()).stream().map(Sized::info).toList()));
            return spec;
        }
        return null;
    }
}

package io.conifer.documents;

import java.io.IOException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A document index writer's merged-segment warmer: counts a merged segment's namespaces
 * ({@link SegmentNamespaces.Cache#countAll}) on the merge thread, before the merge commits, so the first
 * search after a big merge does not pay for them on the query thread (about 0.5 s per million documents
 * and full-text field). Flushed segments are small and left to their first search. Lucene warms only
 * while it pools readers, which the engine's near-real-time reader turns on; those later readers share
 * the warmed segment's core, which keys the cache.
 */
final class MergedSegmentCounts implements IndexWriter.IndexReaderWarmer {
    private static final Logger log = LoggerFactory.getLogger(MergedSegmentCounts.class);
    private final SegmentNamespaces.Cache cache;

    MergedSegmentCounts(SegmentNamespaces.Cache cache) {
        this.cache = cache;
    }

    /**
     * Never throws: Lucene takes a failed merge for a tragic event and closes the writer, which the
     * engine then reopens from the log. Counts not made here are made by the first search that needs them.
     */
    @Override
    public void warm(LeafReader segment) {
        try {
            cache.countAll(segment);
        } catch (IOException | RuntimeException e) {
            log.warn("Counting the namespaces of merged segment {} failed; its first full-text search counts them", segment, e);
        }
    }
}

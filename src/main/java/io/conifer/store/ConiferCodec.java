package io.conifer.store;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Lucene's default codec with the HNSW format's dimension cap raised from 1024 to Pinecone's 20000.
 * The wrapper keeps the HNSW format's SPI name, so segments are written and read by the stock format:
 * the cap is only checked when writing.
 */
public final class ConiferCodec extends Lucene104Codec {
    static final int MAX_DIMENSIONS = 20_000;
    /**
     * Default maxConn and beamWidth; a merge builds its HNSW graph with one worker per core, run on the
     * merge scheduler's intra-merge executor ({@link MergeWorkers}; no executor of the format's own), so
     * an idle index settles sooner. (The format's three-argument constructor takes no worker count.)
     */
    private final KnnVectorsFormat vectors = new HighDimensionHnsw(new Lucene99HnswVectorsFormat(
            Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN, Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH,
            Runtime.getRuntime().availableProcessors(), null));

    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return vectors;
    }

    private static final class HighDimensionHnsw extends KnnVectorsFormat {
        private final KnnVectorsFormat delegate;

        HighDimensionHnsw(KnnVectorsFormat delegate) {
            super(delegate.getName());
            this.delegate = delegate;
        }

        @Override
        public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws java.io.IOException {
            return delegate.fieldsWriter(state);
        }

        @Override
        public KnnVectorsReader fieldsReader(SegmentReadState state) throws java.io.IOException {
            return delegate.fieldsReader(state);
        }

        @Override
        public int getMaxDimensions(String fieldName) {
            return MAX_DIMENSIONS;
        }
    }
}

package io.conifer.documents;

import io.conifer.store.RecordFields;
import io.conifer.store.RecordQueries;
import io.conifer.store.SequencedSearchers;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterDirectoryReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.TermState;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.BytesRef;

/**
 * The index as one namespace's full-text search sees it, a {@link NamespaceLeafReader} per segment: BM25
 * statistics and term expansions (phrase prefix, fuzzy, wildcard) count the namespace's documents and
 * terms alone, so a search ranks and scores exactly as in an index holding only that namespace. Made
 * per search over the searcher's reader and never closed: closing it would close that reader, which
 * the engine releases.
 */
final class NamespaceReader extends FilterDirectoryReader {
    private final BytesRef namespace;
    private final SegmentNamespaces.Cache segments;

    private NamespaceReader(DirectoryReader in, BytesRef namespace, SegmentNamespaces.Cache segments) throws IOException {
        super(in, new SubReaderWrapper() {
            @Override
            public LeafReader wrap(LeafReader segment) {
                try {
                    return wrapSegment(segment, namespace, segments);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        this.namespace = namespace;
        this.segments = segments;
    }

    /**
     * A searcher of {@code s}'s index as {@code ns} sees it, searching as {@code s} does; {@code s} itself
     * when every record is in {@code ns}, whose statistics are then Lucene's own.
     */
    static IndexSearcher searcher(IndexSearcher s, String ns, SegmentNamespaces.Cache segments) throws IOException {
        if (RecordQueries.onlyNamespace(s.getIndexReader(), ns)) return s;
        NamespaceReader reader;
        try {
            reader = new NamespaceReader((DirectoryReader) s.getIndexReader(), new BytesRef(ns), segments);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        IndexSearcher view = new IndexSearcher(reader, SequencedSearchers.executor(s));
        view.setSimilarity(s.getSimilarity());
        view.setQueryCache(s.getQueryCache());
        view.setQueryCachingPolicy(s.getQueryCachingPolicy());
        return view;
    }

    /** A segment holding only the namespace is seen as it is, and its filters stay cacheable. */
    private static LeafReader wrapSegment(LeafReader segment, BytesRef namespace, SegmentNamespaces.Cache segments) throws IOException {
        if (RecordQueries.onlyNamespace(segment, namespace)) return segment;
        Terms namespaces = segment.terms(RecordFields.NAMESPACE);
        TermsEnum te = namespaces.iterator();
        TermState members = te.seekExact(namespace) ? te.termState() : null;
        return new NamespaceLeafReader(segment, namespace, members, members == null ? null : segments.of(segment));
    }

    @Override
    protected DirectoryReader doWrapDirectoryReader(DirectoryReader in) throws IOException {
        return new NamespaceReader(in, namespace, segments);
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
        return null;
    }
}

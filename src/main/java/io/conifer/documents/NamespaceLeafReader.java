package io.conifer.documents;

import io.conifer.store.RecordFields;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.TermState;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.util.BytesRef;

/**
 * One segment as a namespace's full-text search sees it: each full-text field holds only the terms
 * the namespace's documents have ({@link NamespaceTerms}), with the namespace's statistics, and none
 * at all where the namespace has no document. Postings, norms, doc ids and every other field are the
 * segment's own, so the search still filters to the namespace.
 */
final class NamespaceLeafReader extends FilterLeafReader {
    private final BytesRef namespace;
    private final TermState members;
    private final SegmentNamespaces namespaces;
    private final Map<String, Map<BytesRef, NamespaceTermsEnum.Counts>> counted = new ConcurrentHashMap<>();

    /** {@code members}: the namespace's term in the namespace field here; it and {@code namespaces} null when it has no record here. */
    NamespaceLeafReader(LeafReader segment, BytesRef namespace, TermState members, SegmentNamespaces namespaces) {
        super(segment);
        this.namespace = namespace;
        this.members = members;
        this.namespaces = namespaces;
    }

    @Override
    public Terms terms(String field) throws IOException {
        Terms terms = in.terms(field);
        if (terms == null || !DocumentFields.isText(field)) return terms;
        FieldShares.Share share = members == null ? null : namespaces.share(in, field, namespace);
        if (share == null) return null;
        Map<BytesRef, NamespaceTermsEnum.Counts> fieldCounts = counted.computeIfAbsent(field, f -> new ConcurrentHashMap<>());
        if (namespaces.isMajority(namespace)) {
            NamespaceTermsEnum.Walk others = new NamespaceTermsEnum.Walk(namespaces::others, true);
            return new NamespaceTerms(terms, share, () -> others, fieldCounts);
        }
        return new NamespaceTerms(terms, share, this::ownWalk, fieldCounts);
    }

    /** The namespace's own documents, from an enum of the namespace field that reuses its postings. */
    private NamespaceTermsEnum.Walk ownWalk() throws IOException {
        TermsEnum te = in.terms(RecordFields.NAMESPACE).iterator();
        te.seekExact(namespace, members);
        PostingsEnum[] reused = {null};
        return new NamespaceTermsEnum.Walk(() -> reused[0] = te.postings(reused[0], PostingsEnum.NONE), false);
    }

    /** Nothing may be cached as this segment's: its terms are one namespace's. */
    @Override
    public CacheHelper getCoreCacheHelper() {
        return null;
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
        return null;
    }
}
